"""A CreateReplication whose outcome is unknown, looked up at later polls instead of failing at once.

CreateReplication has no idempotency token. When the call times out (the invocation's work deadline
ends it while the appliance goes on), its connection drops after the request went out, it answers a 5xx
other than 503, or it answers 2xx with a body that cannot be read, the job may exist (or appear a
moment later) without the provider knowing its id. Failing then would give CloudFormation a placeholder
id, its rollback Delete would remove nothing and the job would be orphaned. Instead the replication
type returns ``PendingReplication.in_progress`` under the placeholder id (a Delete of it touches
nothing) and looks at GetReplicationsList at each poll for a job from the same source to the same
destination that was not there before the create:

- one such job: adopted (noted, then the create carries on as usual: switches, ``WaitFor: Seeded``);
- several: ``CreateOutcomeUnknown`` (none can be told to be this stack's);
- none: looked up again at the next poll until absence is conclusive: ``VERIFY_LOOKUPS`` look-ups and,
  from when the call gave up, as long again as it had been outstanding (an appliance that had not
  answered after N seconds is given N more). Then ``CreateNotCarriedOut``;
- a look-up that fails with a connection error, a 5xx, a 429 or an unreadable body is tried again at
  the next poll (the resource's ``ServiceTimeout`` bounds the whole wait).

Only the ids of the jobs that already ran from this source to this destination are kept (not the whole
job list), so the poll state stays small however many jobs the appliance has. A refused connection,
a request never sent, a 429 or a 503 (the transport's "not processed" answers) and every 4xx are clear
refusals: nothing was created and they fail at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from cbprovider.errors import (
    ApiConnectionError,
    ApiError,
    DeadlineExceeded,
    ProviderError,
    ResponseFormatError,
)
from cbprovider.resources.replication_endpoints import identity_of
from cbprovider.runtime import InProgress
from cbprovider.runtime.log import logger

if TYPE_CHECKING:
    from cbprovider.cloudbasic import CloudBasicClient, ReplicationSummary

VERIFY_KEY = "verify"
"""The poll state key that marks a create being verified."""
VERIFY_POLL_SECONDS = 60
VERIFY_LOOKUPS = 3
NOT_PROCESSED = frozenset({429, 503})
"""Statuses that say the appliance did not act (the transport repeats them even for a create)."""

Identity = tuple[str, str]
"""A normalised server and a lower-case database (``ResolvedEndpoint.identity``)."""


@dataclass(frozen=True)
class Lookup:
    """One look at GetReplicationsList for the new job."""

    answered: bool
    """False when the list could not be read (a transient failure: it proves nothing)."""
    found: str | None = None


class CreateNotCarriedOut(ProviderError):
    """A CreateReplication whose answer was lost did not take effect: no new job appeared."""


class CreateOutcomeUnknown(ProviderError):
    """A CreateReplication's answer was lost and its job cannot be told apart from others."""


def outcome_unknown(error: BaseException) -> bool:
    """Whether a CreateReplication that raised ``error`` may nevertheless have been carried out."""
    if isinstance(error, ApiConnectionError):
        return error.sent
    if isinstance(error, ApiError):
        return error.status >= 500 and error.status not in NOT_PROCESSED
    return isinstance(error, ResponseFormatError | DeadlineExceeded)


def _cause(error: BaseException) -> str:
    """What happened to the create call, in a few words (kept in the state, shown in a reason)."""
    if isinstance(error, ApiConnectionError):
        return f"got no answer ({error.reason})"[:120]
    if isinstance(error, ApiError):
        return f"answered HTTP {error.status}"
    if isinstance(error, ResponseFormatError):
        return "answered with an unreadable body"
    return "ran out of time"


def matching(listed: Iterable[ReplicationSummary], source: Identity, destination: Identity) -> list[str]:
    """Ids (as listed) of the jobs from ``source`` to ``destination``."""
    wanted = (source, destination)
    return [
        r.replication_id
        for r in listed
        if r.replication_id and (identity_of(r.source or ""), identity_of(r.destination or "")) == wanted
    ]


