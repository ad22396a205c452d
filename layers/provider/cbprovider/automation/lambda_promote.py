"""Lambda entry point of DR promotion (see ``cbprovider.automation.promotion`` for the event and result).

The CloudBasic endpoint is the event's ``ApiUrl``/``CredentialsSecretArn``, else the provider-wide
``CLOUDBASIC_API_URL``/``CLOUDBASIC_CREDENTIALS_SECRET_ARN``; the event's optional ``CaBundleSecretArn``
(a secret holding a PEM bundle) is trusted for a self-signed appliance certificate.
``PROMOTION_HOSTED_ZONE_ID`` and ``PROMOTION_RECORD_NAMES`` (comma-separated names or IAM-style patterns)
limit DNS changes to those records of that zone; either blank or unset refuses every DNS change. The CNAME
points at the promoted endpoint's host unless the event's ``Dns.Target`` names another. Invalid events raise
``InputError`` before any call; a DNS change Route 53 would not allow raises ``DnsAccessError`` before the
promotion starts. Each status poll is logged (status, progress, elapsed; never the logs or a key).
"""

from __future__ import annotations

import os
from typing import Any

from cbprovider.automation.credentials import CLOUDBASIC_FIELDS, key_pair_from_secret
from cbprovider.automation.errors import InputError
from cbprovider.automation.lambda_context import deadline_from_context
from cbprovider.automation.log import logger
from cbprovider.automation.promotion import PollUpdate, Promotion
from cbprovider.automation.promotion_request import PromotionRequest
from cbprovider.automation.record_names import RecordNamePolicy
from cbprovider.cloudbasic.ca_bundle import ca_bundle_file
from cbprovider.cloudbasic.client import CloudBasicClient


def handle(event: Any, context: Any) -> dict[str, Any]:
    request = PromotionRequest.from_event(event)
    request.check_dns_allowed(
        os.environ.get("PROMOTION_HOSTED_ZONE_ID", "").strip(),
        RecordNamePolicy.from_setting(os.environ.get("PROMOTION_RECORD_NAMES")),
    )
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
        promotion = Promotion(request, client, on_poll=log_poll)
        result = promotion.run(deadline)
    logger.info(
        f"Promotion of replication {result.replication_id}: {result.status}, DNS {result.dns_status}",
        extra={
            "progress": result.progress,
            "continue": result.should_continue,
            "dnsStatus": result.dns_status,
            "dnsError": result.dns_error,
            "dns": result.dns,
        },
    )
    return result.to_dict()


def log_poll(update: PollUpdate) -> None:
    logger.info(
        f"Promotion of replication {update.replication_id}: {update.status} (poll {update.poll})",
        extra={
            "replicationId": update.replication_id,
            "poll": update.poll,
            "status": update.status,
            "progress": update.progress,
            "elapsedSeconds": round(update.elapsed, 1),
        },
    )
