"""The time margins of the runtime (overridable for tests and unusual functions)."""

from __future__ import annotations

import os

import msgspec


def _inline_poll_interval() -> float:
    return float(os.environ.get("CFN_PROVIDER_INLINE_POLL_SECONDS", "5"))


class Timing(msgspec.Struct, frozen=True):
    backstop_reserve: float = 5.0
    """Seconds before the Lambda deadline at which the backstop sends FAILED if nothing was sent."""
    work_reserve: float = 3.0
    """Further seconds kept free before the backstop: ``Request.deadline`` ends this much earlier."""
    send_reserve: float = 0.5
    """The response PUT gives up this long before the Lambda deadline."""
    response_attempts: int = 5
    response_base_delay: float = 0.5
    response_max_delay: float = 4.0
    response_timeout: float = 10.0
    """Socket timeout of one response PUT."""
    inline_poll_interval: float = msgspec.field(default_factory=_inline_poll_interval)
    """Seconds between the polls of a long operation inside the invocation that started it (0: none,
    hand over to a rule at once; environment ``CFN_PROVIDER_INLINE_POLL_SECONDS``)."""
    inline_poll_margin: float = 10.0
    """In-process polling stops when less than this (plus one interval) is left of ``Request.deadline``:
    the rest of the invocation sets up the rule."""
    max_service_timeout: int = 3600
    """Upper bound (and default) of a long operation, as CloudFormation's ServiceTimeout."""
    service_margin: float = 120.0
    """The polling deadline ends this long before the ServiceTimeout (room for the last poll to answer)."""
    idempotency_expiry: int = 2 * 3600
    """How long a finished request is remembered (a late duplicate within it sends nothing)."""
    confirm_delays: tuple[float, ...] = (1.0, 2.0)
    """Pauses before asking CloudFormation again when it does not (yet) confirm a request."""
