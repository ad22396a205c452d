"""How a CloudBasic resource reaches its appliance: the connection overrides of DESIGN section 3.

A CloudBasic resource type derives its properties from ``CloudBasicConnection`` and opens its client
with ``client_for``::

    class UserProperties(CloudBasicConnection):
        user_name: str

    with client_for(req.properties, req) as client:
        client.create_user(...)

Every override is optional; the provider-wide defaults come from the function's environment
(``CLOUDBASIC_API_URL``, ``CLOUDBASIC_CREDENTIALS_SECRET_ARN``, set from the template parameters).
The key pair secret holds ``{"AccessKeyId": ..., "SecretAccessKey": ...}``; ``read_key_pair`` reads
such a secret for other uses too (the remote node of an HA cluster). A self-signed appliance
certificate is trusted through ``CaBundleSecretArn``: a secret whose string is the PEM bundle. It is
written once per container to a private temporary file; verification is never turned off.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from pydantic import field_validator

from cbprovider.cloudbasic.ca_bundle import CaBundleUnreadable
from cbprovider.cloudbasic.ca_bundle import ca_bundle_file as ca_bundle_file  # re-exported
from cbprovider.runtime.properties import ResourceProperties, ValidationFailed
from cbprovider.runtime.secrets import SecretUnreadable, read_secret_json, read_shared_secret_json

if TYPE_CHECKING:
    from cbprovider.cloudbasic import CloudBasicClient
    from cbprovider.runtime.resource import Request

API_URL_ENV = "CLOUDBASIC_API_URL"
CREDENTIALS_ENV = "CLOUDBASIC_CREDENTIALS_SECRET_ARN"
KEY_FIELDS = ("AccessKeyId", "SecretAccessKey")


_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")


class CloudBasicConnection(ResourceProperties):
    """The per-resource connection overrides every CloudBasic resource type accepts."""

    api_url: str | None = None
    """``ApiUrl``: e.g. ``https://10.0.1.10:4432``; default ``CLOUDBASIC_API_URL``."""
    credentials_secret_arn: str | None = None
    """``CredentialsSecretArn``: the key pair secret; default ``CLOUDBASIC_CREDENTIALS_SECRET_ARN``."""
    signing_region: str | None = None
    """``SigningRegion``: blank for 12.301+ (the default), ``us-east-1`` for older servers (region-shaped)."""
    signing_service: Literal["cloudbasic", "cbr"] | None = None
    """``SigningService``: ``cloudbasic`` (the default) or ``cbr``."""
    ca_bundle_secret_arn: str | None = None
    """``CaBundleSecretArn``: a secret whose string is a PEM bundle trusted for the appliance's TLS."""

    @field_validator("signing_region")
    @classmethod
    def _region_shaped(cls, value: str | None) -> str | None:
        # It goes into the SigV4 credential scope: refuse what would break the signature, naming the property.
        if value and not _REGION.fullmatch(value):
            raise ValueError("must be blank or an AWS region name such as us-east-1")
        return value

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s)://host[:port] URL")
        return value.strip()


def client_for(props: CloudBasicConnection, req: Request[Any]) -> CloudBasicClient:
    """A client for the resource's appliance, bounded by this invocation's deadline (close it after use).

    Raises ``ValidationFailed`` naming ``ApiUrl`` or ``CredentialsSecretArn`` when neither the property
    nor the provider-wide default is set, and naming the secret's property when it cannot be read.
    """
    from cbprovider.cloudbasic import CloudBasicClient

    url = props.api_url or os.environ.get(API_URL_ENV, "").strip()
    if not url:
        raise ValidationFailed(
            f"ApiUrl: not set, and the provider has no default CloudBasic API URL ({API_URL_ENV})"
        )
    arn = props.credentials_secret_arn or os.environ.get(CREDENTIALS_ENV, "").strip()
    # A secret the resource names must be shared with its stack; the operator's default needs no tag.
    stack_id = req.stack_id if props.credentials_secret_arn else None
    if not arn:
        raise ValidationFailed(
            "CredentialsSecretArn: not set, and the provider has no default CloudBasic key pair secret "
            f"({CREDENTIALS_ENV})"
        )
    key_pair = read_key_pair(arn, "CredentialsSecretArn", stack_id=stack_id)
    try:
        ca_bundle = ca_bundle_file(props.ca_bundle_secret_arn) if props.ca_bundle_secret_arn else None
    except CaBundleUnreadable as error:
        raise SecretUnreadable(str(error)) from None
    try:
        return CloudBasicClient(
            url,
            key_pair,
            service=props.signing_service or "cloudbasic",
            region=props.signing_region or "",
            ca_bundle=ca_bundle,
            deadline=req.deadline,
        )
    except ValueError as error:
        raise ValidationFailed(f"ApiUrl: {error}") from None


def read_key_pair(arn: str, field_context: str, *, stack_id: str | None) -> tuple[str, str]:
    """``(AccessKeyId, SecretAccessKey)`` from the JSON secret ``arn``; errors name ``field_context``.

    ``stack_id``: the requesting stack when a resource property names the secret (it must be shared with
    that stack, see ``runtime.secrets``); ``None`` only for a secret the operator named.
    """
    if stack_id is None:
        data = read_secret_json(arn, field_context=field_context)
    else:
        data = read_shared_secret_json(arn, property_name=field_context, stack_id=stack_id)
    access, secret = (data.get(name) for name in KEY_FIELDS)
    if not isinstance(access, str) or not isinstance(secret, str) or not access or not secret:
        raise SecretUnreadable(
            f"{field_context}: secret {arn} must be a JSON object with {KEY_FIELDS[0]} and "
            f"{KEY_FIELDS[1]} strings"
        )
    return access, secret
