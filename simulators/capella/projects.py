"""``/v2/projects``: synchronous create (201 with the project), list, read, delete.

Deleting a project that still has clusters is a 400.
"""

from __future__ import annotations

from simulators.capella import fields, views
from simulators.capella.listing import array_page
from simulators.capella.problems import ApiProblem, not_found
from simulators.capella.routes import Context, Router
from simulators.capella.state import Project
from simulators.server import Response


def _project(ctx: Context) -> Project:
    project_id = ctx.params["id"]
    project = ctx.store.projects.get(project_id)
    if project is None:
        raise not_found(f"project {project_id}")
    return project


def list_projects(ctx: Context) -> Response:
    items = [views.project(p) for p in ctx.store.projects.values()]
    return array_page(ctx, items, sortable=("name", "createdAt", "id"))


def create_project(ctx: Context) -> Response:
    """Names need not be unique (nothing says the real service refuses duplicates)."""
    name = fields.text(ctx.body(), "name", "name", max_len=128)
    project = ctx.store.add_project(name)
    return Response.json(201, views.project(project))


def get_project(ctx: Context) -> Response:
    return Response.json(200, views.project(_project(ctx)))


def delete_project(ctx: Context) -> Response:
    """Clusters still being destroyed count as remaining."""
    project = _project(ctx)
    remaining = [c for c in ctx.store.clusters.values() if c.project_id == project.id]
    if remaining:
        raise ApiProblem(
            400, f"project {project.id} still has {len(remaining)} cluster(s); delete them first"
        )
    del ctx.store.projects[project.id]
    return Response(204)


def register(router: Router) -> None:
    router.add("GET", "/v2/projects", list_projects)
    router.add("POST", "/v2/projects", create_project)
    router.add("GET", "/v2/projects/{id}", get_project)
    router.add("DELETE", "/v2/projects/{id}", delete_project)