@dataclass(frozen=True)
class PendingReplication:
    """The small state of a create being verified (``to_state``/``from_state`` round-trip it)."""

    source: Identity
    destination: Identity
    before: frozenset[str]
    """Lower-cased ids of the jobs from this source to this destination before the create."""
    since: float
    """Epoch seconds just before CreateReplication was sent."""
    settle_at: float
    """Epoch seconds before which an absent job proves nothing."""
    cause: str
    lookups: int = 0
    """Look-ups at polls that answered and found no new job."""

    @classmethod
    def after(
        cls,
        error: BaseException,
        *,
        source: Identity,
        destination: Identity,
        before: Iterable[str],
        since: float,
    ) -> PendingReplication:
        """The state for a create sent at ``since`` that just ended in ``error``."""
        now = time.time()
        logger.warning(
            "CreateReplication's outcome is unknown: looking for the new job",
            extra={"error": type(error).__name__},
        )
        return cls(
            source=source,
            destination=destination,
            before=frozenset(b.lower() for b in before),
            since=since,
            settle_at=now + max(0.0, now - since),
            cause=_cause(error),
        )

    def to_state(self) -> dict[str, Any]:
        return {
            VERIFY_KEY: {"source": list(self.source), "destination": list(self.destination)},
            "before": sorted(self.before),
            "since": round(self.since, 3),
            "settleAt": round(self.settle_at, 3),
            "cause": self.cause,
            "lookups": self.lookups,
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> PendingReplication | None:
        """The pending create in a poll state, or ``None`` for a seeding state."""
        verify = state.get(VERIFY_KEY)
        if not isinstance(verify, Mapping):
            return None
        source, destination = verify.get("source") or ["", ""], verify.get("destination") or ["", ""]
        return cls(
            source=(str(source[0]), str(source[1])),
            destination=(str(destination[0]), str(destination[1])),
            before=frozenset(str(b).lower() for b in state.get("before") or []),
            since=float(state.get("since", 0.0)),
            settle_at=float(state.get("settleAt", 0.0)),
            cause=str(state.get("cause", "")),
            lookups=int(state.get("lookups", 0)),
        )

    def in_progress(self, physical_id: str) -> InProgress:
        """Look again at the next poll; ``physical_id`` (the placeholder) is what a failure reports."""
        return InProgress(physical_id, self.to_state(), retry_after=VERIFY_POLL_SECONDS)

    def new_jobs(self, listed: Iterable[ReplicationSummary]) -> list[str]:
        """The jobs from this source to this destination that were not there before the create."""
        return [r for r in matching(listed, self.source, self.destination) if r.lower() not in self.before]

    def look(self, client: CloudBasicClient, foreign: Callable[[str], bool]) -> Lookup:
        """One look-up for the one new job. Several raise ``CreateOutcomeUnknown``; an ``ApiError`` that
        is not transient (a 4xx other than 429) is raised. Jobs that ``foreign`` says belong to another
        stack are never candidates (another stack may have made the same job meanwhile)."""
        try:
            listed = client.get_replications_list()
        except (ApiConnectionError, ResponseFormatError) as error:
            logger.warning("The look-up failed; trying again later", extra={"error": type(error).__name__})
            return Lookup(answered=False)
        except ApiError as error:
            if error.status < 500 and error.status != 429:
                raise
            logger.warning("The look-up failed; trying again later", extra={"status": error.status})
            return Lookup(answered=False)
        new = [job for job in self.new_jobs(listed) if not foreign(job)]
        if len(new) > 1:
            raise CreateOutcomeUnknown(
                f"CreateReplication {self.cause}, and {len(new)} new replications from {self.describe()} "
                f"appeared since ({', '.join(new)}); none is adopted, since this stack's cannot be told "
                "apart: delete the surplus ones with DeleteReplication"
            )
        return Lookup(answered=True, found=new[0] if new else None)

    def looked_again(self) -> PendingReplication:
        """This state after a poll's look-up that answered and found nothing; ``CreateNotCarriedOut``
        once absence is conclusive."""
        looked = replace(self, lookups=self.lookups + 1)
        now = time.time()
        if looked.lookups >= VERIFY_LOOKUPS and now >= looked.settle_at:
            raise CreateNotCarriedOut(
                f"CreateReplication {looked.cause}, and no new replication from {looked.describe()} "
                f"appeared in {looked.lookups} look-ups over {int(now - looked.since)} s: the create did "
                "not take effect; check GetReplicationsList on the appliance before retrying"
            )
        return looked

    def describe(self) -> str:
        """``source-server/db to replica-server/db`` (no credentials: identities only)."""
        return f"{'/'.join(self.source)} to {'/'.join(self.destination)}"
