"""Reading the operator's endpoint registry from SSM Parameter Store.

One String parameter per endpoint: ``<path>/cloudbasic/<Name>`` and ``<path>/capella/<Name>``, where
``<path>`` is ``ENDPOINT_REGISTRY_PATH`` (default ``/cfn-replication-provider/endpoints``). Values are read
through one Powertools ``SSMProvider`` with a short cache (``MAX_AGE`` seconds: a changed entry is seen
within a minute, and a busy provider makes one SSM call per entry and minute). Every entry read is checked
(``entries`` for its fields, ``addresses.check_url`` for where its URL points) before anyone uses it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SSMProvider

PATH_ENV = "ENDPOINT_REGISTRY_PATH"
DEFAULT_PATH = "/cfn-replication-provider/endpoints"
MAX_AGE = 60


_provider: SSMProvider | None = None
_provider_lock = threading.Lock()


class RegistryUnreadable(ProviderError):
    """The registry could not be read (permissions, throttling, SSM unreachable)."""


@dataclass(frozen=True)
class Listing[E: (CloudBasicEndpoint, CapellaEndpoint)]:
    """Every entry of one vendor: the usable ones, and the refusal of each unusable one."""

    endpoints: tuple[E, ...] = ()
    invalid: tuple[EndpointInvalid, ...] = field(default=())


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
    if _provider is not None:
        _provider.clear_cache()  # type: ignore[no-untyped-call]


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
    try:
        values = _ssm().get_multiple(prefix, max_age=MAX_AGE, recursive=False)
    except Exception as error:
        raise RegistryUnreadable(
            f"cannot list the {vendor} endpoints under {prefix} ({_code(error)})"
        ) from None
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
    parameter = parameter_name(vendor, name)
    try:
        return str(_ssm().get(parameter, max_age=MAX_AGE))
    except Exception as error:
        code = _code(error)
        if code == "ParameterNotFound":
            raise UnknownEndpoint(vendor, name) from None
        raise RegistryUnreadable(f"Endpoint: cannot read {parameter} ({code})") from None


def _code(error: BaseException) -> str:
    # Powertools re-raises as GetParameterError without chaining ``from``; the cause is the context.
    cause = error.__cause__ or error.__context__ or error
    code = getattr(cause, "response", {}).get("Error", {}).get("Code")
    return str(code or type(cause).__name__)


def _ssm() -> SSMProvider:
    global _provider
    with _provider_lock:
        if _provider is None:
            from aws_lambda_powertools.utilities.parameters import SSMProvider

            _provider = SSMProvider()
        return _provider
