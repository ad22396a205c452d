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


def read_secret(arn: str, field_context: str) -> Mapping[str, Any]:
    """The JSON object in secret ``arn``; ``CredentialsError`` naming ``field_context`` and the ARN."""
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
