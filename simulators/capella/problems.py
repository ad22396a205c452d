"""API errors as the Capella v3 API reports them: ``{"errorType": ..., "message": ..., "code": ...}``."""

from __future__ import annotations

from http import HTTPStatus

from simulators.server import Response


def error_type_for(status: int) -> str:
    """``errorType`` for a status: the reason phrase in CamelCase (``NotFound``, ``ServiceUnavailable``).

    The documentation lists no catalogue of ``errorType`` values (assumption P15 in docs/simulators.md):
    the phrase-derived names are our choice, except 422, which we call ``ValidationError`` like the
    spec's validation schema.
    """
    if status == 422:
        return "ValidationError"
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return "Error"
    return "".join(word[:1].upper() + word[1:] for word in phrase.replace("-", " ").split())


def error_body(status: int, message: str, error_type: str | None = None) -> Response:
    return Response.json(
        status, {"errorType": error_type or error_type_for(status), "message": message, "code": status}
    )


class ApiProblem(Exception):
    """Raised by a handler to answer with an error body instead of a result."""

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

    def response(self) -> Response:
        response = error_body(self.status, self.message)
        response.headers.update(self.headers)
        return response


def not_found(what: str) -> ApiProblem:
    return ApiProblem(404, f"{what} not found")


def invalid(field: str, reason: str) -> ApiProblem:
    """A 422 whose message starts with the offending field's path, e.g. ``servers[0].size: ...``."""
    return ApiProblem(422, f"{field}: {reason}")
