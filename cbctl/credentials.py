"""Loading an API key pair for ``cbctl`` from a Secrets Manager secret or from environment variables.

Errors name the source (secret ARN, variable names), never key material.
"""

from __future__ import annotations

import json
import os

from cbprovider.errors import ProviderError
from cbprovider.redaction import remember_secret


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
    try:
        data = json.loads(secret_text(secret_arn))
    except ValueError:
        data = None
    access_key = data.get(access_key_field) if isinstance(data, dict) else None
    secret_key = data.get(secret_key_field) if isinstance(data, dict) else None
    if not isinstance(access_key, str) or not isinstance(secret_key, str) or not access_key or not secret_key:
        raise CredentialsError(
            f"secret {secret_arn} must be a JSON object with "
            f"{access_key_field} and {secret_key_field} strings"
        )
    remember_secret(secret_key)
    return access_key, secret_key


def secret_text(secret_arn: str) -> str:
    """The text of a secret (in the ARN's region); ``CredentialsError`` naming the ARN, never the value."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    region = arn_region(secret_arn)
    try:
        client = (
            boto3.client("secretsmanager", region_name=region) if region else boto3.client("secretsmanager")
        )
        value = client.get_secret_value(SecretId=secret_arn)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise CredentialsError(
            f"could not read secret {secret_arn}: {error.get('Code', 'error')}: {error.get('Message', '')}"
        ) from None
    except BotoCoreError as exc:
        raise CredentialsError(f"could not read secret {secret_arn}: {type(exc).__name__}") from None
    return str(value.get("SecretString") or "")


def arn_region(value: str) -> str | None:
    """``arn:aws:secretsmanager:<region>:...`` -> region; ``None`` for a plain secret name."""
    parts = value.split(":")
    return parts[3] or None if len(parts) > 3 and parts[0] == "arn" else None
