"""Redaction of what must never reach a log: the presigned ResponseURL and secret-looking values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

REDACTED = "***"
_SECRET_WORDS = (
    "password",
    "passwd",
    "secret",
    "privatekey",
    "apikey",
    "token",
    "connectionstring",
    "authorization",
    "signature",
    "credential",
)


def looks_secret(name: str) -> bool:
    """True for a property name whose value is probably a secret (Password, SecretKey, PrivateKey, ...).

    Names ending in ``Arn`` or ``Id`` only point at or name something (``SourceSecretArn``,
    ``AccessKeyId``) and are kept; so is ``ServiceToken``, the provider function's ARN.
    """
    lowered = name.replace("-", "").replace("_", "").lower()
    if lowered == "servicetoken" or lowered.endswith(("arn", "id")):
        return False
    return any(word in lowered for word in _SECRET_WORDS)


def redact_value(value: Any) -> Any:
    """A copy of ``value`` with the values of secret-looking keys replaced, at any depth."""
    if isinstance(value, Mapping):
        return {str(k): (REDACTED if looks_secret(str(k)) else redact_value(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    return value


def redact_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a CloudFormation request fit to log: no ResponseURL query, no secret-looking values."""
    clean = redact_value(event)
    assert isinstance(clean, dict)
    if "ResponseURL" in clean:
        clean["ResponseURL"] = url_without_query(str(clean["ResponseURL"]))
    return clean


def url_without_query(url: str) -> str:
    """The URL's scheme, host and path: the presigned query (the signature) is dropped."""
    split = urlsplit(url)
    port = f":{split.port}" if split.port else ""
    return f"{split.scheme}://{split.hostname or ''}{port}{split.path}"
