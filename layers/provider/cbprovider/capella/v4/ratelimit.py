"""Client-side pacing of v4 requests: a token bucket per API key, shared by every client in the process.

Couchbase publishes no request-rate figure for the Management API v4 (it answers 429 with
``Retry-After`` when a key goes too fast, and the transport honours that). Pacing ourselves below the
limit avoids most 429s when one Lambda invocation issues many calls (paging through lists, polling).
The default of ``DEFAULT_PER_MINUTE`` requests a minute with bursts of ``DEFAULT_BURST`` is an
assumption, configurable per client. Every attempt counts, retries included. Keys are remembered by a
SHA-256 digest, never in clear.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from typing import TypedDict

from cbprovider.deadline import Deadline
from cbprovider.errors import DeadlineExceeded

DEFAULT_PER_MINUTE = 100.0
DEFAULT_BURST = 10
RATE_ENV = "CAPELLA_REQUESTS_PER_MINUTE"
"""The operator's per-key request rate (requests a minute), read by the provider and the monitor."""


class Pacing(TypedDict, total=False):
    """Keyword arguments of ``CapellaV4Client`` that set its pace."""

    rate_per_minute: float
    burst: int


def pacing_from_environment(environ: Mapping[str, str]) -> Pacing:
    """``rate_per_minute`` and ``burst`` client arguments for ``RATE_ENV``; ``{}`` (the client's default)
    when it is unset, not a number or not positive."""
    text = environ.get(RATE_ENV, "").strip()
    try:
        rate = float(text) if text else 0.0
    except ValueError:
        rate = 0.0
    return Pacing(rate_per_minute=rate, burst=max(10, int(rate / 6))) if rate > 0 else Pacing()


class RateLimiter:
    """A thread-safe token bucket: ``per_minute`` tokens a minute, at most ``burst`` saved up.

    ``acquire`` reserves a token and sleeps (outside the lock) until it is due; callers that arrive
    together are served in turn. When the token would come after ``deadline`` nothing is reserved and
    ``DeadlineExceeded`` is raised.
    """

    def __init__(
        self,
        per_minute: float = DEFAULT_PER_MINUTE,
        burst: int = DEFAULT_BURST,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.per_minute = per_minute
        self.burst = burst
        self._rate = per_minute / 60.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = float(burst)
        self._updated = clock()

    def acquire(self, deadline: Deadline | None = None) -> float:
        """Take one token, waiting for it if need be; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            self._tokens = min(float(self.burst), self._tokens + (now - self._updated) * self._rate)
            self._updated = now
            wait = 0.0 if self._tokens >= 1.0 else (1.0 - self._tokens) / self._rate
            if deadline is not None and wait > deadline.remaining():
                raise DeadlineExceeded(
                    f"the request rate of {self.per_minute:g}/minute for this Capella API key leaves no "
                    f"slot before the deadline (next in {wait:.1f}s)"
                )
            self._tokens -= 1.0
        if wait > 0:
            self._sleep(wait)
        return wait


_shared: dict[tuple[str, float, int], RateLimiter] = {}
_shared_lock = threading.Lock()


def shared_limiter(
    token: str, per_minute: float = DEFAULT_PER_MINUTE, burst: int = DEFAULT_BURST
) -> RateLimiter:
    """The process-wide limiter of one API key (and rate), created on first use."""
    key = (hashlib.sha256(token.encode()).hexdigest(), float(per_minute), burst)
    with _shared_lock:
        limiter = _shared.get(key)
        if limiter is None:
            limiter = _shared[key] = RateLimiter(per_minute, burst)
        return limiter
