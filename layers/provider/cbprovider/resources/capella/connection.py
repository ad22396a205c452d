"""How a Capella resource reaches its organisation: through the endpoint it names.

``Endpoint`` (default ``default``) names a Capella entry of the operator's registry
(``cbprovider.endpoints``): the API URL, the API version it speaks and the secret holding its key (v3: a
JSON object with ``AccessKey`` and ``SecretKey``; v4: the API key token, see
``capella_v4_connection``; never logged or put in a reason). The operator chose that secret, so it is
read as it is. A type that speaks one version fails, naming both versions, on an endpoint of the other.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from cbprovider.endpoints import CapellaEndpoint, capella_endpoint
from cbprovider.resources.endpoint_property import EndpointChoice
from cbprovider.runtime import Request, ValidationFailed
from cbprovider.secrets.reader import secret_key_pair

if TYPE_CHECKING:
    from cbprovider.capella import CapellaClient

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_capella_id(text: str) -> bool:
    """True for the canonical UUID text Capella uses as project and cluster ids."""
    return bool(_UUID.match(text))


KEY_FIELDS = ("AccessKey", "SecretKey")
V3_SUCCESSORS = {"Custom::CapellaDatabaseUser": "Custom::CapellaDatabaseCredential"}
"""v3-only types and the v4 type that takes their place."""


class CapellaConnection(EndpointChoice):
    """The connection property every Capella type accepts: ``Endpoint``."""


def require_version(endpoint: CapellaEndpoint, wanted: str, type_name: str) -> None:
    """``ValidationFailed`` naming the endpoint and both versions unless ``endpoint`` speaks ``wanted``."""
    if endpoint.api_version == wanted:
        return
    successor = V3_SUCCESSORS.get(type_name)
    hint = f"; use {successor} on a v4 endpoint" if successor and wanted == "v3" else ""
    raise ValidationFailed(
        f"Endpoint {endpoint.name!r} speaks Capella API {endpoint.api_version}; {type_name} on it needs "
        f"API {wanted}{hint}"
    )


def endpoint_of(props: CapellaConnection) -> CapellaEndpoint:
    """The registry entry the resource names (``UnknownEndpoint``/``EndpointInvalid`` otherwise)."""
    return capella_endpoint(props.endpoint)


def credentials_of(endpoint: CapellaEndpoint) -> tuple[str, str]:
    """The ``(access_key, secret_key)`` pair from the secret the endpoint names."""
    arn = endpoint.credentials_secret_arn
    context = f"endpoint {endpoint.name} CredentialsSecretArn"
    return secret_key_pair(arn, KEY_FIELDS, field_context=context)


def client_for(props: CapellaConnection, req: Request[Any]) -> CapellaClient:
    """A Capella client for this resource's endpoint (close it when done: ``with client_for(...)``).

    Every call is bounded by ``req.call_deadline`` (the invocation's or the operation's deadline,
    whichever comes first), on top of the deadline a call site passes.
    """
    from cbprovider.capella import CapellaClient

    endpoint = endpoint_of(props)
    require_version(endpoint, "v3", req.resource_type)
    return CapellaClient(endpoint.url, credentials_of(endpoint), deadline=req.call_deadline)
