"""Depth checks that cannot themselves run out of stack (iterative), for parsed answers and properties."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_ANSWER_DEPTH = 64
"""No documented answer of either API nests anywhere near this deep."""


def deeper_than(value: Any, limit: int) -> bool:
    """True when dicts and lists in ``value`` nest more than ``limit`` levels deep."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, Mapping):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list | tuple):
            stack.extend((v, depth + 1) for v in item)
    return False
