"""How a CloudBasic resource reaches its appliance: through the endpoint it names.

A CloudBasic resource type derives its properties from ``CloudBasicConnection`` and opens its client
with ``client_for``::

    class UserProperties(CloudBasicConnection):
        user_name: str

    with client_for(req.properties, req) as client:
        client.create_user(...)

``Endpoint`` (default ``default``) names an entry of the operator's registry (``cbprovider.endpoints``):
its URL, key pair secret (``{"AccessKeyId": ..., "SecretAccessKey": ...}``), CA bundle secret (a PEM
bundle for a self-signed appliance certificate, written once per container to a private temporary file;
verification is never turned off) and signing region and service. The secrets an entry names were chosen
by the operator and are read as they are. ``read_key_pair`` reads such a key pair secret for other uses
too (the remote node of an HA cluster, the keys an activation stored).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cbprovider.endpoints import CloudBasicEndpoint, EndpointInvalid, cloudbasic_endpoint
from cbprovider.resources.endpoint_property import EndpointChoice
from cbprovider.secrets.reader import key_pair_in, secret_key_pair
from cbprovider.secrets.sharing import read_shared_secret_json

if TYPE_CHECKING:
    from cbprovider.cloudbasic import CloudBasicClient
    from cbprovider.runtime.resource import Request

KEY_FIELDS = ("AccessKeyId", "SecretAccessKey")
SIGNED_ONLY = (
    "is not set: this endpoint serves only the unsigned ActivateInstance of Custom::CloudBasicActivation"
)


class CloudBasicConnection(EndpointChoice):
    """The connection property every CloudBasic resource type accepts: ``Endpoint``."""


def endpoint_of(props: CloudBasicConnection) -> CloudBasicEndpoint:
    """The registry entry the resource names (``UnknownEndpoint``/``EndpointInvalid`` otherwise)."""
    return cloudbasic_endpoint(props.endpoint)


def client_for(props: CloudBasicConnection, req: Request[Any]) -> CloudBasicClient:
    """A client signed with the endpoint's key pair, bounded by this invocation's deadline (close it)."""
    endpoint = endpoint_of(props)
    if not endpoint.credentials_secret_arn:
        raise EndpointInvalid("cloudbasic", endpoint.name, "CredentialsSecretArn", SIGNED_ONLY)
    keys = read_key_pair(
        endpoint.credentials_secret_arn, f"endpoint {endpoint.name} CredentialsSecretArn", stack_id=None
    )
    return open_client(endpoint, keys, req)


def open_client(
    endpoint: CloudBasicEndpoint, keys: tuple[str, str] | None, req: Request[Any]
) -> CloudBasicClient:
    """A client for ``endpoint`` signed with ``keys`` (unsigned without), bounded by ``req.deadline``."""
    from cbprovider.cloudbasic import CloudBasicClient

    ca_bundle = None
    if endpoint.ca_bundle_secret_arn:  # a self-signed appliance only
        from cbprovider.cloudbasic.ca_bundle import ca_bundle_file

        context = f"endpoint {endpoint.name} CaBundleSecretArn"
        ca_bundle = ca_bundle_file(endpoint.ca_bundle_secret_arn, field_context=context)
    return CloudBasicClient(
        endpoint.url,
        keys,
        service=endpoint.signing_service,
        region=endpoint.signing_region,
        ca_bundle=ca_bundle,
        deadline=req.call_deadline,
    )


def read_key_pair(arn: str, field_context: str, *, stack_id: str | None) -> tuple[str, str]:
    """``(AccessKeyId, SecretAccessKey)`` from the JSON secret ``arn``; errors name ``field_context``.

    ``stack_id``: the requesting stack when a resource property names the secret (it must be shared with
    that stack, see ``cbprovider.secrets.sharing``); ``None`` only for a secret the operator named.
    """
    if stack_id is None:
        return secret_key_pair(arn, KEY_FIELDS, field_context=field_context)
    data = read_shared_secret_json(arn, property_name=field_context, stack_id=stack_id)
    return key_pair_in(data, KEY_FIELDS, arn=arn, field_context=field_context)
