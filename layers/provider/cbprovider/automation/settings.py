"""What the monitor checks: every endpoint of the operator's registry, and how hard it tries.

Every registered CloudBasic and Capella endpoint (``cbprovider.endpoints``, all pages of the registry's
GetParametersByPath) is watched; an entry the registry refuses (a bad field, an address the provider must
not call) is reported as an error under its name, never called. ``MONITOR_CONCURRENCY``: how many items
are checked at once (1-64, default 32).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import msgspec

from cbprovider.automation.errors import InputError
from cbprovider.hidden_repr import repr_hiding
from cbprovider.transport import RetryPolicy, Timeouts

if TYPE_CHECKING:
    from cbprovider.endpoints.entries import CapellaEndpoint, CloudBasicEndpoint

DEFAULT_CONCURRENCY = 32
"""Checks are network waits with a few ms of CPU each: 32 at once make a pass over 1,000 replications at
50 ms latency over 15 times faster than one at a time (docs/benchmarks.md), with at most 32 sockets open."""
MAX_CONCURRENCY = 64
DEFAULT_CAPELLA_URL = "https://cloudapi.cloud.couchbase.com"
DEFAULT_SIGNING_SERVICE = "cloudbasic"
MONITOR_RETRY = RetryPolicy(max_attempts=2, base_delay=0.2, max_delay=1.0)
"""A monitor retries briefly: the next scheduled run is the real retry."""
MONITOR_TIMEOUTS = Timeouts(connect=3.0, read=15.0)
LATENCY_PERIOD_HOURS = 1


def cloudbasic_target(entry: CloudBasicEndpoint) -> CloudBasicTarget:
    return CloudBasicTarget(
        name=entry.name,
        api_url=entry.url,
        credentials_secret_arn=entry.credentials_secret_arn,
        signing_region=entry.signing_region,
        signing_service=entry.signing_service,
        ca_bundle_secret_arn=entry.ca_bundle_secret_arn,
    )


def capella_target(entry: CapellaEndpoint) -> CapellaTarget:
    return CapellaTarget(
        api_url=entry.url,
        credentials_secret_arn=entry.credentials_secret_arn,
        name=entry.name,
        api_version=entry.api_version,
        organization_id=entry.organization_id,
    )


class CloudBasicTarget(msgspec.Struct, frozen=True):
    """One CloudBasic API endpoint. ``credentials`` (given directly) wins over the secret.

    TLS trust for a self-signed certificate: ``ca_bundle`` (a PEM file path, given directly) wins over
    ``ca_bundle_secret_arn`` (a secret holding the PEM bundle); without either the system roots apply.
    """

    name: str
    api_url: str
    credentials_secret_arn: str | None = None
    credentials: tuple[str, str] | None = None
    signing_region: str = ""
    signing_service: str = DEFAULT_SIGNING_SERVICE
    ca_bundle: str | None = None
    ca_bundle_secret_arn: str | None = None

    __repr__ = repr_hiding("credentials")


class CapellaTarget(msgspec.Struct, frozen=True):
    """One Capella endpoint. On API v3 ``credentials`` (a key pair, given directly) wins over the secret's
    ``{"AccessKey", "SecretKey"}``; on v4 ``token`` (given directly) wins over the secret's API key token
    (plain text or ``{"ApiKeyToken"}``), and ``organization_id`` names the organisation watched."""

    api_url: str = DEFAULT_CAPELLA_URL
    credentials_secret_arn: str | None = None
    credentials: tuple[str, str] | None = None
    name: str = "default"
    api_version: str = "v3"
    organization_id: str | None = None
    token: str | None = None

    __repr__ = repr_hiding("credentials", "token")


class RefusedEndpoint(msgspec.Struct, frozen=True):
    """A registry entry the monitor must not call; reported as an error under its name."""

    vendor: str
    name: str
    reason: str


class MonitorSettings(msgspec.Struct, frozen=True):
    cloudbasic: tuple[CloudBasicTarget, ...] = ()
    capella: tuple[CapellaTarget, ...] = ()
    refused: tuple[RefusedEndpoint, ...] = ()
    concurrency: int = DEFAULT_CONCURRENCY
    latency_period_hours: int = LATENCY_PERIOD_HOURS
    retry: RetryPolicy = MONITOR_RETRY
    timeouts: Timeouts = MONITOR_TIMEOUTS
    item_metrics: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.concurrency <= MAX_CONCURRENCY:
            raise InputError(
                "concurrency", f"must be between 1 and {MAX_CONCURRENCY}, got {self.concurrency}"
            )
        for vendor, targets in (("CloudBasic", self.cloudbasic), ("Capella", self.capella)):
            names = [t.name for t in targets]
            duplicates = sorted({n for n in names if names.count(n) > 1})
            if duplicates:
                raise InputError("Name", f"{vendor} endpoint names must be unique: {', '.join(duplicates)}")


def check_url(value: object, field_name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(field_name, "must be a non-empty http(s) URL")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(field_name, f"must look like http(s)://host[:port], got {value!r}")
    return value.strip().rstrip("/")


def endpoint_name(api_url: str) -> str:
    """A readable default name for an endpoint: its ``host:port``."""
    return urlsplit(api_url).netloc


def parse_concurrency(value: str | None, field_name: str = "MONITOR_CONCURRENCY") -> int:
    if value is None or not value.strip():
        return DEFAULT_CONCURRENCY
    try:
        number = int(value.strip())
    except ValueError:
        raise InputError(field_name, f"must be a whole number, got {value!r}") from None
    if not 1 <= number <= MAX_CONCURRENCY:
        raise InputError(field_name, f"must be between 1 and {MAX_CONCURRENCY}, got {number}")
    return number


def parse_flag(value: str | None, field_name: str) -> bool:
    text = (value or "").strip().lower()
    if text not in ("", "true", "false"):
        raise InputError(field_name, f"must be true or false, got {value!r}")
    return text == "true"


def base_settings_from_env(environ: Mapping[str, str]) -> MonitorSettings:
    """How hard to try and what to publish, without endpoints (a worker of a fanned-out run reads its one
    endpoint itself)."""
    return MonitorSettings(
        concurrency=parse_concurrency(environ.get("MONITOR_CONCURRENCY")),
        item_metrics=parse_flag(environ.get("MONITOR_ITEM_METRICS"), "MONITOR_ITEM_METRICS"),
    )


def settings_from_env(environ: Mapping[str, str]) -> MonitorSettings:
    """Every registered endpoint (the registry path comes from ``ENDPOINT_REGISTRY_PATH``)."""
    from cbprovider.endpoints import list_capella_endpoints, list_cloudbasic_endpoints

    base = base_settings_from_env(environ)
    cloudbasic = list_cloudbasic_endpoints()
    capella = list_capella_endpoints()
    refused = tuple(
        RefusedEndpoint(error.vendor, error.name, str(error))
        for error in (*cloudbasic.invalid, *capella.invalid)
    )
    return MonitorSettings(
        cloudbasic=tuple(cloudbasic_target(e) for e in cloudbasic.endpoints),
        capella=tuple(capella_target(e) for e in capella.endpoints),
        refused=refused,
        concurrency=base.concurrency,
        item_metrics=base.item_metrics,
    )
