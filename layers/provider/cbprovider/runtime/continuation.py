"""What an operation that goes on is continued with: the next ``PollState``, or ``ServiceTimeout``.

Pure values: ``finish.Finish`` saves and schedules them (it keeps the in-flight record), except for
``looked_up``, the backstop's hand-over of a create in flight, which schedules its own poll.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import msgspec

from cbprovider.errors import ProviderError
from cbprovider.runtime.handover import scheduled
from cbprovider.runtime.invocation import Invocation
from cbprovider.runtime.log import logger
from cbprovider.runtime.polling import Poller, PollState, poll_minutes, state_key
from cbprovider.runtime.resource import InProgress, Phase, Request
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
    return msgspec.structs.replace(
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


def looked_up(
    poller: Poller, inv: Invocation, request: Request[Any], in_flight: Mapping[str, Any], physical_id: str
) -> PollState | None:
    """A create in flight, about to be cut off by the Lambda deadline, handed over to the type's
    look-up: ``in_flight`` saved as its poll state and the rule scheduled (``None`` if it cannot be)."""
    service_seconds = time.time() - inv.started_at + request.service_deadline.remaining()
    poll = first_poll(inv, "create", physical_id, InProgress(physical_id, in_flight), service_seconds)
    if not scheduled(poller, poll, inv.context.invoked_function_arn):
        return None
    logger.warning("The function is about to time out during a create: its look-up answers")
    return poll
