"""Interpreting v4 responses: the error body ``{code, hint, httpStatusCode, message}`` and created ids.

The error's ``code`` is Capella's own number (e.g. 4001), not the HTTP status, which ``httpStatusCode``
repeats. The specification names no request-id header; where the service sends one of the usual
headers (``REQUEST_ID_HEADERS``) it is carried on the error so that support can trace the call.
"""

from __future__ import annotations

from collections.abc import Mapping

from cbprovider.capella.responses import SERVICE, format_error, json_object
from cbprovider.errors import ApiError
from cbprovider.http_message import Response

REQUEST_ID_HEADERS = ("X-Request-Id", "X-Request-ID", "Request-Id", "X-Correlation-Id")
MAX_TEXT = 1000
"""Longer messages are cut: an error body is not a place for a page of HTML."""


def _text(body: Mapping[str, object], key: str) -> str | None:
    value = body.get(key)
    if isinstance(value, str) and value.strip():
        return value.strip()[:MAX_TEXT]
    return None


def request_id(response: Response) -> str | None:
    for name in REQUEST_ID_HEADERS:
        value = response.headers.get(name)
        if value and value.strip():
            return value.strip()[:200]
    return None


def api_error(response: Response, operation: str) -> ApiError:
    """The ``ApiError`` for a non-2xx v4 response."""
    try:
        body: object = response.json()
    except ValueError:
        body = None
    messages: list[str] = []
    hint: str | None = None
    code: int | None = None
    if isinstance(body, Mapping):
        message = _text(body, "message")
        if message:
            messages.append(message)
        hint = _text(body, "hint")
        raw_code = body.get("code")
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
        request_id=request_id(response),
        code=code,
        hint=hint,
    )


def created_id(response: Response, operation: str) -> str:
    """The ``id`` of the object a POST created (v4 puts it in the body, 201 or 202)."""
    body = json_object(response, operation)
    value = body.get("id")
    if not isinstance(value, str) or not value:
        raise format_error(operation, f"HTTP {response.status_code} body has no 'id' string")
    return value
