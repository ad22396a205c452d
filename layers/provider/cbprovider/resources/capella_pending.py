"""A Capella create whose outcome is unknown, checked at later polls instead of being reported as failed.

v3 has no idempotency keys, so when a create call times out, loses its connection after the request
went out, answers 500/502/504, or answers 2xx with a body that cannot be read, the object may exist
without the provider knowing its id. Reporting FAILED then would give CloudFormation a placeholder id,
its rollback Delete would remove nothing, and the object would be orphaned. Instead the resource type
returns ``PendingCreate.in_progress`` and, at each poll, ``verify`` looks the object up by name:

- found: its id is adopted (the type notes it and carries on);
- absent: looked up again at the next poll, until absence is conclusive, which needs ``VERIFY_LOOKUPS``
  look-ups and, from when the call gave up, as long again as the call had been outstanding (a server
  that had not answered after N seconds is given N more to finish). Then ``CreateNotCarriedOut``;
- a look-up that fails with a connection error, a 5xx or a 429 is tried again at the next poll (the
  resource's ``ServiceTimeout`` bounds the whole wait).

Deployed, polls are a minute apart, so absence is only concluded a minute or more after the create
(the Capella references give no processing time for a create; the API answers creates in seconds).
A refused connection, a 429 or a 503 (the transport's "not processed" answers) and any other 4xx are
clear refusals: nothing was created and they fail at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cbprovider.errors import (
    ApiConnectionError,
    ApiError,
    DeadlineExceeded,
    ProviderError,
    ResponseFormatError,
)
from cbprovider.runtime import InProgress, Outcome
from cbprovider.runtime.log import logger

VERIFY_KEY = "verify"
"""The poll state key that marks a pending create (its value is the name looked for)."""
CREATED_SKEW = 60
"""Seconds an object's creation time may lie before the create was sent (clocks differ) and still match."""
VERIFY_POLL_SECONDS = 60
VERIFY_LOOKUPS = 2
NOT_PROCESSED = frozenset({429, 503})
"""Statuses that say the server did not act (the transport retries them even for a create)."""


class CreateNotCarriedOut(ProviderError):
    """A create whose answer was lost or unreadable did not take effect: the object never appeared."""


class CreateAmbiguous(ProviderError):
    """Several objects of the name appeared while a create's outcome was unknown."""


def outcome_unknown(error: BaseException) -> bool:
    """Whether a create call that raised ``error`` may nevertheless have been carried out."""
    if isinstance(error, ApiConnectionError):
        return error.sent
    if isinstance(error, ApiError):
        return error.status >= 500 and error.status not in NOT_PROCESSED
    return isinstance(error, ResponseFormatError | DeadlineExceeded)


def epoch_of(text: str) -> float | None:
    """Epoch seconds of a Capella ISO 8601 time (``2024-01-02T03:04:05.678Z``); ``None`` if unreadable."""
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.timestamp() if when.tzinfo is not None else None


def _cause(error: BaseException) -> str:
    """What happened to the create call, in a few words (kept in the poll state, shown in a reason)."""
    if isinstance(error, ApiConnectionError):
        return f"got no answer ({error.reason})"[:120]
    if isinstance(error, ApiError):
        return f"answered HTTP {error.status}"
    if isinstance(error, ResponseFormatError):
        return "answered with an unreadable body"
    return "ran out of time"


