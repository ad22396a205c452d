"""Run one check per item on a bounded thread pool, within a deadline.

Items whose turn comes after the deadline are not started (``Outcome.skipped``). An item still running
when the deadline (plus a short grace for it to report its own timeout) has passed is given up on
(``Outcome.timed_out``); its worker thread ends by itself because the checks pass the same deadline to
their HTTP calls. One failing item never affects the others.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Sequence

import msgspec

from cbprovider.deadline import Deadline

DEFAULT_GRACE = 0.5
"""Seconds to wait past the deadline for checks in flight to return their own timeout error."""


class Outcome[T, R](msgspec.Struct, frozen=True):
    item: T
    result: R | None = None
    error: Exception | None = None
    skipped: bool = False
    """Not started: the deadline had passed before its turn."""
    timed_out: bool = False
    """Started but still running when the run gave up waiting."""


class _NotStarted(Exception):
    """Raised inside a worker when an item's turn comes after the deadline."""


def run_bounded[T, R](
    items: Sequence[T],
    check: Callable[[T], R],
    *,
    concurrency: int,
    deadline: Deadline,
    grace: float = DEFAULT_GRACE,
) -> list[Outcome[T, R]]:
    """``check(item)`` for every item, at most ``concurrency`` at a time; outcomes in item order."""
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    if not items:
        return []

    def guarded(item: T) -> R:
        if deadline.expired():
            raise _NotStarted
        return check(item)

    executor = concurrent.futures.ThreadPoolExecutor(
        max_workers=min(concurrency, len(items)), thread_name_prefix="monitor"
    )
    try:
        futures = [executor.submit(guarded, item) for item in items]
        concurrent.futures.wait(futures, timeout=deadline.remaining() + grace)
        return [_outcome(item, future) for item, future in zip(items, futures, strict=True)]
    finally:
        executor.shutdown(wait=False, cancel_futures=True)


def _outcome[T, R](item: T, future: concurrent.futures.Future[R]) -> Outcome[T, R]:
    if not future.done():
        if future.cancel():
            return Outcome(item, skipped=True)
        return Outcome(item, timed_out=True)
    error = future.exception()
    if isinstance(error, _NotStarted):
        return Outcome(item, skipped=True)
    if error is None:
        return Outcome(item, result=future.result())
    if isinstance(error, Exception):
        return Outcome(item, error=error)
    raise error
