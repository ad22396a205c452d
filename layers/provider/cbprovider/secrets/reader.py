"""The one way this library reads a Secrets Manager secret: text, a JSON object, one value or a key pair.

Secrets are read with ``GetSecretValue`` and kept ``max_age`` seconds (``cbprovider.aws_reads``) so that a
scheduled monitor or a busy provider does not read them on every call; boto3 is imported only when a
secret is actually read, so that a function that never reads one does not load it. Errors are
``SecretUnreadable``: they name the property or field (``field_context``) and the ARN, never the value;
every value read is registered with ``cbprovider.redaction`` so that it never reaches a log.

This module decides nothing about who may read what: the sharing check for secrets a resource property
names is ``cbprovider.secrets.sharing``, the secrets the provider owns are ``cbprovider.secrets.owned``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from cbprovider.aws_reads import TimedCache, client
from cbprovider.errors import ProviderError
from cbprovider.redaction import remember_secret, remember_secrets_in

SECRET_MAX_AGE = 300
"""Seconds a secret's value is kept before it is read again (a rotation takes effect this soon)."""

_values: TimedCache[str | bytes] = TimedCache()


def clear_cache() -> None:
    """Forget every cached secret value (a test that changes a secret, a new container's view)."""
    _values.clear()


class SecretUnreadable(ProviderError):
    """A secret is missing, unreadable, or not of the shape its reader wants (names field and ARN)."""


def secret_text(
    arn: str, *, field_context: str, max_age: int = SECRET_MAX_AGE, region: str | None = None
) -> str:
    """The text of secret ``arn`` as stored (cached ``max_age`` seconds).

    ``region``: read it there rather than in the default region (the operator CLI reads a secret in its
    ARN's region).
    """
    text = _values.fresh((region, arn), max_age)
    if text is None:
        text = _fetched(arn, region, field_context)
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return str(text)


def secret_json(
    arn: str, *, field_context: str, max_age: int = SECRET_MAX_AGE, region: str | None = None
) -> dict[str, Any]:
    """The JSON object stored in secret ``arn``; ``SecretUnreadable`` if it is not one."""
    text = secret_text(arn, field_context=field_context, max_age=max_age, region=region)
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        raise SecretUnreadable(f"{field_context}: secret {arn} is not JSON") from None
    if not isinstance(value, dict):
        raise SecretUnreadable(f"{field_context}: secret {arn} is not a JSON object")
    remember_secrets_in(value)
    return value


def secret_value(
    arn: str, *, field_context: str, json_keys: Sequence[str], max_age: int = SECRET_MAX_AGE
) -> str:
    """One value (a password, a token) from secret ``arn``: its plain text, or the string under one of
    ``json_keys`` when it holds a JSON object (``{"password": "..."}``, the shape of an RDS-style secret)."""
    text = secret_text(arn, field_context=field_context, max_age=max_age)
    value = _from_json_object(text, json_keys, field_context=field_context, arn=arn)
    if not value:
        raise SecretUnreadable(f"{field_context}: secret {arn} is empty")
    remember_secret(value)
    return value


def secret_key_pair(
    arn: str,
    fields: tuple[str, str],
    *,
    field_context: str,
    max_age: int = SECRET_MAX_AGE,
    region: str | None = None,
) -> tuple[str, str]:
    """The key pair ``fields`` (``AccessKeyId``/``SecretAccessKey``) of the JSON object in secret ``arn``."""
    text = secret_text(arn, field_context=field_context, max_age=max_age, region=region)
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    return key_pair_in(data, fields, arn=arn, field_context=field_context)


def key_pair_in(data: object, fields: tuple[str, str], *, arn: str, field_context: str) -> tuple[str, str]:
    """The two non-empty strings ``fields`` of a secret's JSON object (``data``, as read from ``arn``)."""
    if isinstance(data, Mapping):
        remember_secrets_in(dict(data))
        first, second = (data.get(name) for name in fields)
    else:
        first = second = None
    if not isinstance(first, str) or not isinstance(second, str) or not first or not second:
        raise SecretUnreadable(
            f"{field_context}: secret {arn} must be a JSON object with {fields[0]} and {fields[1]} strings"
        )
    remember_secret(second)
    return first, second


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


def _fetched(arn: str, region: str | None, field_context: str) -> str | bytes:
    """The secret read from Secrets Manager (and kept); ``SecretUnreadable`` if it cannot be."""
    read_at = time.monotonic()
    try:
        text = _read(arn, region)
    except Exception as error:
        code = getattr(error, "response", {}).get("Error", {}).get("Code") or type(error).__name__
        raise SecretUnreadable(f"{field_context}: cannot read secret {arn} ({code})") from None
    _values.keep((region, arn), text, read_at)
    return text


def _read(arn: str, region: str | None) -> str | bytes:
    answer = client("secretsmanager", region).get_secret_value(SecretId=arn)
    text: str | bytes | None = answer.get("SecretString")
    return answer["SecretBinary"] if text is None else text
