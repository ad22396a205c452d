"""Error types shared by the API clients and the custom-resource runtime."""

from __future__ import annotations

import re
from collections.abc import Sequence


class ProviderError(Exception):
    """Base class of every error this library raises on purpose."""


class ApiError(ProviderError):
    """An API answered with an error.

    ``messages`` holds every message the API returned (CloudBasic ``errors[]`` / ``Errors/Error``,
    Capella ``message``), ``request_id`` the CloudBasic ``RequestId`` where one was sent and
    ``error_type`` the Capella ``errorType`` where one was sent; ``hint`` the Capella v4 ``hint`` (what
    to do about it) where one was sent.
    """

    def __init__(
        self,
        *,
        service: str,
        operation: str,
        status: int,
        messages: Sequence[str] = (),
        request_id: str | None = None,
        error_type: str | None = None,
        code: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.service = service
        self.operation = operation
        self.status = status
        self.messages = tuple(messages)
        self.request_id = request_id
        self.error_type = error_type
        self.code = code
        self.hint = hint
        super().__init__(str(self))

    @property
    def message(self) -> str:
        """All messages joined, or a generic text when the API sent none."""
        return "; ".join(self.messages) if self.messages else "no error message in the response"

    def __str__(self) -> str:
        kind = f" {self.error_type}" if self.error_type else ""
        text = f"{self.service} {self.operation} failed with HTTP {self.status}{kind}: {self.message}"
        if self.hint and self.hint not in self.messages:
            text += f" (hint: {self.hint})"
        if self.request_id:
            text += f" (RequestId {self.request_id})"
        return text

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_api_error, (self.__dict__.copy(),))


def _rebuild_api_error(state: dict[str, object]) -> ApiError:
    error = ApiError.__new__(ApiError)
    error.__dict__.update(state)
    Exception.__init__(error, str(error))
    return error


def unexpected_answer(status: int, content_type: str | None, size: int) -> str:
    """``unexpected answer (HTTP 502, text/html, 1234 bytes)``: what an answer that is not the API's
    documented shape is described as. Its body is never quoted: the URL may lead to an internal service."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if not _MEDIA_TYPE.fullmatch(kind):
        kind = "no content type" if not kind else "unreadable content type"
    return f"unexpected answer (HTTP {status}, {kind}, {size} bytes)"


_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]{0,40}/[a-z0-9][a-z0-9.+-]{0,60}")


class ApiConnectionError(ProviderError):
    """The API could not be reached (connection refused or dropped, timeout) after every retry.

    ``sent`` says whether any attempt may have reached the server and been acted on (a timeout, a
    dropped connection, an answer the server may have acted on); False when every attempt was refused
    or answered 429/503, or none was made: then a create certainly did not happen.
    """

    def __init__(self, *, service: str, operation: str, reason: str, sent: bool = True) -> None:
        self.service = service
        self.operation = operation
        self.reason = reason
        self.sent = sent
        super().__init__(f"{service} {operation}: could not reach the API: {reason}")


class ResponseFormatError(ProviderError):
    """The API answered 2xx with a body that could not be parsed or lacks a required field."""

    def __init__(self, *, service: str, operation: str, reason: str) -> None:
        self.service = service
        self.operation = operation
        self.reason = reason
        super().__init__(f"{service} {operation}: unreadable response: {reason}")


class ResponseTooLarge(ResponseFormatError):
    """The answer is larger than the client reads (a body this large is not an answer of the API)."""

    def __init__(self, *, service: str, operation: str, limit: int) -> None:
        self.limit = limit
        super().__init__(
            service=service, operation=operation, reason=f"the answer is larger than {limit // 1024} KiB"
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_too_large, (self.service, self.operation, self.limit))


def _rebuild_too_large(service: str, operation: str, limit: int) -> ResponseTooLarge:
    return ResponseTooLarge(service=service, operation=operation, limit=limit)


class DeadlineExceeded(ProviderError):
    """A wait or a retry loop ran out of the time the caller allowed."""
