"""Point a Route 53 CNAME at the promoted server (UPSERT, so repeating it is harmless).

boto3 is imported on first use: the promotion function needs it only when the event asks for DNS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cbprovider.automation.errors import DnsUpdateError

DEFAULT_TTL = 300
"""The TTL of the vendor's Route 53 sample."""


@dataclass(frozen=True)
class CnameChange:
    hosted_zone_id: str
    record_name: str
    target: str
    ttl: int = DEFAULT_TTL


@dataclass(frozen=True)
class ChangeResult:
    change_id: str
    status: str


def upsert_cname(change: CnameChange, *, client: Any = None) -> ChangeResult:
    """UPSERT ``record_name`` CNAME ``target``; ``DnsUpdateError`` names the zone and record on failure."""
    if client is None:
        import boto3

        client = boto3.client("route53")
    from botocore.exceptions import BotoCoreError, ClientError

    batch = {
        "Comment": "DR promotion: point clients at the promoted replica",
        "Changes": [
            {
                "Action": "UPSERT",
                "ResourceRecordSet": {
                    "Name": change.record_name,
                    "Type": "CNAME",
                    "TTL": change.ttl,
                    "ResourceRecords": [{"Value": change.target}],
                },
            }
        ],
    }
    where = f"CNAME {change.record_name} in hosted zone {change.hosted_zone_id}"
    try:
        answer = client.change_resource_record_sets(HostedZoneId=change.hosted_zone_id, ChangeBatch=batch)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise DnsUpdateError(
            f"could not upsert {where}: {error.get('Code', 'error')}: {error.get('Message', '')}"
        ) from None
    except BotoCoreError as exc:
        raise DnsUpdateError(f"could not upsert {where}: {type(exc).__name__}: {exc}") from None
    info = answer.get("ChangeInfo", {})
    return ChangeResult(change_id=str(info.get("Id", "")), status=str(info.get("Status", "")))
