"""Fault injection shared by the simulators.

A fault is registered under a key (a CloudBasic action name such as ``CreateReplication``, a Capella
route such as ``POST /v3/clusters``, or ``*`` for every request) and applies to the next ``times``
matching requests (``times=None``: until cleared).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


class UnknownFaultField(ValueError):
    """A fault given as JSON names a field ``Fault`` does not have (a typo that would never fire)."""


@dataclass
class Fault:
    status: int | None = None
    """Answer with this status instead of handling the request."""
    body: str | None = None
    """Body sent with ``status`` (default: the simulator's own error body for that status)."""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering (slowness; combine with nothing else for a slow success)."""
    malformed: bool = False
    """Answer 200 with a truncated, unparseable body."""
    drop: bool = False
    """Close the connection without sending anything."""
    answer: bytes | None = None
    """The call takes effect, and this body is answered instead of its real one (HTTP 200, ``headers``
    added): a gzip bomb, a body nested thousands deep."""
    drip: float = 0.0
    """The call takes effect, and its real answer (status line and headers too) is sent one byte every
    ``drip`` seconds, on a connection closed after it."""
    times: int | None = 1

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        unknown = sorted(k for k in data if k not in cls.__dataclass_fields__)
        if unknown:
            allowed = ", ".join(["key", *cls.__dataclass_fields__])
            raise UnknownFaultField(f"unknown fault field(s) {', '.join(unknown)} (known: {allowed})")
        try:
            return cls(**data)
        except TypeError as exc:
            raise UnknownFaultField(str(exc)) from None


class FaultInjector:
    """Thread-safe registry of pending faults, consumed as requests arrive."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, list[Fault]] = {}

    def add(self, key: str, fault: Fault | None = None, **kwargs: Any) -> Fault:
        """Register ``fault`` (or one built from ``kwargs``) for requests matching ``key``."""
        fault = fault or Fault(**kwargs)
        with self._lock:
            self._faults.setdefault(key, []).append(fault)
        return fault

    def fail_times(self, key: str, count: int, status: int = 503, **kwargs: Any) -> Fault:
        """The next ``count`` requests for ``key`` fail with ``status``; then they succeed."""
        return self.add(key, Fault(status=status, times=count, **kwargs))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, *keys: str) -> Fault | None:
        """The fault that applies to a request matching any of ``keys`` (consumes one use)."""
        with self._lock:
            for key in (*keys, "*"):
                queue = self._faults.get(key)
                while queue:
                    fault = queue[0]
                    if fault.times is None:
                        return fault
                    if fault.times > 0:
                        fault.times -= 1
                        if fault.times == 0:
                            queue.pop(0)
                        return fault
                    queue.pop(0)
        return None
