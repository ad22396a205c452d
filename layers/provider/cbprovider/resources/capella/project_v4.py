"""``Custom::CapellaProject`` on an API v4 endpoint: ``/v4/organizations/{org}/projects``.

Physical id: the project id (a UUID, from the 201 body). ``Name`` and ``Description`` change in place
(``PUT`` with ``If-Match``: after a concurrent change the update is applied once more on the new version,
then fails naming the change); only a new ``Endpoint`` replaces. A create whose outcome is unknown is
verified at later polls by name and creation time, as on v3 (see ``pending_create``). Delete: 204, or
404 when already gone; a project that still holds clusters (409) fails naming the project.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

from msgspec import Meta

from cbprovider.errors import ProviderError
from cbprovider.resources.capella.connection import CapellaConnection, is_capella_id
from cbprovider.resources.capella.project import ProjectAmbiguous, delete_project
from cbprovider.resources.capella.v4_connection import v4_client_for
from cbprovider.resources.pending_create import PendingCreate, created_since, outcome_unknown, verify_named
from cbprovider.runtime import Done, Outcome, Request, ResourceType
from cbprovider.runtime.ids import placeholder_id

if TYPE_CHECKING:
    from cbprovider.capella.v4 import CapellaV4Client


class CapellaProjectV4Properties(CapellaConnection):
    name: Annotated[str, Meta(min_length=1, max_length=128)]
    description: Annotated[str, Meta(max_length=256)] = ""


Req = Request[CapellaProjectV4Properties]


def _data(project_id: str) -> dict[str, str]:
    return {"ProjectId": project_id}


class CapellaProjectV4(ResourceType[CapellaProjectV4Properties]):
    type_name = "Custom::CapellaProject"
    properties_model = CapellaProjectV4Properties

    def in_flight(self, req: Req) -> Mapping[str, Any] | None:
        return PendingCreate.before_call(name=req.properties.name).to_state()

    def create(self, req: Req) -> Outcome:
        props = req.properties
        since = time.time()
        with v4_client_for(props, req) as client:
            try:
                project_id = client.create_project(props.name, props.description, deadline=req.deadline)
            except ProviderError as error:
                if not outcome_unknown(error):
                    raise
                pending = PendingCreate.after(error, name=props.name, since=since)
                return pending.in_progress(placeholder_id(req.logical_id, req.request_id))
        req.note_physical_id(project_id)
        return Done(project_id, _data(project_id))

    def poll(self, req: Req, state: Mapping[str, Any]) -> Outcome:
        """Continues a create whose outcome was unknown (the only operation that polls)."""
        pending = PendingCreate.from_state(state)
        if pending is None:
            raise ProviderError(f"unknown poll state for {self.type_name}")
        with v4_client_for(req.properties, req) as client:
            found = verify_named(
                pending,
                lambda pending: _created_since(client, req, pending),
                what="project",
                physical_id=str(req.physical_id),
                foreign=req.owned_elsewhere,
            )
        if not isinstance(found, str):
            return found
        req.note_physical_id(found)
        return Done(found, _data(found))

    def update(self, req: Req) -> Outcome:
        project_id, new, old = str(req.physical_id), req.properties, req.old_properties
        with v4_client_for(new, req) as client:
            if old is not None and (old.name, old.description) == (new.name, new.description):
                client.get_project(project_id, deadline=req.deadline)
            else:
                client.update_project(project_id, new.name, new.description, deadline=req.deadline)
        return Done(project_id, _data(project_id))

    def delete(self, req: Req) -> Outcome:
        project_id = str(req.physical_id)
        with v4_client_for(req.properties, req) as client:
            deleted = delete_project(
                lambda: client.delete_project(project_id, deadline=req.deadline), project_id
            )
        return Done(project_id, reason=None if deleted else "already deleted")

    def owns_physical_id(self, physical_id: str) -> bool:
        return is_capella_id(physical_id)


def _created_since(client: CapellaV4Client, req: Req, pending: PendingCreate) -> str | None:
    projects = client.list_projects(deadline=req.deadline)
    candidates = ((p.name, p.id, p.audit.created_at) for p in projects)
    return created_since(candidates, pending, what="project", ambiguous=ProjectAmbiguous)
