"""Lambda entry point of DR promotion (see ``cbprovider.automation.promotion`` for the event and result).

The appliance is the event's ``Endpoint`` (a registered CloudBasic endpoint, default ``default``): its URL,
key pair secret, CA bundle secret and signing settings come from the operator's registry, never from the
event. ``PROMOTION_HOSTED_ZONE_ID`` and ``PROMOTION_RECORD_NAMES`` (comma-separated names or IAM-style
patterns) limit DNS changes to those records of that zone; either blank or unset refuses every DNS change.
The CNAME points at the promoted endpoint's host unless the event's ``Dns.Target`` names another.
Invalid events raise ``InputError`` before any call; a DNS change Route 53 would not allow raises
``DnsAccessError`` before the promotion starts. Each status poll is logged (status, progress, elapsed;
never the logs or a key).
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
from cbprovider.endpoints import cloudbasic_endpoint


def handle(event: Any, context: Any) -> dict[str, Any]:
    request = PromotionRequest.from_event(event)
    request.check_dns_allowed(
        os.environ.get("PROMOTION_HOSTED_ZONE_ID", "").strip(),
        RecordNamePolicy.from_setting(os.environ.get("PROMOTION_RECORD_NAMES")),
    )
    endpoint = cloudbasic_endpoint(request.endpoint)
    if not endpoint.credentials_secret_arn:
        raise InputError("Endpoint", f"endpoint {endpoint.name} has no CredentialsSecretArn to sign with")
    context_name = f"endpoint {endpoint.name} "
    credentials = key_pair_from_secret(
        endpoint.credentials_secret_arn,
        CLOUDBASIC_FIELDS,
        field_context=context_name + "CredentialsSecretArn",
    )
    ca_bundle = (
        ca_bundle_file(endpoint.ca_bundle_secret_arn, field_context=context_name + "CaBundleSecretArn")
        if endpoint.ca_bundle_secret_arn
        else None
    )
    deadline = deadline_from_context(context)
    with CloudBasicClient(
        endpoint.url,
        credentials,
        service=endpoint.signing_service,
        region=endpoint.signing_region,
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
