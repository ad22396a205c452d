"""A create whose outcome is unknown, looked up at later polls instead of being reported as failed.

The APIs behind the provider take no idempotency key for these creates. When a create call times out,
loses its connection after the request may have gone out (``ApiConnectionError.sent``), answers a 5xx
other than 503, or answers 2xx with a body that cannot be read, the object may exist (or appear a moment
later) without the provider knowing its id. Failing then would give CloudFormation a placeholder id, its
rollback Delete would remove nothing and the object would be orphaned. Instead the resource type returns
``PendingCreate.in_progress`` and, at each poll, ``PendingCreate.verify`` runs the type's ``find``
(given the pending create, the id of the object the create made, or ``None``):

- found: its id is adopted (the type notes it and carries on), unless another stack owns it;
- absent: looked up again at the next poll, until absence is conclusive, which needs ``lookups_needed``
  look-ups and, from when the call gave up, as long again as the call had been outstanding (a server
  that had not answered after N seconds is given N more). Then ``CreateNotCarriedOut``;
- a look-up that fails with a connection error, a 5xx, a 429 or an unreadable body is tried again at the
  next poll (the resource's ``ServiceTimeout`` bounds the whole wait); any other 4xx fails.

The same state is what a type's ``ResourceType.in_flight`` returns before the call (``PendingCreate.
before_call``): should the invocation die during the call, the runtime hands it to ``poll`` and the
same look-up answers. A refused connection, a 429 or a 503 (the transport's "not processed" answers)
and any other 4xx are clear refusals: nothing was created and they fail at once.

A type whose list tells no creation time keeps a before-list (``BEFORE_KEY``: the ids of the objects of
that name already there, read by ``listed_before`` in ``ResourceType.in_flight``), so that its look-up
adopts only an object that was not there before the call (``PendingCreate.existed``). A before-list that
cannot be read fails the request before the create is sent (``BeforeListUnavailable``): without it, a
create cut off by the invocation's death could be answered by adopting an object someone else made.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import msgspec
from msgspec.structs import replace

from cbprovider.errors import (
    ApiConnectionError,
    ApiError,
    DeadlineExceeded,
    ProviderError,
    ResponseFormatError,
)
from cbprovider.runtime import InProgress
from cbprovider.runtime.log import logger

VERIFY_KEY = "verify"
"""The poll state key that marks a pending create (its value is the name looked for, if any)."""
CREATED_SKEW = 60
"""Seconds an object's creation time may lie before the create was sent (clocks differ) and still match."""
VERIFY_POLL_SECONDS = 60
VERIFY_LOOKUPS = 2
NOT_PROCESSED = frozenset({429, 503})
"""Statuses that say the server did not act (the transport retries them even for a create)."""
IN_FLIGHT_CAUSE = "was in flight when its invocation ended"
BEFORE_KEY = "before"
"""The pending state's list of the ids of the objects of that name that existed before the call."""
_STATE_KEYS = frozenset({VERIFY_KEY, "since", "settleAt", "cause", "lookups"})


class CreateNotCarriedOut(ProviderError):
    """A create whose answer was lost or unreadable did not take effect: the object never appeared."""


class CreateAmbiguous(ProviderError):
    """Several objects of the name appeared while a create's outcome was unknown."""


class BeforeListUnavailable(ProviderError):
    """The objects that exist already could not be listed before a create: the create is not sent."""


def listed_before(list_ids: Callable[[], Iterable[str]], *, what: str) -> list[str]:
    """The ids ``list_ids`` reads (sorted, each once): the before-list of a create about to be sent.

    ``BeforeListUnavailable`` (naming ``what``, e.g. ``the buckets of cluster X``) if the read fails in
    any way the API clients report: the request then fails before anything is created.
    """
    try:
        return sorted(set(list_ids()))
    except (ApiConnectionError, ApiError, ResponseFormatError, DeadlineExceeded) as error:
        raise BeforeListUnavailable(
            f"{what} could not be listed before the create, which was therefore not sent (nothing was "
            f"created; try again): {error}"
        ) from None


def outcome_unknown(error: BaseException) -> bool:
    """Whether a create call that raised ``error`` may nevertheless have been carried out."""
    if isinstance(error, ApiConnectionError):
        return error.sent
    if isinstance(error, ApiError):
        return error.status >= 500 and error.status not in NOT_PROCESSED
    return isinstance(error, ResponseFormatError | DeadlineExceeded)


def _cause(error: BaseException) -> str:
    """What happened to the create call, in a few words (kept in the poll state, shown in a reason)."""
    if isinstance(error, ApiConnectionError):
        return f"got no answer ({error.reason})"[:120]
    if isinstance(error, ApiError):
        return f"answered HTTP {error.status}"
    if isinstance(error, ResponseFormatError):
        return "answered with an unreadable body"
    return "ran out of time"


def epoch_of(text: str) -> float | None:
    """Epoch seconds of an ISO 8601 time (``2024-01-02T03:04:05.678Z``); ``None`` if unreadable."""
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.timestamp() if when.tzinfo is not None else None


LOOKUP_ERRORS = (ApiConnectionError, ApiError, ResponseFormatError)
"""What a look-up may raise; ``transient`` tells a failure that proves nothing from one that must fail.
(A type that looks once right after its call gave up calls its look-up itself and catches these.)"""


