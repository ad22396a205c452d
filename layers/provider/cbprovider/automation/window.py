"""Which part of an endpoint's items one unit of a monitor run checks, and in which order.

A large endpoint is split into batches: batch ``offset``/``limit`` is a slice of its items sorted by id (the
last batch has no limit, so items added since the run was planned are still covered). Inside the slice the
check starts at ``cursor`` and wraps around: a check cut short by its deadline reports the rest as skipped,
and the next run starts where this one stopped (``next_cursor``), so the same tail is never starved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import msgspec

T = TypeVar("T")


class Window(msgspec.Struct, frozen=True):
    offset: int = 0
    limit: int | None = None
    cursor: int = 0

    def __post_init__(self) -> None:
        if self.offset < 0 or self.cursor < 0 or (self.limit is not None and self.limit < 1):
            raise ValueError(f"invalid window {self}")

    def select(self, items: Sequence[T], key: Callable[[T], str]) -> list[T]:
        """This window's items in check order: the slice of ``items`` sorted by ``key``, rotated to start
        at the cursor (taken modulo the slice's length, so a shrunken endpoint needs no reset)."""
        ordered = sorted(items, key=key)
        end = None if self.limit is None else self.offset + self.limit
        chosen = ordered[self.offset : end]
        if not chosen:
            return []
        start = self.cursor % len(chosen)
        return chosen[start:] + chosen[:start]

    def next_cursor(self, size: int, checked: int) -> int:
        """Where the next run starts in a slice of ``size`` items of which the first ``checked`` (in check
        order) were checked: right after them, or unchanged when everything was checked."""
        if size <= 0 or checked >= size:
            return self.cursor % size if size > 0 else 0
        return (self.cursor + checked) % size
