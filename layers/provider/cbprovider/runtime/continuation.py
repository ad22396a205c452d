"""What an operation that goes on is continued with: the next ``PollState``, or ``ServiceTimeout``.

Pure values: ``finish.Finish`` saves and schedules them (it keeps the in-flight record).
"""

from __future__ import annotations

import dataclasses
import time

from cbprovider.errors import ProviderError
from cbprovider.runtime.invocation import Invocation
from cbprovider.runtime.polling import PollState, poll_minutes, state_key
from cbprovider.runtime.resource import InProgress, Phase
from cbprovider.runtime.timing import Timing


class ServiceTimeout(ProviderError):
    """A long operation did not finish before its deadline."""


def first_poll(
    inv: Invocation, phase: Phase, physical_id: str, outcome: InProgress, service_seconds: float
) -> PollState:
    """The state of an operation handed over to a rule, deadline counted from this invocation's start."""
    deadline_at = inv.started_at + service_seconds
    return PollState(
        key=state_key(inv.digest),
        event=dict(inv.event),
        physical_id=physical_id,
        phase=phase,
        state=dict(outcome.state),
        attempt=1,
        started_at=inv.started_at,
        deadline_at=deadline_at,
        minutes=poll_minutes(outcome.retry_after, deadline_at - time.time()),
    )


def next_poll(poll: PollState, physical_id: str, outcome: InProgress) -> PollState:
    """The state after one more poll that found the operation still going on."""
    return dataclasses.replace(
        poll,
        physical_id=physical_id,
        state=dict(outcome.state),
        attempt=poll.attempt + 1,
        minutes=poll_minutes(outcome.retry_after, poll.deadline_at - time.time()),
    )


def check_in_time(poll: PollState, timing: Timing) -> None:
    """``ServiceTimeout`` once the operation's deadline has passed."""
    if time.time() < poll.deadline_at:
        return
    took = int(time.time() - poll.started_at)
    raise ServiceTimeout(
        f"{poll.event.get('ResourceType')} {poll.phase} of {poll.physical_id} did not finish within the "
        f"resource's time limit ({took} s elapsed; limit from ServiceTimeout, at most "
        f"{timing.max_service_timeout} s)"
    )
