"""What the monitor checks, read from the function's environment.

- ``MONITOR_CLOUDBASIC_ENDPOINTS``: JSON list of ``{"Name", "ApiUrl", "CredentialsSecretArn",
  "SigningRegion"?, "SigningService"?, "CaBundleSecretArn"?}`` (``CaBundleSecretArn``: a secret whose
  string is the PEM bundle trusted for a self-signed appliance certificate); when unset or blank, the
  provider-wide ``CLOUDBASIC_API_URL`` with ``CLOUDBASIC_CREDENTIALS_SECRET_ARN`` (named ``default``),
  if that URL is set.
- ``CAPELLA_API_URL`` / ``CAPELLA_CREDENTIALS_SECRET_ARN``: the Capella org, checked when the secret is set.
- ``MONITOR_CONCURRENCY``: how many items are checked at once (1-64, default 32).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cbprovider.automation.errors import InputError
from cbprovider.transport import RetryPolicy, Timeouts

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
_ENDPOINT_KEYS = frozenset(
    {"Name", "ApiUrl", "CredentialsSecretArn", "SigningRegion", "SigningService", "CaBundleSecretArn"}
)


@dataclass(frozen=True)
class CloudBasicTarget:
    """One CloudBasic API endpoint. ``credentials`` (given directly) wins over the secret.

    TLS trust for a self-signed certificate: ``ca_bundle`` (a PEM file path, given directly) wins over
    ``ca_bundle_secret_arn`` (a secret holding the PEM bundle); without either the system roots apply.
    """

    name: str
    api_url: str
    credentials_secret_arn: str | None = None
    credentials: tuple[str, str] | None = field(default=None, repr=False)
    signing_region: str = ""
    signing_service: str = DEFAULT_SIGNING_SERVICE
    ca_bundle: str | None = None
    ca_bundle_secret_arn: str | None = None


@dataclass(frozen=True)
class CapellaTarget:
    api_url: str = DEFAULT_CAPELLA_URL
    credentials_secret_arn: str | None = None
    credentials: tuple[str, str] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class MonitorSettings:
    cloudbasic: tuple[CloudBasicTarget, ...] = ()
    capella: CapellaTarget | None = None
    concurrency: int = DEFAULT_CONCURRENCY
    latency_period_hours: int = LATENCY_PERIOD_HOURS
    retry: RetryPolicy = MONITOR_RETRY
    timeouts: Timeouts = MONITOR_TIMEOUTS

    def __post_init__(self) -> None:
        if not 1 <= self.concurrency <= MAX_CONCURRENCY:
            raise InputError(
                "concurrency", f"must be between 1 and {MAX_CONCURRENCY}, got {self.concurrency}"
            )
        names = [t.name for t in self.cloudbasic]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise InputError("Name", f"CloudBasic endpoint names must be unique: {', '.join(duplicates)}")


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


def _optional_text(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{where}.{key}", f"must be a string, got {type(value).__name__}")
    return value.strip()


def parse_endpoints(text: str) -> tuple[CloudBasicTarget, ...]:
    """The ``MONITOR_CLOUDBASIC_ENDPOINTS`` JSON list."""
    where = "MONITOR_CLOUDBASIC_ENDPOINTS"
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(where, f"is not valid JSON: {exc}") from None
    if not isinstance(data, list):
        raise InputError(where, "must be a JSON list of endpoint objects")
    targets = []
    for index, item in enumerate(data):
        at = f"{where}[{index}]"
        if not isinstance(item, dict):
            raise InputError(at, "must be an object with Name, ApiUrl and CredentialsSecretArn")
        unknown = sorted(set(item) - _ENDPOINT_KEYS)
        if unknown:
            allowed = ", ".join(sorted(_ENDPOINT_KEYS))
            raise InputError(f"{at}.{unknown[0]}", f"unknown key (allowed: {allowed})")
        api_url = check_url(item.get("ApiUrl"), f"{at}.ApiUrl")
        name = _optional_text(item, "Name", at) or endpoint_name(api_url)
        targets.append(
            CloudBasicTarget(
                name=name,
                api_url=api_url,
                credentials_secret_arn=_optional_text(item, "CredentialsSecretArn", at) or None,
                signing_region=_optional_text(item, "SigningRegion", at) or "",
                signing_service=_optional_text(item, "SigningService", at) or DEFAULT_SIGNING_SERVICE,
                ca_bundle_secret_arn=_optional_text(item, "CaBundleSecretArn", at) or None,
            )
        )
    return tuple(targets)


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


def settings_from_env(environ: Mapping[str, str]) -> MonitorSettings:
    endpoints_text = environ.get("MONITOR_CLOUDBASIC_ENDPOINTS", "").strip()
    if endpoints_text:
        cloudbasic = parse_endpoints(endpoints_text)
    elif environ.get("CLOUDBASIC_API_URL", "").strip():
        cloudbasic = (
            CloudBasicTarget(
                name="default",
                api_url=check_url(environ["CLOUDBASIC_API_URL"], "CLOUDBASIC_API_URL"),
                credentials_secret_arn=environ.get("CLOUDBASIC_CREDENTIALS_SECRET_ARN", "").strip() or None,
            ),
        )
    else:
        cloudbasic = ()
    capella = None
    capella_secret = environ.get("CAPELLA_CREDENTIALS_SECRET_ARN", "").strip()
    if capella_secret:
        url = environ.get("CAPELLA_API_URL", "").strip() or DEFAULT_CAPELLA_URL
        capella = CapellaTarget(check_url(url, "CAPELLA_API_URL"), capella_secret)
    concurrency = parse_concurrency(environ.get("MONITOR_CONCURRENCY"))
    return MonitorSettings(cloudbasic=cloudbasic, capella=capella, concurrency=concurrency)
