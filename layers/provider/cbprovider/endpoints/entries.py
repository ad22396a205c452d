"""The two kinds of registry entry: their JSON, their defaults and their checks.

CloudBasic: ``{"Url", "CredentialsSecretArn"?, "CaBundleSecretArn"?, "SigningRegion"?, "SigningService"?,
"AllowPlaintextHttp"?}``. ``SigningRegion`` defaults to ``us-east-1`` (appliances before 12.301 need it,
later ones accept it); ``""`` may be chosen. An entry without ``CredentialsSecretArn`` serves only the
unsigned ActivateInstance of ``Custom::CloudBasicActivation``.

Capella: ``{"Url", "CredentialsSecretArn", "ApiVersion"?, "OrganizationId"?}``; ``ApiVersion`` is ``v4``
(the default) or ``v3``, and a ``v4`` entry names its ``OrganizationId``.

Unknown keys are refused: a misspelt ``AllowPlaintextHttp`` must not silently stay false. Every error names
the endpoint and the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Literal, NoReturn

import msgspec

from cbprovider.errors import ProviderError

Vendor = Literal["cloudbasic", "capella"]
VENDORS: tuple[Vendor, ...] = ("cloudbasic", "capella")
DEFAULT_NAME = "default"
ENDPOINT_PROPERTY = "Endpoint"
"""The resource property that names an entry; every resource type has it."""
DEFAULT_SIGNING_REGION = "us-east-1"
DEFAULT_SIGNING_SERVICE = "cloudbasic"
SIGNING_SERVICES = frozenset({"cloudbasic", "cbr"})
DEFAULT_CAPELLA_API_VERSION: Literal["v3", "v4"] = "v4"
NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}"
_NAME = re.compile(NAME_PATTERN)
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
_SECRET = re.compile(r"[A-Za-z0-9/_+=.@:-]{1,2048}")  # an ARN or a secret name
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
CLOUDBASIC_KEYS = frozenset(
    {
        "Url",
        "CredentialsSecretArn",
        "CaBundleSecretArn",
        "SigningRegion",
        "SigningService",
        "AllowPlaintextHttp",
    }
)
CAPELLA_KEYS = frozenset({"Url", "CredentialsSecretArn", "ApiVersion", "OrganizationId"})


class UnknownEndpoint(ProviderError):
    """No endpoint of that name is registered for the vendor."""

    def __init__(self, vendor: Vendor, name: str) -> None:
        self.vendor = vendor
        self.name = name
        super().__init__(
            f"Endpoint: no {vendor} endpoint named {name!r} is registered "
            "(the operator registers endpoints; see the README's Endpoints section)"
        )


class EndpointInvalid(ProviderError):
    """A registry entry (or a name) that cannot be used; the message names the endpoint and the field."""

    def __init__(self, vendor: Vendor, name: str, field: str, problem: str) -> None:
        self.vendor = vendor
        self.name = name
        self.field = field
        super().__init__(f"{vendor} endpoint {name!r}: {field}: {problem}")


class CloudBasicEndpoint(msgspec.Struct, frozen=True):
    name: str
    url: str
    credentials_secret_arn: str | None
    ca_bundle_secret_arn: str | None
    signing_region: str
    signing_service: str
    allow_plaintext_http: bool

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"Url": self.url}
        if self.credentials_secret_arn:
            data["CredentialsSecretArn"] = self.credentials_secret_arn
        if self.ca_bundle_secret_arn:
            data["CaBundleSecretArn"] = self.ca_bundle_secret_arn
        data["SigningRegion"] = self.signing_region
        data["SigningService"] = self.signing_service
        data["AllowPlaintextHttp"] = self.allow_plaintext_http
        return data


class CapellaEndpoint(msgspec.Struct, frozen=True):
    name: str
    url: str
    credentials_secret_arn: str
    api_version: Literal["v3", "v4"]
    organization_id: str | None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "Url": self.url,
            "CredentialsSecretArn": self.credentials_secret_arn,
            "ApiVersion": self.api_version,
        }
        if self.organization_id:
            data["OrganizationId"] = self.organization_id
        return data


Endpoint = CloudBasicEndpoint | CapellaEndpoint


def check_name(vendor: Vendor, name: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise EndpointInvalid(
            vendor, str(name)[:128], "Name", "must be 1-128 letters, digits, '_', '.' or '-'"
        )
    return name


class _Fields:
    """Typed access to one entry's JSON object; each error names the endpoint and the field."""

    def __init__(self, vendor: Vendor, name: str, data: Mapping[str, Any], allowed: frozenset[str]):
        self.vendor, self.name, self.data = vendor, name, data
        unknown = sorted(str(key) for key in data if key not in allowed)
        if unknown:
            self.fail(unknown[0], f"unknown key (allowed: {', '.join(sorted(allowed))})")

    def fail(self, field: str, problem: str) -> NoReturn:
        raise EndpointInvalid(self.vendor, self.name, field, problem)

    def text(self, field: str, *, required: bool = False) -> str | None:
        value = self.data.get(field)
        if value is None or value == "":
            if required:
                self.fail(field, "is required")
            return None if value is None else ""
        if not isinstance(value, str):
            self.fail(field, f"must be a string, got {type(value).__name__}")
        return str(value).strip()

    def arn(self, field: str, *, required: bool = False) -> str | None:
        value = self.text(field, required=required)
        if value and not _SECRET.fullmatch(value):
            self.fail(field, "must be a Secrets Manager secret ARN or name")
        return value or None

    def flag(self, field: str) -> bool:
        value = self.data.get(field, False)
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        if not isinstance(value, bool):
            self.fail(field, "must be true or false")
        return bool(value)


