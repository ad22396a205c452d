"""How an asynchronous CloudBasic job's status text reads: ``Success``, ``Failed`` or still ``Running``.

Only ``Running`` and ``Success`` are documented; a failure's spelling is not. Anything that reads as a
failure (``Failed``, ``Error``, ``Cancelled``, in any case) ends a wait as failed; any other unknown value
is taken as still running, so that the wait's own deadline decides.
"""

from __future__ import annotations

RUNNING, SUCCESS, FAILED = "Running", "Success", "Failed"
SUCCESS_VALUES = frozenset({"success", "succeeded", "completed"})
FAILURE_VALUES = frozenset({"failed", "failure", "error", "cancelled", "canceled", "aborted"})


def outcome(value: str | None) -> str:
    """``SUCCESS``, ``FAILED`` or ``RUNNING`` for a status text such as ReplicationStatus's seeding status."""
    text = (value or "").strip().lower()
    if text in SUCCESS_VALUES:
        return SUCCESS
    if text in FAILURE_VALUES:
        return FAILED
    return RUNNING
