"""Jobs whose status is computed from a monotonic clock at read time (never from a background thread)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


class Clock:
    """Monotonic time for progress, with the matching wall-clock time for timestamps in bodies."""

    def __init__(self) -> None:
        self._mono0 = time.monotonic()
        self._wall0 = datetime.now(UTC)

    def now(self) -> float:
        return time.monotonic()

    def wall(self, at: float | None = None) -> datetime:
        moment = self.now() if at is None else at
        return self._wall0 + timedelta(seconds=moment - self._mono0)


@dataclass
class TimedJob:
    """Runs from ``started`` for ``duration`` seconds, then ends in ``outcome`` (e.g. ``Success``)."""

    started: float
    duration: float
    outcome: str = "Success"

    @property
    def ends(self) -> float:
        return self.started + self.duration

    def running(self, now: float) -> bool:
        return now < self.ends

    def status(self, now: float) -> str:
        return "Running" if self.running(now) else self.outcome

    def percent(self, now: float) -> int:
        if not self.running(now) or self.duration <= 0:
            return 100
        return max(0, min(99, int((now - self.started) / self.duration * 100)))

    def progress(self, now: float) -> str:
        return f"{self.percent(now)}%"
