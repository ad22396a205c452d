"""The runtime's logger: Powertools JSON logs at LOG_LEVEL (default INFO), never the raw event."""

from __future__ import annotations

import logging
import os

from aws_lambda_powertools.logging import Logger

logger = Logger(
    service=os.environ.get("POWERTOOLS_SERVICE_NAME", "cfn-replication-provider"),
    level=os.environ.get("LOG_LEVEL", "INFO"),
)

# At DEBUG, botocore logs request parameters (the poll state holds the presigned ResponseURL) and urllib3
# logs full URLs: keep both quiet whatever LOG_LEVEL says, as crhelper's boto_level does.
for _name in ("boto3", "botocore", "urllib3"):
    logging.getLogger(_name).setLevel(logging.WARNING)
