"""The automation functions' logger: Powertools JSON logs at ``LOG_LEVEL`` (default INFO), scrubbed.

Kept apart from ``cbprovider.runtime.log`` so that the automation handlers do not import the custom-resource
runtime (property models, idempotency) at cold start.
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

# At DEBUG botocore logs GetSecretValue answers: keep the SDK and HTTP loggers quiet whatever LOG_LEVEL says.
pin_noisy_loggers()
scrub_every_record()
