"""Waiting for an asynchronous cluster operation to settle, bounded by a ``Deadline``.

``read`` returns the current status, or ``None`` once the object is gone (HTTP 404). A poll that fails
with a connection error or a 5xx (after the transport's own retries) does not end the wait: the status
is read again on the next round until the deadline. Any other API error ends the wait at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection

import msgspec

from cbprovider.capella.errors import ClusterFailedError
from cbprovider.deadline import Deadline
from cbprovider.errors import ApiConnectionError, ApiError, DeadlineExceeded

logger = logging.getLogger(__name__)

GONE = "gone"
"""What ``wait_for`` reports (and its ``target`` when waiting for deletion) once the object is gone."""


class StatusWait(msgspec.Struct, frozen=True):
    cluster_id: str
    target: str
    """A status to reach, or ``GONE`` for "until it answers 404"."""
    failure_states: Collection[str]
    deadline: Deadline
    interval: float
    also_done: Collection[str] = frozenset()
    """Other statuses that end the wait without an error (v4: ``degraded`` next to ``healthy``)."""

    def __post_init__(self) -> None:
        if self.interval <= 0:
            raise ValueError("the poll interval must be positive")


def wait_for(
    wait: StatusWait,
    read: Callable[[Deadline], str | None],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Poll ``read`` until ``wait.target`` is reached; return that status.

    Raises ``ClusterFailedError`` on a failure state and ``DeadlineExceeded`` (naming the last status
    seen) when the deadline passes first.
    """
    last = "not read yet"
    while not wait.deadline.expired():
        try:
            status = read(wait.deadline)
        except ApiConnectionError as exc:
            last = f"unknown ({exc.reason})"
        except ApiError as exc:
            if exc.status < 500:
                raise
            last = f"unknown (HTTP {exc.status})"
        else:
            last = GONE if status is None else status
            if last == wait.target or last in wait.also_done:
                return last
            if last in wait.failure_states:
                raise ClusterFailedError(cluster_id=wait.cluster_id, status=last, target=wait.target)
        logger.info("Capella cluster %s is %s, waiting for %s", wait.cluster_id, last, wait.target)
        pause = min(wait.interval, wait.deadline.remaining())
        if pause <= 0:
            break
        sleep(pause)
    raise DeadlineExceeded(
        f"Capella cluster {wait.cluster_id} did not reach {wait.target!r} before the deadline; "
        f"last status: {last}"
    )
