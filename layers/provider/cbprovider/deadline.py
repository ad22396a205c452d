"""A point in monotonic time that retries and waits must not pass."""

from __future__ import annotations

import time

import msgspec


class Deadline(msgspec.Struct, frozen=True):
    """An absolute point on the monotonic clock; ``Deadline.never()`` has no limit."""

    at: float | None

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds)

    @classmethod
    def never(cls) -> Deadline:
        return cls(None)

    def remaining(self) -> float:
        """Seconds left (``inf`` for no limit, never negative)."""
        if self.at is None:
            return float("inf")
        return max(0.0, self.at - time.monotonic())

    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def sooner(self, other: Deadline | None) -> Deadline:
        """Whichever of this deadline and ``other`` comes first (``None`` is no limit)."""
        if other is None or other.at is None:
            return self
        if self.at is None:
            return other
        return self if self.at <= other.at else other

    def earlier(self, seconds: float) -> Deadline:
        """This deadline, or one ``seconds`` from now if that comes first."""
        other = time.monotonic() + seconds
        return Deadline(other if self.at is None else min(self.at, other))
