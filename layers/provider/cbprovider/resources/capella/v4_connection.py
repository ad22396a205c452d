"""How a v4 Capella resource reaches its organisation, and the parent-id properties the v4 types share.

The endpoint must speak API v4 (``WrongApiVersion`` otherwise) and name its organisation; its secret
holds the API key token as plain text or as ``{"ApiKeyToken": "..."}`` (never logged or put in a
reason). Every v4 path lies under the organisation's project, so each child type carries ``ProjectId``
(and ``ClusterId`` below a cluster); a change of either replaces the object, which lives there.
Requests are paced per key at ``CAPELLA_REQUESTS_PER_MINUTE`` (default: the client's assumption, since
Couchbase publishes no figure); a 429 is waited out as its ``Retry-After`` says.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Any

from cbprovider.resources.capella.connection import (
    CapellaConnection,
    endpoint_of,
    is_capella_id,
    require_version,
)
from cbprovider.runtime import Request
from cbprovider.runtime.properties import Check

if TYPE_CHECKING:
    from cbprovider.capella.v4 import CapellaV4Client


def _capella_id(value: str) -> str:
    if not is_capella_id(value):
        raise ValueError("must be a Capella id (a UUID)")
    return value.lower()


CapellaId = Annotated[str, Check(_capella_id)]
"""A project, cluster or other object id: a UUID, compared in lower case."""


class InProject(CapellaConnection):
    """``ProjectId``: the project the object lives in."""

    project_id: CapellaId


class InCluster(InProject):
    """``ProjectId`` and ``ClusterId``: the cluster the object lives in."""

    cluster_id: CapellaId


def v4_client_for(props: CapellaConnection, req: Request[Any]) -> CapellaV4Client:
    """A v4 client for the resource's endpoint (close it when done: ``with v4_client_for(...)``)."""
    from cbprovider.capella.v4 import CapellaV4Client
    from cbprovider.capella.v4.auth import read_api_key_token
    from cbprovider.capella.v4.ratelimit import pacing_from_environment

    endpoint = endpoint_of(props)
    require_version(endpoint, "v4", req.resource_type)
    context = f"endpoint {endpoint.name} CredentialsSecretArn"
    token = read_api_key_token(endpoint.credentials_secret_arn, field_context=context)
    pacing = pacing_from_environment(os.environ)
    return CapellaV4Client(endpoint.url, token, organization_id=str(endpoint.organization_id), **pacing)
