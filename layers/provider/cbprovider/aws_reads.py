"""Values read from AWS and kept per container for a while: a secret's value, a registry entry.

A Lambda container serves many invocations; reading the same secret or SSM parameter on every one would
add a round trip (and a throttling risk) to each request. ``TimedCache`` keeps each value with the time it
was read, and a reader says how old a value it accepts (``max_age`` seconds; 0 reads again). ``client``
makes one boto3 client per service and region for the process, on first use (boto3 is imported then, so
a function that never reads does not load it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable
from typing import Any

_clients: dict[tuple[str, str | None], Any] = {}
_clients_lock = threading.Lock()


def client(service: str, region: str | None = None) -> Any:
    """The process's boto3 client for ``service`` (in ``region``, else the default region)."""
    with _clients_lock:
        made = _clients.get((service, region))
        if made is None:
            import boto3

            made = boto3.client(service, region_name=region) if region else boto3.client(service)
            _clients[(service, region)] = made
        return made


def forget_clients() -> None:
    """Drop the clients made so far (a test that moves to another AWS endpoint or credentials)."""
    with _clients_lock:
        _clients.clear()


class TimedCache[V]:
    """Values by key, each kept with the time it was read (thread-safe).

    The reader asks ``fresh`` and, when nothing fresh is kept, reads and ``keep``s the value itself: the
    cache is never handed a function to call back into the reader.
    """

    def __init__(self) -> None:
        self._entries: dict[Hashable, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def fresh(self, key: Hashable, max_age: float) -> V | None:
        """The value of ``key`` if it was kept less than ``max_age`` seconds ago, else ``None``."""
        with self._lock:
            kept = self._entries.get(key)
        if kept is not None and max_age > 0 and time.monotonic() - kept[0] < max_age:
            return kept[1]
        return None

    def keep(self, key: Hashable, value: V, read_at: float) -> None:
        """Keep ``value`` for ``key``, as read at ``read_at`` (``time.monotonic()`` before the read)."""
        with self._lock:
            self._entries[key] = (read_at, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
