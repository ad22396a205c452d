"""Redaction of what must never reach a log: the presigned ResponseURL and secret-looking values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from cbprovider.redaction import MAX_DEPTH, REDACTED, TOO_DEEP, looks_secret

__all__ = ["REDACTED", "looks_secret", "redact_event", "redact_value", "url_without_query"]


def redact_value(value: Any, _depth: int = 0) -> Any:
    """A copy of ``value`` with the values of secret-looking keys replaced, down to ``MAX_DEPTH`` levels.

    Deeper parts are replaced by a marker: hostile properties nested thousands deep must not exhaust the
    stack of the code that logs the request before answering it.
    """
    if _depth > MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, Mapping):
        return {
            str(k): (REDACTED if looks_secret(str(k)) else redact_value(v, _depth + 1))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_value(v, _depth + 1) for v in value]
    return value


def redact_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a CloudFormation request fit to log: no ResponseURL query, no secret-looking values."""
    clean = redact_value(event)
    if not isinstance(clean, dict):
        return {}
    if "ResponseURL" in clean:
        clean["ResponseURL"] = url_without_query(str(clean["ResponseURL"]))
    return clean


def url_without_query(url: str) -> str:
    """The URL's scheme, host and path: the presigned query (the signature) is dropped."""
    try:
        split = urlsplit(url)
        port = f":{split.port}" if split.port else ""
    except ValueError:
        return "(unreadable URL)"
    return f"{split.scheme}://{split.hostname or ''}{port}{split.path}"
