"""Loading an API key pair for ``cbctl`` from a Secrets Manager secret or from environment variables.

Secrets are read with the library's one reader (``cbprovider.secrets.reader``) in the ARN's region.
Errors name the source (secret ARN, variable names), never key material.
"""

from __future__ import annotations

import os

from cbprovider.errors import ProviderError
from cbprovider.redaction import remember_secret
from cbprovider.secrets.reader import secret_key_pair

SECRET_OPTION = "--credentials-secret-arn"  # noqa: S105 (an option name, not a secret)
"""What a secret's errors name: the option (or the endpoint's secret) it came from."""


class CredentialsError(ProviderError):
    """The key pair could not be loaded."""


def from_environment(access_key_var: str, secret_key_var: str) -> tuple[str, str] | None:
    """The pair from two environment variables; ``None`` when neither is set."""
    access_key = os.environ.get(access_key_var, "")
    secret_key = os.environ.get(secret_key_var, "")
    if not access_key and not secret_key:
        return None
    if not access_key or not secret_key:
        raise CredentialsError(f"set both {access_key_var} and {secret_key_var}, not only one of them")
    remember_secret(secret_key)
    return access_key, secret_key


def from_secret(secret_arn: str, access_key_field: str, secret_key_field: str) -> tuple[str, str]:
    """Read the JSON secret ``{access_key_field: ..., secret_key_field: ...}`` (in the ARN's region)."""
    fields = (access_key_field, secret_key_field)
    return secret_key_pair(secret_arn, fields, field_context=SECRET_OPTION, region=arn_region(secret_arn))


def arn_region(value: str) -> str | None:
    """``arn:aws:secretsmanager:<region>:...`` -> region; ``None`` for a plain secret name."""
    parts = value.split(":")
    return parts[3] or None if len(parts) > 3 and parts[0] == "arn" else None