def load_json(vendor: Vendor, name: str, text: str) -> Mapping[str, Any]:
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        raise EndpointInvalid(vendor, name, "(value)", "is not JSON") from None
    if not isinstance(data, dict):
        raise EndpointInvalid(vendor, name, "(value)", "must be a JSON object")
    return data


def cloudbasic_from_json(name: str, data: Mapping[str, Any]) -> CloudBasicEndpoint:
    """The entry's fields, checked for shape (the URL's address is checked by ``addresses.check_url``)."""
    f = _Fields("cloudbasic", name, data, CLOUDBASIC_KEYS)
    region = f.text("SigningRegion")
    region = DEFAULT_SIGNING_REGION if region is None else region
    if region and not _REGION.fullmatch(region):
        f.fail("SigningRegion", 'must be "" or an AWS region name such as us-east-1')
    service = f.text("SigningService") or DEFAULT_SIGNING_SERVICE
    if service not in SIGNING_SERVICES:
        f.fail("SigningService", f"must be one of {', '.join(sorted(SIGNING_SERVICES))}")
    return CloudBasicEndpoint(
        name=name,
        url=str(f.text("Url", required=True)).rstrip("/"),
        credentials_secret_arn=f.arn("CredentialsSecretArn"),
        ca_bundle_secret_arn=f.arn("CaBundleSecretArn"),
        signing_region=region,
        signing_service=service,
        allow_plaintext_http=f.flag("AllowPlaintextHttp"),
    )


def capella_from_json(name: str, data: Mapping[str, Any]) -> CapellaEndpoint:
    f = _Fields("capella", name, data, CAPELLA_KEYS)
    version = f.text("ApiVersion") or DEFAULT_CAPELLA_API_VERSION
    if version not in ("v3", "v4"):
        f.fail("ApiVersion", "must be v4 or v3")
    organization = f.text("OrganizationId") or None
    if organization and not _UUID.fullmatch(organization):
        f.fail("OrganizationId", "must be the organization's UUID")
    if version == "v4" and not organization:
        f.fail("OrganizationId", "is required for ApiVersion v4")
    return CapellaEndpoint(
        name=name,
        url=str(f.text("Url", required=True)).rstrip("/"),
        credentials_secret_arn=str(f.arn("CredentialsSecretArn", required=True)),
        api_version="v3" if version == "v3" else "v4",
        organization_id=organization,
    )


def named_by(properties: Mapping[str, Any]) -> str:
    """The entry raw resource properties name: their ``Endpoint``, ``default`` when absent or empty."""
    return str(properties.get(ENDPOINT_PROPERTY) or DEFAULT_NAME)
