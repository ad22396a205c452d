"""The fault matrix as text: rows resource x request, columns faults, cells "status/check"."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping


def render(
    cells: Mapping[tuple[str, str], str], column_order: Mapping[str, int] | None = None
) -> Iterator[str]:
    """Lines of a fixed-width table of ``cells`` (keyed by row and column), then the counts."""
    order = column_order or {}
    rows = sorted({row for row, _ in cells})
    columns = sorted({column for _, column in cells}, key=lambda c: (order.get(c, 0), c))
    row_width = max(len(r) for r in rows)
    widths = [max(len(c), *(len(cells.get((r, c), "-")) for r in rows)) for c in columns]
    yield " | ".join([" " * row_width, *(c.ljust(w) for c, w in zip(columns, widths, strict=True))])
    yield "-+-".join(["-" * row_width, *("-" * w for w in widths)])
    for row in rows:
        values = (cells.get((row, c), "-").ljust(w) for c, w in zip(columns, widths, strict=True))
        yield " | ".join([row.ljust(row_width), *values])
    counts = Counter(cell.rsplit("/", 1)[-1].split()[-1] if "/" in cell else cell for cell in cells.values())
    yield ""
    yield f"{len(cells)} cells: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
