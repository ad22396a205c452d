"""List responses: ``sortBy`` (v2 lists), pagination and the ``{cursor, data}`` envelope."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from simulators.capella.pagination import PageRequest, paginate
from simulators.capella.problems import invalid
from simulators.capella.routes import Context
from simulators.server import Response


def sort_items(
    items: list[dict[str, Any]], sort_by: str | None, fields: Collection[str]
) -> list[dict[str, Any]]:
    """Apply ``sortBy=<field>.<asc|desc>``; unknown fields or directions are a 422."""
    if not sort_by:
        return items
    name, _, direction = sort_by.rpartition(".")
    if name not in fields or direction not in ("asc", "desc"):
        options = ", ".join(sorted(fields))
        raise invalid("sortBy", f"must be <field>.asc or <field>.desc with field one of {options}")
    return sorted(items, key=lambda item: str(item.get(name, "")), reverse=direction == "desc")


def array_page(ctx: Context, items: list[dict[str, Any]], *, sortable: Collection[str] = ()) -> Response:
    """A v2-style list: ``data`` is an array (possibly empty)."""
    items = sort_items(items, ctx.query_value("sortBy"), sortable) if sortable else items
    page, cursor = paginate(
        items, PageRequest.from_query(ctx.query, ctx.default_per_page), ctx.request.path, ctx.query
    )
    return Response.json(200, {"cursor": cursor, "data": page})


def items_page(ctx: Context, items: list[dict[str, Any]]) -> Response:
    """The ``GET /v3/clusters`` shape: ``data: {tenantId, items}``, or ``data: {}`` when the page is empty."""
    page, cursor = paginate(
        items, PageRequest.from_query(ctx.query, ctx.default_per_page), ctx.request.path, ctx.query
    )
    data: dict[str, Any] = {"tenantId": ctx.store.tenant_id, "items": page} if page else {}
    return Response.json(200, {"cursor": cursor, "data": data})
