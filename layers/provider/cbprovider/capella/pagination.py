"""Reading one page of a Capella list response.

List bodies are ``{cursor: {pages: {page, next?, last, perPage, totalItems}, hrefs: {...}}, data}`` where
``data`` is an array (v2 lists), ``{tenantId, items: [...]}`` (``GET /v3/clusters``) or ``{}`` (an empty
v3 list). A bare JSON array (the non-paginated lists) is one complete page. ``cursor.hrefs`` is never
used: the service puts ``http://`` and an internal ``/public`` prefix there, which would break signing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from cbprovider.capella.models import ModelError


class Page(msgspec.Struct, frozen=True):
    items: list[Any]
    last: int | None
    """``cursor.pages.last`` when the server sent it."""
    has_next: bool
    """Whether ``cursor.pages.next`` was present."""

    def more_after(self, number: int) -> bool:
        """Whether a page after page ``number`` (this one) should be requested."""
        if not self.items:
            return False
        if self.last is not None:
            return number < self.last
        return self.has_next


def parse_page(body: object) -> Page:
    """The items and cursor of one list response; ``ModelError`` if the body has no recognisable list."""
    if isinstance(body, list):
        return Page(body, None, False)
    if not isinstance(body, Mapping):
        raise ModelError("list response is neither a JSON object nor an array")
    if "data" not in body:
        raise ModelError("not a list response: the body has no 'data'")
    items = _items(body["data"])
    cursor = body.get("cursor")
    pages = cursor.get("pages") if isinstance(cursor, Mapping) else None
    if not isinstance(pages, Mapping):
        return Page(items, None, False)
    last = pages.get("last")
    return Page(
        items,
        last if isinstance(last, int) and not isinstance(last, bool) else None,
        pages.get("next") is not None,
    )


def _items(data: object) -> list[Any]:
    if data is None:
        return []
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        items = data.get("items", [])
        if isinstance(items, list):
            return items
        raise ModelError("'data.items' is not an array")
    raise ModelError("'data' is neither an array nor an object")
