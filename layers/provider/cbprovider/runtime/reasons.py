"""Turning an exception into the Reason a stack event shows: an error code, then a readable message."""

from __future__ import annotations

from cbprovider.errors import ApiError, ProviderError
from cbprovider.runtime.scrub import scrub

MAX_REASON = 1024
"""Reasons longer than this are cut (the start is kept); the response size check may cut further."""


def reason_for(error: BaseException, *, request_id: str) -> str:
    """``[ApiError 400] CloudBasic CreateReplication failed ...``; a generic text for unexpected errors.

    Only errors raised on purpose (``ProviderError``) have their message shown: an unexpected
    exception's text may hold anything, so it stays in the (redacted) log.
    """
    # The APIs' own messages are passed on, but scrubbed: an appliance may echo a connection string.
    if isinstance(error, ApiError):
        return shorten(scrub(f"[ApiError {error.status}] {error}"))
    if isinstance(error, ProviderError):
        return shorten(scrub(f"[{type(error).__name__}] {error}"))
    return shorten(
        f"[InternalError] {type(error).__name__}: unexpected error in the provider; "
        f"see its log for RequestId {request_id}"
    )


def shorten(text: str, limit: int = MAX_REASON) -> str:
    """``text`` cut to ``limit`` characters, keeping the start and marking the cut."""
    if len(text) <= limit:
        return text
    marker = " ...(truncated)"
    return text[: max(0, limit - len(marker))] + marker
