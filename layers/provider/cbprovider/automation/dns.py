"""Point a Route 53 CNAME at the promoted server (UPSERT, so repeating it is harmless).

boto3 is imported on first use: the promotion function needs it only when the event asks for DNS. Route 53
is a global service, so its client needs credentials but no region.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec.structs import replace

from cbprovider.automation.errors import DnsAccessError, DnsUpdateError, InputError
from cbprovider.automation.record_names import host_name

DEFAULT_TTL = 300
"""The TTL of the vendor's Route 53 sample."""
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 15
MAX_ATTEMPTS = 3


class CnameChange(msgspec.Struct, frozen=True):
    hosted_zone_id: str
    record_name: str
    target: str
    """Empty until resolved: then the promoted endpoint's host (``with_target``)."""
    ttl: int = DEFAULT_TTL


class ChangeResult(msgspec.Struct, frozen=True):
    change_id: str
    status: str


def with_target(change: CnameChange, replica_host: str | None) -> CnameChange:
    """``change`` with its target: the explicit ``Dns.Target``, else the promoted replica's server."""
    if change.target:
        target = change.target
    elif replica_host:
        try:
            target = host_name(replica_host)
        except InputError as exc:
            raise InputError(
                "Dns.Target",
                f"not given, and the promoted replica's server cannot be a CNAME target "
                f"({str(exc).removeprefix('Dns.Target: ')}); give Dns.Target",
            ) from None
    else:
        raise InputError(
            "Dns.Target", "not given, and the replication's destination names no server to point at"
        )
    if target == change.record_name:
        raise InputError("Dns.Target", f"{target} is the record itself; a CNAME cannot point at its own name")
    return replace(change, target=target)


def route53_client() -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
    )
    return boto3.client("route53", config=config)


def _describe(exc: Exception) -> str:
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"


def check_access(change: CnameChange, *, client: Any = None) -> None:
    """Read the hosted zone (``route53:GetHostedZone``) and check that it holds the record.

    ``DnsAccessError`` when Route 53 cannot be used (no credentials, access denied, no such zone, network);
    ``InputError`` (``Dns.RecordName``) when the record is not in the zone.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = (client or route53_client()).get_hosted_zone(Id=change.hosted_zone_id)
    except (ClientError, BotoCoreError) as exc:
        raise DnsAccessError(f"cannot read hosted zone {change.hosted_zone_id}: {_describe(exc)}") from None
    zone = str(answer.get("HostedZone", {}).get("Name", "")).lower().removesuffix(".")
    if zone and change.record_name != zone and not change.record_name.endswith("." + zone):
        raise InputError(
            "Dns.RecordName", f"{change.record_name} is not in hosted zone {change.hosted_zone_id} ({zone})"
        )


def upsert_cname(change: CnameChange, *, client: Any = None) -> ChangeResult:
    """UPSERT ``record_name`` CNAME ``target``; ``DnsUpdateError`` names the zone and record on failure."""
    from botocore.exceptions import BotoCoreError, ClientError

    batch = {
        "Comment": "DR promotion: point clients at the promoted server",
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
        answer = (client or route53_client()).change_resource_record_sets(
            HostedZoneId=change.hosted_zone_id, ChangeBatch=batch
        )
    except (ClientError, BotoCoreError) as exc:
        raise DnsUpdateError(f"could not upsert {where}: {_describe(exc)}") from None
    info = answer.get("ChangeInfo", {})
    return ChangeResult(change_id=str(info.get("Id", "")), status=str(info.get("Status", "")))
