"""The runtime's logger: Powertools JSON logs at LOG_LEVEL (default INFO), never the raw event.

Every string of every record is scrubbed (``cbprovider.redaction``): registered secret values,
presigned-URL signatures and secret-looking assignments never reach CloudWatch.
"""

from __future__ import annotations

import os

from aws_lambda_powertools.logging import Logger

from cbprovider.redaction import pin_noisy_loggers, scrub_every_record, scrubbing_formatter

logger = Logger(
    service=os.environ.get("POWERTOOLS_SERVICE_NAME", "cfn-replication-provider"),
    level=os.environ.get("LOG_LEVEL", "INFO"),
    logger_formatter=scrubbing_formatter(),
)

# At DEBUG, botocore logs request parameters and answers (the poll state, GetSecretValue) and urllib3
# logs full URLs: keep them quiet whatever LOG_LEVEL says, as crhelper's boto_level does.
pin_noisy_loggers()
scrub_every_record()
