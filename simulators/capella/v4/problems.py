"""The v4 error body: ``{"code", "hint", "httpStatusCode", "message"}``.

``code`` is Capella's own error number; the catalogue is not public in machine-readable form, so the
simulator uses ``status * 10`` (4040 for a 404, 4120 for a 412) and says so. Problems raised by the v3
field helpers (``ApiProblem``) are answered in this shape too when they happen on a ``/v4`` path.
"""

from __future__ import annotations

from http import HTTPStatus

from simulators.server import Response

HINTS: dict[int, str] = {
    400: "Check the request body: it must be JSON with only the fields the API knows.",
    401: "Send 'Authorization: Bearer <API key token>' with a valid v4 API key.",
    403: "The API key has no access to this organization or resource.",
    404: "Check the ids in the path.",
    409: "Remove what depends on this resource first.",
    412: "The resource changed since it was read: read it again and retry with its new ETag.",
    422: "Check the request fields and the state of the resource.",
    429: "Too many requests for this API key: wait for the Retry-After seconds.",
}


def error_body(status: int, message: str, hint: str | None = None) -> Response:
    if hint is None:
        try:
            hint = HINTS.get(status, HTTPStatus(status).phrase)
        except ValueError:
            hint = "error"
    return Response.json(
        status, {"code": status * 10, "hint": hint, "httpStatusCode": status, "message": message}
    )


class V4Problem(Exception):
    """Raised by a v4 handler to answer with an error body."""

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

    def response(self) -> Response:
        response = error_body(self.status, self.message)
        response.headers.update(self.headers)
        return response


def not_found(what: str) -> V4Problem:
    return V4Problem(404, f"{what} not found")


def unprocessable(message: str) -> V4Problem:
    return V4Problem(422, message)
