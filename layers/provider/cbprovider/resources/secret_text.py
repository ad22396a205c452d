"""One secret value (a password, a licence key) read from a secret named by a property.

The secret may hold the value as plain text, or a JSON object with the value under one of a few keys
(``{"password": "..."}``, the shape of an RDS-style secret), so existing secrets can be reused.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from cbprovider.redaction import remember_secret
from cbprovider.runtime.secrets import SECRET_MAX_AGE, SecretUnreadable


def read_secret_text(
    arn: str, *, field_context: str, json_keys: Sequence[str], max_age: int = SECRET_MAX_AGE
) -> str:
    """The value in secret ``arn``: its text, or ``json_keys[i]`` of the JSON object it holds.

    Errors name the property (``field_context``) and the ARN, never the value.
    """
    from aws_lambda_powertools.utilities.parameters import get_secret
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    try:
        text = get_secret(arn, max_age=max_age)
    except GetParameterError as error:
        cause = error.__cause__ or error.__context__ or error
        code = getattr(cause, "response", {}).get("Error", {}).get("Code") or type(cause).__name__
        raise SecretUnreadable(f"{field_context}: cannot read secret {arn} ({code})") from None
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    value = _from_json_object(str(text), json_keys, field_context=field_context, arn=arn)
    if not value:
        raise SecretUnreadable(f"{field_context}: secret {arn} is empty")
    remember_secret(value)
    return value


def _from_json_object(text: str, json_keys: Sequence[str], *, field_context: str, arn: str) -> str:
    if not text.lstrip().startswith("{"):
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return text
    if not isinstance(value, dict):
        return text
    for key in json_keys:
        found = value.get(key)
        if isinstance(found, str):
            return found
    names = " or ".join(repr(k) for k in json_keys)
    raise SecretUnreadable(f"{field_context}: secret {arn} is a JSON object without a {names} string")
