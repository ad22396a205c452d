"""The DR promotion event: parsed, validated and checked for the flag combinations the API forbids.

Every error names the event field. Booleans may be JSON booleans or the strings ``"true"``/``"false"``
(Step Functions and CloudFormation-style callers send strings); unknown fields are refused (they are
almost always typos of a flag that would then silently stay false). The appliance is named by ``Endpoint``
(a registered CloudBasic endpoint, default ``default``); an event never chooses a URL or a secret.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

import msgspec

from cbprovider.automation.dns import DEFAULT_TTL, CnameChange
from cbprovider.automation.errors import InputError, UnsafePromotionError
from cbprovider.automation.record_names import RecordNamePolicy, host_name, record_name
from cbprovider.endpoints.entries import DEFAULT_NAME, NAME_PATTERN

FLAGS = {
    "IgnoreInaccessibleSourceConnection": "ignoreInaccessibleSourceConnection",
    "IgnoreDbDiscrepancies": "ignoreDbDiscrepancies",
    "CancelRunningCtProcess": "cancelRunningCtProcess",
    "TurnOffDataReplication": "turnOffDataReplication",
    "EnableConstraintsWithCheck": "enableConstraintsWithCheck",
}
REQUIRED_FOR_TURN_OFF = (
    "IgnoreInaccessibleSourceConnection",
    "IgnoreDbDiscrepancies",
    "CancelRunningCtProcess",
)
DEFAULT_POLL_INTERVAL = 5.0
MAX_POLL_INTERVAL = 60.0
MAX_TTL = 2_147_483_647
RETIRED_FIELDS = ("ApiUrl", "CredentialsSecretArn", "SigningRegion", "SigningService", "CaBundleSecretArn")
EVENT_FIELDS = frozenset(
    {
        "Endpoint",
        "ReplicationId",
        "ParallelTablesLimit",
        "Dns",
        "Resume",
        "PollIntervalSeconds",
        *FLAGS,
    }
)
DNS_FIELDS = frozenset({"HostedZoneId", "RecordName", "Target", "Ttl"})


def as_flag(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InputError(field, f"must be true or false, got {value!r}")


def as_whole(value: Any, field: str, *, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise InputError(field, f"must be a whole number, got {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    else:
        raise InputError(field, f"must be a whole number, got {value!r}")
    if not low <= number <= high:
        raise InputError(field, f"must be between {low} and {high}, got {number}")
    return number


def as_text(value: Any, field: str, *, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InputError(field, "is required")
        return None
    if not isinstance(value, str):
        raise InputError(field, f"must be a string, got {type(value).__name__}")
    return value.strip()


def _refuse_unknown(data: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    retired = sorted(str(k) for k in data if k in RETIRED_FIELDS) if not where else []
    if retired:
        raise InputError(retired[0], "no longer a field; name a registered endpoint with Endpoint")
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        prefix = f"{where}." if where else ""
        raise InputError(f"{prefix}{unknown[0]}", f"unknown field (allowed: {', '.join(sorted(allowed))})")


def parse_dns(value: Any) -> CnameChange | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InputError("Dns", "must be an object with HostedZoneId, RecordName, Target and Ttl")
    _refuse_unknown(value, DNS_FIELDS, "Dns")
    zone = as_text(value.get("HostedZoneId"), "Dns.HostedZoneId", required=True) or ""
    zone = zone.removeprefix("/hostedzone/")
    record = record_name(as_text(value.get("RecordName"), "Dns.RecordName", required=True) or "")
    target = as_text(value.get("Target"), "Dns.Target")
    ttl_value = value.get("Ttl")
    ttl = DEFAULT_TTL if ttl_value is None else as_whole(ttl_value, "Dns.Ttl", low=0, high=MAX_TTL)
    return CnameChange(
        hosted_zone_id=zone, record_name=record, target=host_name(target) if target else "", ttl=ttl
    )


class PromotionRequest(msgspec.Struct, frozen=True):
    replication_id: str
    flags: Mapping[str, bool]
    """Event flag name -> value, for the flags the event set (absent ones default to false on the server)."""
    parallel_tables_limit: int | None = None
    endpoint: str = DEFAULT_NAME
    """The registered CloudBasic endpoint of the appliance that holds the replica."""
    dns: CnameChange | None = None
    """``None``: no DNS change. ``target`` empty: the promoted replica's server."""
    resume: bool = False
    poll_interval: float = DEFAULT_POLL_INTERVAL

    @classmethod
    def from_event(cls, event: Any) -> PromotionRequest:
        if not isinstance(event, Mapping):
            raise InputError("event", "must be a JSON object")
        _refuse_unknown(event, EVENT_FIELDS, "")
        replication_id = as_text(event.get("ReplicationId"), "ReplicationId", required=True) or ""
        try:
            uuid.UUID(replication_id)
        except ValueError:
            raise InputError(
                "ReplicationId",
                f"must be the replication's GUID (from CreateReplication), got {replication_id!r}",
            ) from None
        flags = {name: as_flag(event[name], name) for name in FLAGS if event.get(name) is not None}
        if flags.get("TurnOffDataReplication") and not all(flags.get(n) for n in REQUIRED_FOR_TURN_OFF):
            missing = [n for n in REQUIRED_FOR_TURN_OFF if not flags.get(n)]
            raise UnsafePromotionError(
                "TurnOffDataReplication",
                f"true requires {', '.join(REQUIRED_FOR_TURN_OFF)} to be true as well "
                f"(not true: {', '.join(missing)})",
            )
        limit = event.get("ParallelTablesLimit")
        endpoint = as_text(event.get("Endpoint"), "Endpoint") or DEFAULT_NAME
        if not re.fullmatch(NAME_PATTERN, endpoint):
            raise InputError("Endpoint", "must be the name of a registered CloudBasic endpoint")
        interval = event.get("PollIntervalSeconds", DEFAULT_POLL_INTERVAL)
        if isinstance(interval, bool) or not isinstance(interval, (int, float)):
            raise InputError("PollIntervalSeconds", f"must be a number of seconds, got {interval!r}")
        if not 0 < interval <= MAX_POLL_INTERVAL:
            raise InputError("PollIntervalSeconds", f"must be more than 0 and at most {MAX_POLL_INTERVAL:g}")
        return cls(
            replication_id=replication_id.lower(),
            flags=flags,
            parallel_tables_limit=None
            if limit is None
            else as_whole(limit, "ParallelTablesLimit", low=1, high=10_000),
            endpoint=endpoint,
            dns=parse_dns(event.get("Dns")),
            resume=as_flag(event.get("Resume", False), "Resume"),
            poll_interval=float(interval),
        )

    def check_dns_allowed(self, allowed_zone: str, record_names: RecordNamePolicy) -> None:
        """Refuse a DNS change outside the operator's zone or record names (blank zone: DNS disabled)."""
        if self.dns is None:
            return
        if not allowed_zone:
            raise InputError(
                "Dns", "DNS changes are disabled: the provider stack's PromotionHostedZoneId is blank"
            )
        if self.dns.hosted_zone_id != allowed_zone.removeprefix("/hostedzone/"):
            raise InputError(
                "Dns.HostedZoneId",
                f"must be the stack's PromotionHostedZoneId {allowed_zone}, got {self.dns.hosted_zone_id}",
            )
        record_names.check(self.dns.record_name)

    def api_options(self) -> dict[str, Any]:
        """The PromoteDbReplicaToPrimary body fields besides ``replicationId``.

        The reference documents the flags as the strings ``true``/``false`` (the vendor sample sends them
        so), hence strings rather than JSON booleans.
        """
        options: dict[str, Any] = {FLAGS[name]: str(value).lower() for name, value in self.flags.items()}
        if self.parallel_tables_limit is not None:
            options["parallelTablesLimit"] = self.parallel_tables_limit
        return options

    def to_event(self, *, resume: bool) -> dict[str, Any]:
        """An event that does the same again; with ``resume`` it skips the promote call and keeps polling."""
        event: dict[str, Any] = {"ReplicationId": self.replication_id, **self.flags}
        if self.parallel_tables_limit is not None:
            event["ParallelTablesLimit"] = self.parallel_tables_limit
        event["Endpoint"] = self.endpoint
        if self.dns is not None:
            dns: dict[str, Any] = {
                "HostedZoneId": self.dns.hosted_zone_id,
                "RecordName": self.dns.record_name,
            }
            if self.dns.target:
                dns["Target"] = self.dns.target
            dns["Ttl"] = self.dns.ttl
            event["Dns"] = dns
        event["PollIntervalSeconds"] = self.poll_interval
        event["Resume"] = resume
        return event
