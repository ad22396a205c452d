"""Interpreting Capella responses: error bodies, JSON bodies and the ``Location`` of a created object."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from cbprovider.errors import ApiError, ResponseFormatError

SERVICE = "Capella"
UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def api_error(response: requests.Response, operation: str) -> ApiError:
    """The ``ApiError`` for a non-2xx response (``{errorType, message, code}`` where the body has them)."""
    try:
        body: object = response.json()
    except ValueError:
        body = None
    messages: list[str] = []
    error_type: str | None = None
    code: int | None = None
    if isinstance(body, Mapping):
        message, kind, raw_code = body.get("message"), body.get("errorType"), body.get("code")
        if isinstance(message, str) and message.strip():
            messages.append(message.strip())
        error_type = kind if isinstance(kind, str) and kind else None
        code = raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else None
    elif not response.content:
        messages.append("empty error body")
    else:
        kind = response.headers.get("Content-Type", "no content type").split(";")[0]
        messages.append(f"unreadable error body ({kind}, {len(response.content)} bytes)")
    return ApiError(
        service=SERVICE,
        operation=operation,
        status=response.status_code,
        messages=messages,
        error_type=error_type,
        code=code,
    )


def format_error(operation: str, reason: str) -> ResponseFormatError:
    return ResponseFormatError(service=SERVICE, operation=operation, reason=reason)


def json_body(response: requests.Response, operation: str) -> Any:
    """The parsed JSON of a 2xx response; ``ResponseFormatError`` when it is empty or not JSON."""
    if not response.content:
        raise format_error(operation, f"HTTP {response.status_code} with an empty body")
    try:
        return response.json()
    except ValueError:
        raise format_error(operation, f"HTTP {response.status_code} body is not JSON") from None


def json_object(response: requests.Response, operation: str) -> Mapping[str, Any]:
    body = json_body(response, operation)
    if not isinstance(body, Mapping):
        raise format_error(operation, "the body is not a JSON object")
    return body


def location_id(response: requests.Response, operation: str) -> str:
    """The UUID that ends the ``Location`` header (relative ``/v3/clusters/<id>`` or absolute)."""
    location = response.headers.get("Location")
    if not location:
        raise format_error(operation, f"HTTP {response.status_code} without a Location header")
    segment = urlsplit(location).path.rstrip("/").rpartition("/")[2]
    if not UUID_PATTERN.match(segment):
        raise format_error(operation, f"the Location header does not end in a UUID: {location[:200]!r}")
    return segment
