"""One API client per worker thread and key.

A client holds one keep-alive HTTP session; sharing it between many threads would overflow its
connection pool (connections beyond ten are opened and thrown away) and a session is not documented as
thread-safe. Each worker thread therefore gets its own client per endpoint, and all are closed together.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self


class Closable(Protocol):
    def close(self) -> None: ...


class ThreadClients[C: Closable]:
    def __init__(self, factory: Callable[[str], C]) -> None:
        self._factory = factory
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[C] = []

    def get(self, key: str) -> C:
        """This thread's client for ``key`` (made on first use)."""
        mine: dict[str, C] | None = getattr(self._local, "clients", None)
        if mine is None:
            mine = {}
            self._local.clients = mine
        client = mine.get(key)
        if client is None:
            client = self._factory(key)
            mine[key] = client
            with self._lock:
                self._all.append(client)
        return client

    def close(self) -> None:
        with self._lock:
            clients, self._all = self._all, []
        for client in clients:
            client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
