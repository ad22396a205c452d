"""Printing answers: indented JSON (the default), or a plain table for lists (``--output table``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

OUTPUTS = ("json", "table")


def print_answer(value: Any, output: str = "json") -> None:
    print(render(value, output))


def render(value: Any, output: str = "json") -> str:
    if output == "table":
        rows = _rows(value)
        if rows is not None:
            return table(rows)
        if isinstance(value, Mapping):
            return table([{"field": k, "value": _cell(v)} for k, v in value.items()])
    return json.dumps(value, indent=2)


def _rows(value: Any) -> list[Mapping[str, Any]] | None:
    """The list to tabulate: the value itself, or the one list of objects inside an object."""
    if isinstance(value, list):
        return [v if isinstance(v, Mapping) else {"value": v} for v in value]
    if isinstance(value, Mapping):
        lists = [v for v in value.values() if isinstance(v, list)]
        if len(lists) == 1:
            return _rows(lists[0])
    return None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def table(rows: list[Mapping[str, Any]]) -> str:
    """Columns in first-seen order, left-aligned, one header line; ``(none)`` for an empty list."""
    if not rows:
        return "(none)"
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)