@dataclass(frozen=True)
class PendingCreate:
    """The small state of a create being verified (``to_state``/``from_state`` round-trip it)."""

    name: str
    """The name the object is looked up by."""
    since: float
    """Epoch seconds just before the create call was sent."""
    settle_at: float
    """Epoch seconds before which an absent object proves nothing."""
    cause: str
    lookups: int = 0
    """Look-ups so far that answered and did not find the object."""

    @classmethod
    def after(cls, error: BaseException, *, name: str, since: float) -> PendingCreate:
        """The state for a create sent at ``since`` that just ended in ``error``."""
        now = time.time()
        logger.warning(
            "The create's outcome is unknown: looking for the object at the next poll",
            extra={"error": type(error).__name__, "object_name": name},
        )
        return cls(name=name, since=since, settle_at=now + max(0.0, now - since), cause=_cause(error))

    def to_state(self) -> dict[str, Any]:
        return {
            VERIFY_KEY: self.name,
            "since": round(self.since, 3),
            "settleAt": round(self.settle_at, 3),
            "cause": self.cause,
            "lookups": self.lookups,
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> PendingCreate | None:
        """The pending create in a poll state, or ``None`` for a state of another operation."""
        if VERIFY_KEY not in state:
            return None
        return cls(
            name=str(state[VERIFY_KEY]),
            since=float(state.get("since", 0.0)),
            settle_at=float(state.get("settleAt", 0.0)),
            cause=str(state.get("cause", "")),
            lookups=int(state.get("lookups", 0)),
        )

    def in_progress(self, physical_id: str, **extra: Any) -> InProgress:
        """Look again at the next poll; ``physical_id`` is what a failure meanwhile reports."""
        return InProgress(physical_id, {**self.to_state(), **extra}, retry_after=VERIFY_POLL_SECONDS)


def verify(
    pending: PendingCreate,
    find: Callable[[], str | None],
    *,
    what: str,
    physical_id: str,
    foreign: Callable[[str], bool],
    extra: Mapping[str, Any] | None = None,
) -> str | InProgress:
    """One look-up by ``find`` (the id of the object, or ``None``): the id found, or ``InProgress`` (same
    ``physical_id`` and ``extra`` state) to look again; ``CreateNotCarriedOut`` once absence is conclusive.
    An object that ``foreign`` says belongs to another stack is never adopted: it counts as not found.
    """
    state = dict(extra or {})
    try:
        found = find()
    except ApiConnectionError as error:
        logger.warning("The look-up failed; trying again at the next poll", extra={"error": error.reason})
        return pending.in_progress(physical_id, **state)
    except ApiError as error:
        if error.status < 500 and error.status != 429:
            raise
        logger.warning("The look-up failed; trying again at the next poll", extra={"status": error.status})
        return pending.in_progress(physical_id, **state)
    if found is not None and foreign(found):
        logger.warning("The object found belongs to another stack: not adopted", extra={"physical_id": found})
        found = None
    if found is not None:
        logger.info("The create had been carried out: adopting the object", extra={"physical_id": found})
        return found
    looked = replace(pending, lookups=pending.lookups + 1)
    now = time.time()
    if looked.lookups >= VERIFY_LOOKUPS and now >= looked.settle_at:
        raise CreateNotCarriedOut(
            f"the {what} create call {looked.cause}, and no {what} named {looked.name!r} appeared in "
            f"{looked.lookups} look-ups over {int(now - looked.since)} s: the create did not take effect"
        )
    return looked.in_progress(physical_id, **state)


def created_since(
    candidates: Iterable[tuple[str, str, str]],
    pending: PendingCreate,
    *,
    what: str,
    ambiguous: type[ProviderError] = CreateAmbiguous,
) -> str | None:
    """The id of the one ``(name, id, created_at)`` named ``pending.name`` and created since the call was
    sent (less ``CREATED_SKEW``), if any; ``ambiguous`` when there are several, since adopting the
    wrong one would let the stack delete an object it never made.
    """
    earliest = pending.since - CREATED_SKEW
    found = []
    for name, object_id, created_at in candidates:
        created = epoch_of(created_at)
        if name == pending.name and created is not None and created >= earliest:
            found.append(object_id)
    if len(found) > 1:
        raise ambiguous(
            f"Name: the {what} create {pending.cause}, and {len(found)} {what}s named {pending.name!r} "
            f"appeared since ({', '.join(found)}); none is adopted, since this stack cannot tell which "
            "one it made. Delete the one it made, or choose a unique Name"
        )
    return found[0] if found else None


def tolerant(
    step: Callable[[], Outcome],
    physical_id: str,
    state: Mapping[str, Any] | None = None,
    *,
    retry_after: int = VERIFY_POLL_SECONDS,
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
