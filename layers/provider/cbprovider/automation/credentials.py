"""Key pairs for the automation functions: given directly, or read from a Secrets Manager secret.

Secrets are read with Powertools parameters (``get_secret``, cached for five minutes so that a scheduled
monitor does not read them on every run), imported only when a secret is actually needed. This mirrors
``cbprovider.runtime.secrets.read_secret_json`` without importing the custom-resource runtime.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from cbprovider.automation.errors import CredentialsError
from cbprovider.redaction import remember_secrets_in

SecretReader = Callable[[str, str], Mapping[str, Any]]
"""``(arn, field_context) -> JSON object``; errors name the field and ARN, never the value."""

CLOUDBASIC_FIELDS = ("AccessKeyId", "SecretAccessKey")
CAPELLA_FIELDS = ("AccessKey", "SecretKey")


SECRET_MAX_AGE = 300


TextReader = Callable[[str, str], str]
"""``(arn, field_context) -> the secret's text``; errors name the field and ARN, never the value."""


def read_secret_text(arn: str, field_context: str) -> str:
    """The text of secret ``arn``; ``CredentialsError`` naming ``field_context`` and the ARN."""
    from aws_lambda_powertools.utilities.parameters import get_secret
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    try:
        text = get_secret(arn, max_age=SECRET_MAX_AGE)
    except GetParameterError as error:
        cause = error.__cause__ or error
        code = getattr(cause, "response", {}).get("Error", {}).get("Code") or type(cause).__name__
        raise CredentialsError(f"{field_context}: cannot read secret {arn} ({code})") from None
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return str(text)


def read_secret(arn: str, field_context: str) -> Mapping[str, Any]:
    """The JSON object in secret ``arn``; ``CredentialsError`` naming ``field_context`` and the ARN."""
    text = read_secret_text(arn, field_context)
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        raise CredentialsError(f"{field_context}: secret {arn} is not JSON") from None
    if not isinstance(value, dict):
        raise CredentialsError(f"{field_context}: secret {arn} is not a JSON object")
    remember_secrets_in(value)
    return value


def key_pair_from_secret(
    arn: str, fields: tuple[str, str], *, field_context: str, reader: SecretReader = read_secret
) -> tuple[str, str]:
    """The ``fields`` pair (e.g. ``AccessKeyId``/``SecretAccessKey``) of the JSON secret ``arn``."""
    data = reader(arn, field_context)
    first, second = (data.get(name) for name in fields)
    if not isinstance(first, str) or not isinstance(second, str) or not first or not second:
        raise CredentialsError(
            f"{field_context}: secret {arn} must be a JSON object with {fields[0]} and {fields[1]} strings"
        )
    return first, second


def api_key_token_of(arn: str, *, field_context: str, reader: TextReader = read_secret_text) -> str:
    """The Capella v4 API key token in secret ``arn`` (plain text or ``{"ApiKeyToken": ...}``)."""
    from cbprovider.capella.v4 import TokenFormatError, api_key_token_from_secret

    try:
        token = api_key_token_from_secret(reader(arn, field_context))
    except TokenFormatError as error:
        raise CredentialsError(f"{field_context}: secret {arn}: {error}") from None
    remember_secrets_in(token, secret=True)
    return token
