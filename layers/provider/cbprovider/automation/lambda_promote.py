"""Lambda entry point of DR promotion (see ``cbprovider.automation.promotion`` for the event and result).

The CloudBasic endpoint is the event's ``ApiUrl``/``CredentialsSecretArn``, else the provider-wide
``CLOUDBASIC_API_URL``/``CLOUDBASIC_CREDENTIALS_SECRET_ARN``; the event's optional ``CaBundleSecretArn``
(a secret holding a PEM bundle) is trusted for a self-signed appliance certificate.
``PROMOTION_HOSTED_ZONE_ID`` limits DNS changes to that zone (blank: DNS changes are refused). Invalid
events raise ``InputError`` before any call.
"""

from __future__ import annotations

import os
from typing import Any

from cbprovider.automation.credentials import CLOUDBASIC_FIELDS, key_pair_from_secret
from cbprovider.automation.errors import InputError
from cbprovider.automation.lambda_context import deadline_from_context
from cbprovider.automation.log import logger
from cbprovider.automation.promotion import Promotion
from cbprovider.automation.promotion_request import PromotionRequest
from cbprovider.cloudbasic.ca_bundle import ca_bundle_file
from cbprovider.cloudbasic.client import CloudBasicClient


def handle(event: Any, context: Any) -> dict[str, Any]:
    request = PromotionRequest.from_event(event)
    request.check_zone(os.environ.get("PROMOTION_HOSTED_ZONE_ID"))
    api_url = request.api_url or os.environ.get("CLOUDBASIC_API_URL", "").strip()
    if not api_url:
        raise InputError("ApiUrl", "not in the event and CLOUDBASIC_API_URL is blank")
    secret_arn = request.credentials_secret_arn or os.environ.get("CLOUDBASIC_CREDENTIALS_SECRET_ARN", "")
    if not secret_arn.strip():
        raise InputError(
            "CredentialsSecretArn", "not in the event and CLOUDBASIC_CREDENTIALS_SECRET_ARN is blank"
        )
    credentials = key_pair_from_secret(
        secret_arn.strip(), CLOUDBASIC_FIELDS, field_context="CredentialsSecretArn"
    )
    ca_bundle = ca_bundle_file(request.ca_bundle_secret_arn) if request.ca_bundle_secret_arn else None
    deadline = deadline_from_context(context)
    with CloudBasicClient(
        api_url,
        credentials,
        service=request.signing_service,
        region=request.signing_region or "",
        ca_bundle=ca_bundle,
    ) as client:
        result = Promotion(request, client).run(deadline)
    logger.info(
        f"Promotion of replication {result.replication_id}: {result.status}",
        extra={"progress": result.progress, "continue": result.should_continue, "dns": result.dns},
    )
    return result.to_dict()
