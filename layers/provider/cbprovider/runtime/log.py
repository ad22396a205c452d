"""The runtime's logger: Powertools JSON logs at LOG_LEVEL (default INFO), never the raw event."""

from __future__ import annotations

import os

from aws_lambda_powertools.logging import Logger

logger = Logger(
    service=os.environ.get("POWERTOOLS_SERVICE_NAME", "cfn-replication-provider"),
    level=os.environ.get("LOG_LEVEL", "INFO"),
)
