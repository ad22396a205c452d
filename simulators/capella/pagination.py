"""Page selection and the ``cursor`` envelope of Capella list endpoints.

Choices where the documentation is silent: ``perPage`` above ``MAX_PER_PAGE`` is lowered to it (not refused);
an empty list has ``page: 1, last: 1``; a page past the end is answered with no items (not 404); the
``hrefs`` keep the request's other query parameters after ``page`` and ``perPage``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from simulators.capella.problems import invalid

PUBLIC_BASE = "http://cloudapi.cloud.couchbase.com/public"
"""What the real service puts in front of ``hrefs`` (captured: ``http://`` and the ``/public`` prefix)."""
MAX_PER_PAGE = 1000


@dataclass(frozen=True)
class PageRequest:
    page: int
    per_page: int

    @classmethod
    def from_query(cls, query: Mapping[str, list[str]], default_per_page: int) -> PageRequest:
        """Read ``page`` and ``perPage``; 422 when either is not a whole number of at least 1."""
        return cls(
            _positive(query, "page", 1),
            min(_positive(query, "perPage", default_per_page), MAX_PER_PAGE),
        )


def _positive(query: Mapping[str, list[str]], name: str, default: int) -> int:
    values = query.get(name)
    if not values:
        return default
    text = values[-1].strip()
    if not text.isdigit() or int(text) < 1:
        raise invalid(name, f"must be a whole number of at least 1, got {values[-1]!r}")
    return int(text)


def paginate[T](
    items: Sequence[T], request: PageRequest, path: str, query: Mapping[str, list[str]]
) -> tuple[list[T], dict[str, Any]]:
    """The items of the requested page and the ``cursor`` object describing it."""
    total = len(items)
    last = max(1, -(-total // request.per_page))
    start = (request.page - 1) * request.per_page
    page_items = list(items[start : start + request.per_page])
    extra = [(k, v) for k, values in query.items() if k not in ("page", "perPage") for v in values]

    def href(page: int) -> str:
        params = urlencode([("page", page), ("perPage", request.per_page), *extra])
        return f"{PUBLIC_BASE}{path}?{params}"

    pages: dict[str, int] = {"page": request.page}
    hrefs: dict[str, str] = {"first": href(1)}
    if request.page < last:
        pages["next"] = request.page + 1
        hrefs["next"] = href(request.page + 1)
    if request.page > 1:
        pages["previous"] = min(request.page - 1, last)
        hrefs["previous"] = href(pages["previous"])
    pages.update(last=last, perPage=request.per_page, totalItems=total)
    hrefs["last"] = href(last)
    return page_items, {"pages": pages, "hrefs": hrefs}
