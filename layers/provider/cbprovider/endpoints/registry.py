"""Reading the operator's endpoint registry from SSM Parameter Store.

One String parameter per endpoint: ``<path>/cloudbasic/<Name>`` and ``<path>/capella/<Name>``, where
``<path>`` is ``ENDPOINT_REGISTRY_PATH`` (default ``/cfn-replication-provider/endpoints``). Values are read
with ``GetParameter`` (a listing with ``GetParametersByPath``) and kept ``MAX_AGE`` seconds
(``cbprovider.aws_reads``): a changed entry is seen within a minute, and a busy provider makes one SSM
call per entry and minute. Every entry read is checked
(``entries`` for its fields, ``addresses.check_url`` for where its URL points) before anyone uses it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import msgspec

from cbprovider.aws_reads import TimedCache, client
from cbprovider.endpoints.addresses import AddressRefused, Resolver, check_url
from cbprovider.endpoints.entries import (
    DEFAULT_NAME,
    CapellaEndpoint,
    CloudBasicEndpoint,
    EndpointInvalid,
    UnknownEndpoint,
    Vendor,
    capella_from_json,
    check_name,
    cloudbasic_from_json,
    load_json,
)
from cbprovider.errors import ProviderError

PATH_ENV = "ENDPOINT_REGISTRY_PATH"
DEFAULT_PATH = "/cfn-replication-provider/endpoints"
MAX_AGE = 60

_values: TimedCache[str] = TimedCache()
_listings: TimedCache[dict[str, str]] = TimedCache()


class RegistryUnreadable(ProviderError):
    """The registry could not be read (permissions, throttling, SSM unreachable)."""


class Listing[E: (CloudBasicEndpoint, CapellaEndpoint)](msgspec.Struct, frozen=True):
    """Every entry of one vendor: the usable ones, and the refusal of each unusable one."""

    endpoints: tuple[E, ...] = ()
    invalid: tuple[EndpointInvalid, ...] = ()


def registry_path() -> str:
    path = os.environ.get(PATH_ENV, "").strip() or DEFAULT_PATH
    return "/" + path.strip("/")


def parameter_name(vendor: Vendor, name: str) -> str:
    return f"{registry_path()}/{vendor}/{check_name(vendor, name)}"


def cloudbasic_endpoint(name: str = DEFAULT_NAME, *, resolver: Resolver | None = None) -> CloudBasicEndpoint:
    """The checked CloudBasic entry ``name``; ``UnknownEndpoint`` or ``EndpointInvalid`` otherwise."""
    return _checked(
        cloudbasic_from_json(name, load_json("cloudbasic", name, _read("cloudbasic", name))), resolver
    )


def capella_endpoint(name: str = DEFAULT_NAME, *, resolver: Resolver | None = None) -> CapellaEndpoint:
    """The checked Capella entry ``name``; ``UnknownEndpoint`` or ``EndpointInvalid`` otherwise."""
    return _checked(capella_from_json(name, load_json("capella", name, _read("capella", name))), resolver)


def list_cloudbasic_endpoints(*, resolver: Resolver | None = None) -> Listing[CloudBasicEndpoint]:
    """Every registered CloudBasic endpoint (all pages of GetParametersByPath), sorted by name."""
    return _list("cloudbasic", cloudbasic_from_json, resolver)


def list_capella_endpoints(*, resolver: Resolver | None = None) -> Listing[CapellaEndpoint]:
    """Every registered Capella endpoint (all pages of GetParametersByPath), sorted by name."""
    return _list("capella", capella_from_json, resolver)


def check_entry[E: (CloudBasicEndpoint, CapellaEndpoint)](entry: E, *, resolver: Resolver | None = None) -> E:
    """``entry`` if its URL may be called; ``EndpointInvalid`` naming ``Url`` otherwise."""
    return _checked(entry, resolver)


def clear_cache() -> None:
    """Forget cached entries (a test that changes the registry, ``cbctl`` after a put)."""
    _values.clear()
    _listings.clear()


def _checked[E: (CloudBasicEndpoint, CapellaEndpoint)](entry: E, resolver: Resolver | None) -> E:
    vendor: Vendor = "cloudbasic" if isinstance(entry, CloudBasicEndpoint) else "capella"
    plaintext = entry.allow_plaintext_http if isinstance(entry, CloudBasicEndpoint) else False
    try:
        check_url(entry.url, allow_plaintext_http=plaintext, resolver=resolver)
    except AddressRefused as error:
        raise EndpointInvalid(vendor, entry.name, "Url", str(error)) from None
    return entry


def _list[E: (CloudBasicEndpoint, CapellaEndpoint)](
    vendor: Vendor, parse: Callable[[str, Any], E], resolver: Resolver | None
) -> Listing[E]:
    prefix = f"{registry_path()}/{vendor}"
    values = _listings.fresh(prefix, MAX_AGE)
    if values is None:
        values = _listed(vendor, prefix)
    found: list[E] = []
    invalid: list[EndpointInvalid] = []
    for name in sorted(values):
        try:
            check_name(vendor, name)
            found.append(_checked(parse(name, load_json(vendor, name, str(values[name]))), resolver))
        except EndpointInvalid as error:
            invalid.append(error)
    return Listing(tuple(found), tuple(invalid))


def _read(vendor: Vendor, name: str) -> str:
    """The entry's text: kept, or read from SSM (and kept); ``UnknownEndpoint``, ``RegistryUnreadable``."""
    parameter = parameter_name(vendor, name)
    kept = _values.fresh(parameter, MAX_AGE)
    if kept is not None:
        return kept
    read_at = time.monotonic()
    try:
        value = str(client("ssm").get_parameter(Name=parameter)["Parameter"]["Value"])
    except Exception as error:
        code = _code(error)
        if code == "ParameterNotFound":
            raise UnknownEndpoint(vendor, name) from None
        raise RegistryUnreadable(f"Endpoint: cannot read {parameter} ({code})") from None
    _values.keep(parameter, value, read_at)
    return value


def _listed(vendor: Vendor, prefix: str) -> dict[str, str]:
    """Every parameter directly under ``prefix``, by the rest of its name, read from SSM (and kept)."""
    read_at = time.monotonic()
    found: dict[str, str] = {}
    try:
        pages = client("ssm").get_paginator("get_parameters_by_path").paginate(Path=prefix, Recursive=False)
        for page in pages:
            for parameter in page.get("Parameters", ()):
                name = str(parameter["Name"])
                found[name.removeprefix(prefix).lstrip("/")] = str(parameter["Value"])
    except Exception as error:
        raise RegistryUnreadable(
            f"cannot list the {vendor} endpoints under {prefix} ({_code(error)})"
        ) from None
    _listings.keep(prefix, found, read_at)
    return found


def _code(error: BaseException) -> str:
    code = getattr(error, "response", {}).get("Error", {}).get("Code")
    return str(code or type(error).__name__)
