"""``Custom::CapellaProject``: a Capella project (``/v2/projects``, shared by hosted and in-VPC clusters).

Physical id: the project id (a UUID, from the 201 body). ``Name`` replaces (v3 has no project update);
an in-place Update (only the connection overrides changed) checks that the project still exists.
Create looks for nothing first: project names need not be unique, and a duplicate delivery of the same
request is answered once by the runtime. Delete: 204, or 404 when already gone; a project that still
holds clusters cannot be deleted (400), which becomes a FAILED naming the project.
"""

from __future__ import annotations

from pydantic import Field

from cbprovider.errors import ApiError, ProviderError
from cbprovider.resources.capella_connection import CapellaConnection, client_for, is_capella_id
from cbprovider.runtime import Done, Outcome, Request, ResourceType


class ProjectNotEmpty(ProviderError):
    """The project still holds clusters, so Capella refuses to delete it."""


class CapellaProjectProperties(CapellaConnection):
    name: str = Field(min_length=1, max_length=128)


class CapellaProject(ResourceType[CapellaProjectProperties]):
    type_name = "Custom::CapellaProject"
    properties_model = CapellaProjectProperties
    replacement_properties = frozenset({"Name"})

    def create(self, req: Request[CapellaProjectProperties]) -> Outcome:
        with client_for(req.properties, req) as client:
            project = client.create_project(req.properties.name, deadline=req.deadline)
        req.note_physical_id(project.id)
        return Done(project.id, {"ProjectId": project.id})

    def update(self, req: Request[CapellaProjectProperties]) -> Outcome:
        project_id = str(req.physical_id)
        with client_for(req.properties, req) as client:
            client.get_project(project_id, deadline=req.deadline)
        return Done(project_id, {"ProjectId": project_id})

    def delete(self, req: Request[CapellaProjectProperties]) -> Outcome:
        project_id = str(req.physical_id)
        with client_for(req.properties, req) as client:
            try:
                deleted = client.delete_project(project_id, deadline=req.deadline)
            except ApiError as error:
                if error.status == 400:
                    raise ProjectNotEmpty(
                        f"Capella project {project_id} still holds clusters; delete them (or the "
                        f"resources that own them) first. Capella said: {error.message}"
                    ) from None
                raise
        return Done(project_id, reason=None if deleted else "already deleted")

    def owns_physical_id(self, physical_id: str) -> bool:
        return is_capella_id(physical_id)
