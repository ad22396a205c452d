"""A wait across polls that outlives a passing API failure instead of failing the operation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cbprovider.errors import ApiConnectionError, ApiError
from cbprovider.runtime import InProgress, Outcome
from cbprovider.runtime.log import logger

POLL_SECONDS = 60


def tolerant(
    step: Callable[[], Outcome],
    physical_id: str,
    state: Mapping[str, Any] | None = None,
    *,
    retry_after: int = POLL_SECONDS,
) -> Outcome:
    """``step()`` of a wait across polls, or (after a connection error, a 5xx or a 429 the client's own
    retries did not get past) another poll with the same ``state`` instead of failing the operation.
    """
    try:
        outcome = step()
    except ApiConnectionError as error:
        reason = error.reason
    except ApiError as error:
        if error.status < 500 and error.status != 429:
            raise
        reason = f"HTTP {error.status}"
    else:
        return outcome
    logger.warning("Capella did not answer; trying again at the next poll", extra={"error": reason})
    return InProgress(physical_id, state or {"op": "deploy"}, retry_after=retry_after)
