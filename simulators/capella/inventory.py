"""Read-only v2 endpoints: ``/v2/status`` (no auth), ``/v2/clouds``, ``/v2/users`` (organization users)."""

from __future__ import annotations

from simulators.capella import views
from simulators.capella.listing import array_page
from simulators.capella.problems import not_found
from simulators.capella.routes import Context, Router
from simulators.server import Response

STATUS_PATH = "/v2/status"


def api_status(ctx: Context) -> Response:
    return Response.json(200, {"status": "ok"})


def list_clouds(ctx: Context) -> Response:
    items = [views.cloud(c) for c in ctx.store.clouds.values()]
    return array_page(ctx, items, sortable=("name", "provider", "region", "status", "id"))


def get_cloud(ctx: Context) -> Response:
    cloud = ctx.store.clouds.get(ctx.params["id"])
    if cloud is None:
        raise not_found(f"cloud {ctx.params['id']}")
    return Response.json(200, views.cloud(cloud))


def list_org_users(ctx: Context) -> Response:
    items = [views.org_user(u) for u in ctx.store.org_users]
    return array_page(ctx, items, sortable=("name", "email", "id"))


def register(router: Router) -> None:
    router.add("GET", STATUS_PATH, api_status)
    router.add("GET", "/v2/clouds", list_clouds)
    router.add("GET", "/v2/clouds/{id}", get_cloud)
    router.add("GET", "/v2/users", list_org_users)