def transient(error: Exception) -> str | None:
    """Why a look-up that raised ``error`` proves nothing (try again later); ``None``: it must fail."""
    if isinstance(error, ApiConnectionError):
        return error.reason
    if isinstance(error, ResponseFormatError):
        return "unreadable answer"
    if isinstance(error, ApiError) and (error.status >= 500 or error.status == 429):
        return f"HTTP {error.status}"
    return None


Find = Callable[["PendingCreate"], str | None]
"""A type's look-up: the id of the object the pending create made, or ``None`` if there is none yet."""


class PendingCreate(msgspec.Struct, frozen=True):
    """The small state of a create being verified (``to_state``/``from_state`` round-trip it)."""

    name: str
    """What the object is looked up by (its name, its CIDR; empty when the type's look-up needs none)."""
    since: float
    """Epoch seconds just before the create call was sent."""
    settle_at: float
    """Epoch seconds before which an absent object proves nothing."""
    cause: str
    lookups: int = 0
    """Look-ups so far that answered and did not find the object."""
    extra: Mapping[str, Any] = msgspec.field(default_factory=dict)
    """The type's own state beside it (kept across polls; small and JSON-serialisable)."""

    @classmethod
    def after(
        cls, error: BaseException, *, name: str, since: float, extra: Mapping[str, Any] | None = None
    ) -> PendingCreate:
        """The state for a create sent at ``since`` that just ended in ``error``."""
        now = time.time()
        logger.warning(
            "The create's outcome is unknown: looking for the object",
            extra={"error": type(error).__name__, "object_name": name},
        )
        return cls(
            name=name,
            since=since,
            settle_at=now + max(0.0, now - since),
            cause=_cause(error),
            extra=dict(extra or {}),
        )

    @classmethod
    def before_call(cls, *, name: str, extra: Mapping[str, Any] | None = None) -> PendingCreate:
        """The in-flight create of a call about to be sent (``ResourceType.in_flight``): what the look-up
        needs should the invocation die before the call's outcome is known."""
        now = time.time()
        return cls(name=name, since=now, settle_at=now, cause=IN_FLIGHT_CAUSE, extra=dict(extra or {}))

    def to_state(self) -> dict[str, Any]:
        return {
            **self.extra,
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
            extra={k: v for k, v in state.items() if k not in _STATE_KEYS},
        )

    @staticmethod
    def before_in(in_flight: Mapping[str, Any] | None) -> dict[str, Any]:
        """The before-list of a request's in-flight record (``Request.in_flight``), as ``extra`` for
        ``after`` (empty without one: the look-up then adopts any object of the name, as it did before
        before-lists were kept)."""
        kept = PendingCreate.from_state(in_flight) if in_flight else None
        if kept is None or BEFORE_KEY not in kept.extra:
            return {}
        return {BEFORE_KEY: list(kept.extra[BEFORE_KEY])}

    def existed(self, object_id: str) -> bool:
        """Whether ``object_id`` was there before the call (in the before-list): it is never adopted."""
        return object_id in {str(before) for before in self.extra.get(BEFORE_KEY, ())}

    def in_progress(self, physical_id: str) -> InProgress:
        """Look again at the next poll; ``physical_id`` is what a failure meanwhile reports."""
        return InProgress(physical_id, self.to_state(), retry_after=VERIFY_POLL_SECONDS)

    def verify(
        self,
        find: Find,
        *,
        physical_id: str,
        foreign: Callable[[str], bool],
        call: str,
        sought: str,
        advice: str = "",
        lookups_needed: int = VERIFY_LOOKUPS,
    ) -> str | InProgress:
        """One look-up by ``find``: the id found, or ``InProgress`` (same ``physical_id``) to look again;
        ``CreateNotCarriedOut`` once absence is conclusive (``call`` ``cause``, and no ``sought`` appeared).
        An object that ``foreign`` says belongs to another stack is never adopted: it counts as not found.
        """
        try:
            found = find(self)
        except LOOKUP_ERRORS as error:
            why = transient(error)
            if why is None:
                raise
            logger.warning("The look-up failed; trying again at the next poll", extra={"error": why})
            return self.in_progress(physical_id)
        if found is not None and foreign(found):
            logger.warning(
                "The object found belongs to another stack: not adopted", extra={"physical_id": found}
            )
            found = None
        if found is not None:
            logger.info("The create had been carried out: adopting the object", extra={"physical_id": found})
            return found
        looked = replace(self, lookups=self.lookups + 1)
        now = time.time()
        if looked.lookups >= lookups_needed and now >= looked.settle_at:
            raise CreateNotCarriedOut(
                f"{call} {looked.cause}, and no {sought} appeared in {looked.lookups} look-ups over "
                f"{int(now - looked.since)} s: the create did not take effect{advice}"
            )
        return looked.in_progress(physical_id)


def verify_named(
    pending: PendingCreate, find: Find, *, what: str, physical_id: str, foreign: Callable[[str], bool]
) -> str | InProgress:
    """``pending.verify`` for an object looked up by its name (``what``: ``cluster``, ``project``...)."""
    before = len(pending.extra.get(BEFORE_KEY, ()))
    return pending.verify(
        find,
        physical_id=physical_id,
        foreign=foreign,
        call=f"the {what} create call",
        sought=f"{what} named {pending.name!r}" + (" besides those there before the call" if before else ""),
    )


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
