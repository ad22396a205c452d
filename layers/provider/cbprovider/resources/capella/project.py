"""``Custom::CapellaProject``: a Capella project (``/v2/projects``, shared by hosted and in-VPC clusters).

Physical id: the project id (a UUID, from the 201 body). ``Name`` replaces (v3 has no project update);
an in-place Update (only the connection overrides changed) checks that the project still exists.
Create looks for nothing first: project names need not be unique, and a duplicate delivery of the same
request is answered once by the runtime. A create whose outcome is unknown (timed out, connection lost
after sending, 500/502/504, or a 201 whose body cannot be read) is not reported as failed: it returns
``InProgress`` under the placeholder id and each poll lists the projects for one named like this one and
created since the call was sent (less ``CREATED_SKEW`` for clock differences); that one is adopted, none
ends in FAILED with the placeholder once absence is conclusive (see ``pending_create``), and two or more
(another creator used the same name at the same moment) end in FAILED naming them, since adopting the
wrong one would let this stack delete a project it never made. Delete: 204, or 404 when already gone; a
project that still holds clusters cannot be deleted (400), which becomes a FAILED naming the project.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any

from msgspec import Meta

from cbprovider.errors import ApiError, ProviderError
from cbprovider.resources.capella.connection import CapellaConnection, client_for, is_capella_id
from cbprovider.resources.pending_create import PendingCreate, created_since, outcome_unknown, verify_named
from cbprovider.runtime import Done, Outcome, Request, ResourceType
from cbprovider.runtime.ids import placeholder_id

if TYPE_CHECKING:
    from cbprovider.capella import CapellaClient


class ProjectNotEmpty(ProviderError):
    """The project still holds clusters, so Capella refuses to delete it."""


class ProjectAmbiguous(ProviderError):
    """Several projects of the name appeared while a create's outcome was unknown."""


def delete_project(call: Callable[[], bool], project_id: str) -> bool:
    """``call()`` (a project delete); a refusal because clusters remain becomes ``ProjectNotEmpty``."""
    try:
        return call()
    except ApiError as error:
        if error.status in (400, 409):  # v3 answers 400, v4 409
            raise ProjectNotEmpty(
                f"Capella project {project_id} still holds clusters; delete them (or the resources that "
                f"own them) first. Capella said: {error.message}"
            ) from None
        raise


class CapellaProjectProperties(CapellaConnection):
    name: Annotated[str, Meta(min_length=1, max_length=128)]


class CapellaProject(ResourceType[CapellaProjectProperties]):
    type_name = "Custom::CapellaProject"
    properties_model = CapellaProjectProperties
    replacement_properties = frozenset({"Name"})

    def in_flight(self, req: Request[CapellaProjectProperties]) -> Mapping[str, Any] | None:
        return PendingCreate.before_call(name=req.properties.name).to_state()

    def create(self, req: Request[CapellaProjectProperties]) -> Outcome:
        since = time.time()
        with client_for(req.properties, req) as client:
            try:
                project = client.create_project(req.properties.name, deadline=req.deadline)
            except ProviderError as error:
                if not outcome_unknown(error):
                    raise
                pending = PendingCreate.after(error, name=req.properties.name, since=since)
                return pending.in_progress(placeholder_id(req.logical_id, req.request_id))
        req.note_physical_id(project.id)
        return Done(project.id, {"ProjectId": project.id})

    def poll(self, req: Request[CapellaProjectProperties], state: Mapping[str, Any]) -> Outcome:
        """Continues a create whose outcome was unknown (the only operation that polls)."""
        pending = PendingCreate.from_state(state)
        if pending is None:
            raise ProviderError(f"unknown poll state for {self.type_name}")
        with client_for(req.properties, req) as client:
            found = verify_named(
                pending,
                lambda pending: self._created_since(client, req, pending),
                what="project",
                physical_id=str(req.physical_id),
                foreign=req.owned_elsewhere,
            )
        if not isinstance(found, str):
            return found
        req.note_physical_id(found)
        return Done(found, {"ProjectId": found})

    def update(self, req: Request[CapellaProjectProperties]) -> Outcome:
        project_id = str(req.physical_id)
        with client_for(req.properties, req) as client:
            client.get_project(project_id, deadline=req.deadline)
        return Done(project_id, {"ProjectId": project_id})

    def delete(self, req: Request[CapellaProjectProperties]) -> Outcome:
        project_id = str(req.physical_id)
        with client_for(req.properties, req) as client:
            deleted = delete_project(
                lambda: client.delete_project(project_id, deadline=req.deadline), project_id
            )
        return Done(project_id, reason=None if deleted else "already deleted")

    def owns_physical_id(self, physical_id: str) -> bool:
        return is_capella_id(physical_id)

    @staticmethod
    def _created_since(
        client: CapellaClient, req: Request[CapellaProjectProperties], pending: PendingCreate
    ) -> str | None:
        """The id of the one project named ``pending.name`` created since the call was sent, if any."""
        projects = client.list_projects(deadline=req.deadline)
        return created_since(
            ((p.name, p.id, p.created_at) for p in projects),
            pending,
            what="project",
            ambiguous=ProjectAmbiguous,
        )
