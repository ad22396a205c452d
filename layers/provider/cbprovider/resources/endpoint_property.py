"""``Endpoint``: the one connection property every resource type has, naming an operator's registry entry.

A resource never chooses where the provider sends requests nor which secrets it signs with: the
properties that used to (``ApiUrl``, ``CredentialsSecretArn``, ``CaBundleSecretArn``, ``SigningRegion``,
``SigningService``) are refused with a reason that points to ``Endpoint``. Moving a resource to another
endpoint replaces it: the object lives on the appliance or organisation the endpoint names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

from msgspec import Meta

from cbprovider.endpoints.entries import DEFAULT_NAME, NAME_PATTERN
from cbprovider.runtime.properties import ResourceProperties

ENDPOINT = "Endpoint"
RETIRED_HINT = "no longer a property; name a registered endpoint with Endpoint"
RETIRED = ("ApiUrl", "CredentialsSecretArn", "CaBundleSecretArn", "SigningRegion", "SigningService")


class EndpointChoice(ResourceProperties):
    """Base of the CloudBasic and Capella connection properties."""

    retired_properties: ClassVar[Mapping[str, str]] = dict.fromkeys(RETIRED, RETIRED_HINT)

    endpoint: Annotated[str, Meta(pattern=rf"^{NAME_PATTERN}$")] = DEFAULT_NAME
    """``Endpoint``: the name of a registered endpoint (default ``default``)."""


def endpoint_changed(new: Mapping[str, Any], old: Mapping[str, Any]) -> bool:
    """Whether an Update moves the resource to another endpoint (an absent name is ``default``)."""
    return str(new.get(ENDPOINT) or DEFAULT_NAME) != str(old.get(ENDPOINT) or DEFAULT_NAME)


class ReplacedOnEndpointChange:
    """Mixin for a ``ResourceType``: a change of ``Endpoint`` replaces the object as well."""

    def requires_replacement(self, new: Mapping[str, Any], old: Mapping[str, Any], *, stack_id: str) -> bool:
        changed = super().requires_replacement(new, old, stack_id=stack_id)  # type: ignore[misc]
        return endpoint_changed(new, old) or bool(changed)
