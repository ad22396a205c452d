"""Interpreting Capella responses: error bodies, JSON bodies and the ``Location`` of a created object."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from cbprovider.errors import ApiError, ResponseFormatError, unexpected_answer
from cbprovider.http_message import Response
from cbprovider.nesting import MAX_ANSWER_DEPTH, deeper_than

SERVICE = "Capella"
UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


MAX_MESSAGE = 300


def _field(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text[:MAX_MESSAGE] or None


def api_error(response: Response, operation: str) -> ApiError:
    """The ``ApiError`` for a non-2xx response, from the documented error fields only: v3 ``errorType``,
    ``message`` (and ``code``), v4 ``code``, ``message``, ``hint``. Any other answer (an HTML page, an
    internal service's JSON) is described by status, content type and size: its body is never quoted."""
    body = _parsed(response)
    messages: list[str] = []
    error_type: str | None = None
    code: int | None = None
    if isinstance(body, Mapping):
        message, hint = _field(body, "message"), _field(body, "hint")
        messages = [m for m in (message, f"hint: {hint}" if hint else None) if m]
        kind = _field(body, "errorType")
        error_type = kind[:100] if kind else None
        raw_code = body.get("code")
        code = raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else None
    if not messages and error_type is None and code is None:
        if response.content:
            content_type = response.headers.get("Content-Type")
            messages = [unexpected_answer(response.status_code, content_type, len(response.content))]
        else:
            messages = ["empty error body"]
    return ApiError(
        service=SERVICE,
        operation=operation,
        status=response.status_code,
        messages=messages,
        error_type=error_type,
        code=code,
    )


def _parsed(response: Response) -> object:
    """The JSON of ``response``, or ``None`` when it is empty, not JSON or nested too deeply."""
    if not response.content:
        return None
    try:
        body: object = response.json()
    except (ValueError, RecursionError, MemoryError):
        return None
    return None if deeper_than(body, MAX_ANSWER_DEPTH) else body


def format_error(operation: str, reason: str) -> ResponseFormatError:
    return ResponseFormatError(service=SERVICE, operation=operation, reason=reason)


def json_body(response: Response, operation: str) -> Any:
    """The parsed JSON of a 2xx response; ``ResponseFormatError`` when it is empty, not JSON or nested
    more deeply than any answer of the API."""
    if not response.content:
        raise format_error(operation, f"HTTP {response.status_code} with an empty body")
    try:
        body = response.json()
    except ValueError:
        raise format_error(operation, f"HTTP {response.status_code} body is not JSON") from None
    except (RecursionError, MemoryError):
        raise format_error(
            operation, f"HTTP {response.status_code} body is too large or nested too deeply"
        ) from None
    if deeper_than(body, MAX_ANSWER_DEPTH):
        raise format_error(
            operation, f"HTTP {response.status_code} body is nested more than {MAX_ANSWER_DEPTH} levels deep"
        )
    return body


def json_object(response: Response, operation: str) -> Mapping[str, Any]:
    body = json_body(response, operation)
    if not isinstance(body, Mapping):
        raise format_error(operation, "the body is not a JSON object")
    return body


def location_id(response: Response, operation: str) -> str:
    """The UUID that ends the ``Location`` header (relative ``/v3/clusters/<id>`` or absolute)."""
    location = response.headers.get("Location")
    if not location:
        raise format_error(operation, f"HTTP {response.status_code} without a Location header")
    segment = urlsplit(location).path.rstrip("/").rpartition("/")[2]
    if not UUID_PATTERN.match(segment):
        raise format_error(operation, "the Location header does not end in a UUID")
    return segment
