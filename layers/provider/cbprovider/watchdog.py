"""One thread that calls functions at their deadlines, for every HTTP attempt of the process.

Each attempt needs something to act when its wall-clock deadline passes while a read is blocked (see
``bounded_http``). A ``threading.Timer`` per attempt starts and ends an OS thread per API call: in a
monitoring pass of a thousand calls that is a thousand threads, CPU the pass spends on nothing. Here one
daemon thread, started on first use, waits for the earliest of the pending deadlines; ``arm`` adds one and
returns an ``Alarm`` whose ``cancel`` withdraws it. Cancelled alarms are dropped lazily, and all at once
when they outnumber the live ones (attempts end long before their deadlines, so most alarms are cancelled).

A fired function runs on the watchdog thread: it must be quick and must not raise (``Watch._fire`` only
shuts a socket down).
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable

__all__ = ["Alarm", "arm"]


class Alarm:
    """A pending call of ``action`` at ``due`` (``time.monotonic()``), until cancelled."""

    __slots__ = ("action", "cancelled", "due")

    def __init__(self, due: float, action: Callable[[], None]) -> None:
        self.due = due
        self.action = action
        self.cancelled = False

    def cancel(self) -> None:
        _watchdog.cancel(self)


class _Watchdog:
    def __init__(self) -> None:
        self._wakeup = threading.Condition(threading.Lock())
        self._pending: list[tuple[float, int, Alarm]] = []
        self._order = itertools.count()
        self._cancelled = 0
        self._thread: threading.Thread | None = None

    def arm(self, seconds: float, action: Callable[[], None]) -> Alarm:
        alarm = Alarm(time.monotonic() + seconds, action)
        with self._wakeup:
            earliest = self._pending[0][0] if self._pending else float("inf")
            heapq.heappush(self._pending, (alarm.due, next(self._order), alarm))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="cbprovider-watchdog", daemon=True)
                self._thread.start()
            elif alarm.due < earliest:
                self._wakeup.notify()
        return alarm

    def cancel(self, alarm: Alarm) -> None:
        with self._wakeup:
            if alarm.cancelled:
                return
            alarm.cancelled = True
            self._cancelled += 1
            if self._cancelled * 2 > len(self._pending):
                self._pending = [entry for entry in self._pending if not entry[2].cancelled]
                heapq.heapify(self._pending)
                self._cancelled = 0

    def _next_due(self) -> Alarm:
        """Block until an alarm is due; take it off the heap (held: ``self._wakeup``)."""
        while True:
            while self._pending and self._pending[0][2].cancelled:
                heapq.heappop(self._pending)
                self._cancelled -= 1
            if not self._pending:
                self._wakeup.wait()
                continue
            wait = self._pending[0][0] - time.monotonic()
            if wait > 0:
                self._wakeup.wait(wait)
                continue
            alarm = heapq.heappop(self._pending)[2]
            alarm.cancelled = True  # fired: a later cancel() is a no-op
            return alarm

    def _run(self) -> None:
        while True:
            with self._wakeup:
                alarm = self._next_due()
            alarm.action()


_watchdog = _Watchdog()


def arm(seconds: float, action: Callable[[], None]) -> Alarm:
    """Call ``action`` on the watchdog thread in ``seconds`` unless the returned alarm is cancelled first."""
    return _watchdog.arm(seconds, action)
