"""Connection settings shared by the Capella resource types: API URL and v3 key pair, per resource.

``ApiUrl`` defaults to the ``CAPELLA_API_URL`` environment variable, then to the public endpoint;
``CredentialsSecretArn`` to ``CAPELLA_CREDENTIALS_SECRET_ARN``. The secret is a JSON object with the v3
``AccessKey`` and ``SecretKey``; neither is ever logged or put in a reason.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

from cbprovider.runtime import Request, ResourceProperties, ValidationFailed, read_secret_json

if TYPE_CHECKING:
    from cbprovider.capella import CapellaClient

DEFAULT_API_URL = "https://cloudapi.cloud.couchbase.com"
URL_ENV = "CAPELLA_API_URL"
CREDENTIALS_ENV = "CAPELLA_CREDENTIALS_SECRET_ARN"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_capella_id(text: str) -> bool:
    """True for the canonical UUID text Capella uses as project and cluster ids."""
    return bool(_UUID.match(text))


class CapellaConnection(ResourceProperties):
    """The per-resource connection overrides every Capella type accepts."""

    api_url: str | None = None
    credentials_secret_arn: str | None = None


def api_url_of(props: CapellaConnection) -> str:
    return props.api_url or os.environ.get(URL_ENV) or DEFAULT_API_URL


def credentials_of(props: CapellaConnection, req: Request[Any]) -> tuple[str, str]:
    """The ``(access_key, secret_key)`` pair from the secret named by the property or the environment.

    A secret the property names must be shared with the requesting stack; the operator's default not.
    """
    arn = props.credentials_secret_arn or os.environ.get(CREDENTIALS_ENV)
    if not arn:
        raise ValidationFailed(
            f"CredentialsSecretArn: not set, and the provider has no default ({CREDENTIALS_ENV})"
        )
    if props.credentials_secret_arn:
        from cbprovider.runtime.secrets import read_shared_secret_json

        value = read_shared_secret_json(arn, property_name="CredentialsSecretArn", stack_id=req.stack_id)
    else:
        value = read_secret_json(arn, field_context="CredentialsSecretArn")
    access_key, secret_key = value.get("AccessKey"), value.get("SecretKey")
    if not isinstance(access_key, str) or not access_key or not isinstance(secret_key, str) or not secret_key:
        raise ValidationFailed(
            f"CredentialsSecretArn: secret {arn} needs non-empty AccessKey and SecretKey strings"
        )
    return access_key, secret_key


def client_for(props: CapellaConnection, req: Request[Any]) -> CapellaClient:
    """A Capella v3 client for this resource (close it when done: ``with client_for(...) as client``).

    ``req`` is accepted so that every call site reads the same way; the client itself is not bound to
    a deadline: pass ``req.deadline`` to each call.
    """
    from cbprovider.capella import CapellaClient

    url = api_url_of(props)
    credentials = credentials_of(props, req)
    try:
        return CapellaClient(url, credentials)
    except ValueError:
        raise ValidationFailed(f"ApiUrl: must be http(s)://host[:port], got {url[:200]!r}") from None
