"""What a v4 handler gets, strict body reading and list pages.

Strict mode (the default) answers 400 to a body key the specification does not define for that
request, naming its path (``serviceGroups[0].node.size``): a client that misspells a field learns at
once instead of having it silently ignored, which is what the real service does with unknown keys.
A ``KeySchema`` maps each allowed key to ``None`` (any value), a nested schema (an object) or a
one-element list holding the schema of the array's items.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from simulators.capella.pagination import PageRequest, paginate
from simulators.capella.v4.problems import V4Problem
from simulators.capella.v4.state import V4Store
from simulators.server import Request, Response

KeySchema = dict[str, Any]


def unknown_keys(value: Any, schema: Any, path: str = "") -> list[str]:
    """Paths of the keys in ``value`` that ``schema`` does not allow."""
    if isinstance(schema, dict) and isinstance(value, dict):
        found = []
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if key not in schema:
                found.append(where)
            else:
                found.extend(unknown_keys(item, schema[key], where))
        return found
    if isinstance(schema, list) and isinstance(value, list):
        return [p for i, item in enumerate(value) for p in unknown_keys(item, schema[0], f"{path}[{i}]")]
    return []


@dataclass
class V4Context:
    request: Request
    params: dict[str, str]
    store: V4Store
    now: float
    org_id: str
    """The organization of the caller's token."""
    strict: bool
    default_per_page: int
    query: dict[str, list[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.query = parse_qs(self.request.query, keep_blank_values=True)

    def body(self, schema: KeySchema) -> dict[str, Any]:
        """The JSON object sent; 400 when absent, not an object, or (strict) holding unknown keys."""
        try:
            data = json.loads(self.request.body or b"")
        except ValueError:
            raise V4Problem(400, "the request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise V4Problem(400, "the request body must be a JSON object")
        if self.strict:
            extra = unknown_keys(data, schema)
            if extra:
                raise V4Problem(400, f"unknown field(s) in the request body: {', '.join(extra)}")
        return data

    def if_match(self) -> str | None:
        return self.request.headers.get("if-match")

    def page(self, items: list[dict[str, Any]]) -> Response:
        """A paginated ``{cursor, data}`` list."""
        request = PageRequest.from_query(self.query, self.default_per_page)
        page, cursor = paginate(items, request, self.request.path, self.query)
        return Response.json(200, {"cursor": cursor, "data": page})


def check_if_match(ctx: V4Context, etag: str, what: str) -> None:
    """412 when ``If-Match`` was sent and names another version than the current one."""
    sent = ctx.if_match()
    if sent is not None and sent.strip() != etag:
        raise V4Problem(
            412, f"{what} has changed: If-Match {sent.strip()!r} does not match the current {etag!r}"
        )
