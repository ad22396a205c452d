"""``Endpoint``: the one connection property every resource type has, naming an operator's registry entry.

A resource never chooses where the provider sends requests nor which secrets it signs with: the
properties that used to (``ApiUrl``, ``CredentialsSecretArn``, ``CaBundleSecretArn``, ``SigningRegion``,
``SigningService``) are refused with a reason that points to ``Endpoint``. Moving a resource to another
endpoint replaces it, whatever its type (``cbprovider.runtime.planning.replaces`` decides that).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, ClassVar

from msgspec import Meta

from cbprovider.endpoints.entries import DEFAULT_NAME, NAME_PATTERN
from cbprovider.runtime.properties import ResourceProperties

RETIRED_HINT = "no longer a property; name a registered endpoint with Endpoint"
RETIRED = ("ApiUrl", "CredentialsSecretArn", "CaBundleSecretArn", "SigningRegion", "SigningService")


class EndpointChoice(ResourceProperties):
    """Base of the CloudBasic and Capella connection properties."""

    retired_properties: ClassVar[Mapping[str, str]] = dict.fromkeys(RETIRED, RETIRED_HINT)

    endpoint: Annotated[str, Meta(pattern=rf"^{NAME_PATTERN}$")] = DEFAULT_NAME
    """``Endpoint``: the name of a registered endpoint (default ``default``)."""
