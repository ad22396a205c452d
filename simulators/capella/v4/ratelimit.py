"""A per-key request limit: at most ``limit`` requests in any ``window`` seconds, else 429 + Retry-After.

Couchbase publishes no figure; the simulator's limit is a parameter (off unless configured).
``Retry-After`` is the whole number of seconds until the oldest counted request leaves the window.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindow:
    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be at least 1 and window positive")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = {}

    def admit(self, key: str) -> int | None:
        """``None`` when the request may go ahead (it is counted), else the seconds to wait."""
        with self._lock:
            now = self._clock()
            seen = self._seen.setdefault(key, deque())
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) >= self.limit:
                return max(1, math.ceil(seen[0] + self.window - now))
            seen.append(now)
            return None
