"""Turning an exception into the Reason a stack event shows: an error code, then a readable message."""

from __future__ import annotations

from cbprovider.errors import ApiError, ProviderError
from cbprovider.runtime.log import logger
from cbprovider.runtime.scrub import scrub, scrubbed_traceback

MAX_REASON = 1024
"""Reasons longer than this are cut (the start is kept); the response size check may cut further."""
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "LimitExceededException",
    }
)
_CHAIN_LIMIT = 16


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
    aws = aws_failure(error)
    if aws is not None:
        return shorten(f"[AwsError] {aws}; see the provider's log for RequestId {request_id}")
    return shorten(
        f"[InternalError] {type(error).__name__}: unexpected error in the provider; "
        f"see its log for RequestId {request_id}"
    )


def logged_reason(error: BaseException, *, request_id: str) -> str:
    """``reason_for(error)``, the failure logged: the error's type and the reason for a ``ProviderError``,
    else the scrubbed traceback (the log is where an unexpected error's details go)."""
    reason = reason_for(error, request_id=request_id)
    if isinstance(error, ProviderError):
        logger.error("Request failed", extra={"error": type(error).__name__, "reason": reason})
    else:
        logger.error("Unexpected error", extra={"traceback": scrubbed_traceback(error)})
    return reason


def aws_failure(error: BaseException) -> str | None:
    """What failed when ``error`` is (or was caused by) a failed AWS call: the operation and error code
    (``PutItem failed with ProvisionedThroughputExceededException (throttled)``), or the kind of
    connection failure (``ReadTimeoutError``). Never the AWS message: it may quote the request."""
    seen: BaseException | None = error
    for _ in range(_CHAIN_LIMIT):
        if seen is None:
            return None
        response = getattr(seen, "response", None)
        operation = getattr(seen, "operation_name", None)
        if isinstance(response, dict) and isinstance(operation, str):
            code = str((response.get("Error") or {}).get("Code") or "an error")
            throttled = " (throttled: too many requests)" if code in THROTTLING_CODES else ""
            return f"the AWS call {operation} failed with {code}{throttled}"
        if type(seen).__module__.startswith("botocore.") and hasattr(seen, "fmt"):
            return f"an AWS call failed: {type(seen).__name__}"
        seen = seen.__cause__ or seen.__context__
    return None


def shorten(text: str, limit: int = MAX_REASON) -> str:
    """``text`` cut to ``limit`` characters, keeping the start and marking the cut."""
    if len(text) <= limit:
        return text
    marker = " ...(truncated)"
    return text[: max(0, limit - len(marker))] + marker
