"""The organization and its projects: ``/v4/organizations/{organizationId}[/projects[/{projectId}]]``.

Project names are 1-128 characters, descriptions up to 256; deleting a project that still has clusters
(destroying ones too) is a 409, as the specification lists for that operation.
"""

from __future__ import annotations

from typing import Any

from simulators.capella import fields
from simulators.capella.routes import Router
from simulators.capella.v4.context import KeySchema, V4Context, check_if_match
from simulators.capella.v4.problems import V4Problem, not_found
from simulators.capella.v4.state import Project
from simulators.server import Response

ORG = "/v4/organizations/{organizationId}"
PROJECTS = ORG + "/projects"
PROJECT = PROJECTS + "/{projectId}"
PROJECT_KEYS: KeySchema = {"name": None, "description": None}


def project_view(project: Project) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "description": project.description,
        "audit": project.audit(),
    }


def find_project(ctx: V4Context) -> Project:
    project = ctx.store.projects.get(ctx.params["projectId"])
    if project is None or project.org_id != ctx.org_id:
        raise not_found(f"project {ctx.params['projectId']}")
    return project


def get_organization(ctx: V4Context) -> Response:
    org = ctx.store.organizations[ctx.org_id]
    return Response.json(
        200, {"id": org.id, "name": org.name, "description": "", "preferences": {}, "audit": {"version": 1}}
    )


def list_organizations(ctx: V4Context) -> Response:
    org = ctx.store.organizations[ctx.org_id]
    return ctx.page([{"id": org.id, "name": org.name, "description": "", "audit": {"version": 1}}])


def _name_and_description(body: dict[str, Any]) -> tuple[str, str]:
    name = fields.text(body, "name", "name", max_len=128)
    description = fields.optional_text(body, "description", "description", max_len=256) or ""
    return name, description


def create_project(ctx: V4Context) -> Response:
    name, description = _name_and_description(ctx.body(PROJECT_KEYS))
    project = ctx.store.add_project(ctx.org_id, name, description)
    return Response.json(201, {"id": project.id})


def list_projects(ctx: V4Context) -> Response:
    return ctx.page([project_view(p) for p in ctx.store.projects.values() if p.org_id == ctx.org_id])


def get_project(ctx: V4Context) -> Response:
    project = find_project(ctx)
    return Response.json(200, project_view(project), {"ETag": project.etag})


def put_project(ctx: V4Context) -> Response:
    project = find_project(ctx)
    name, description = _name_and_description(ctx.body(PROJECT_KEYS))
    check_if_match(ctx, project.etag, f"project {project.id}")
    project.name, project.description = name, description
    project.bump()
    return Response(204)


def delete_project(ctx: V4Context) -> Response:
    project = find_project(ctx)
    if any(c.project_id == project.id for c in ctx.store.clusters.values()):
        raise V4Problem(409, f"project {project.id} still has clusters; delete them first")
    del ctx.store.projects[project.id]
    return Response(204)


def register(router: Router) -> None:
    router.add("GET", "/v4/organizations", list_organizations)
    router.add("GET", ORG, get_organization)
    router.add("GET", PROJECTS, list_projects)
    router.add("POST", PROJECTS, create_project)
    router.add("GET", PROJECT, get_project)
    router.add("PUT", PROJECT, put_project)
    router.add("DELETE", PROJECT, delete_project)
