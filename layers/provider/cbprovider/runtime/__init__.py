"""The CloudFormation custom-resource runtime: lifecycle rules once, resource types as small plug-ins.

A handler module is two lines::

    from cbprovider.runtime import Provider
    lambda_handler = Provider({"Custom::CapellaProject": "mypackage.project:Project"})

A resource type::

    class ProjectProperties(ResourceProperties):       # fields snake_case, read as PascalCase
        name: str                                      # <- "Name"
        description: str = ""

    class Project(ResourceType[ProjectProperties]):
        type_name = "Custom::CapellaProject"
        properties_model = ProjectProperties
        replacement_properties = frozenset({"Name"})

        def create(self, req: Request[ProjectProperties]) -> Outcome: ...  # Done(id, data) | InProgress(...)
        def update(self, req) -> Outcome: ...      # in place: the event's id is kept whatever is returned
        def delete(self, req) -> Outcome: ...      # ApiError 404 counts as deleted
        def poll(self, req, state) -> Outcome: ... # continues an InProgress (req.phase says which operation)
        def owns_physical_id(self, physical_id) -> bool: ...   # False: Delete touches nothing

What the runtime guarantees (``pipeline`` lists the stages that see to it): exactly one response per
request (a backstop sends FAILED shortly before the Lambda deadline), never an empty PhysicalResourceId
(a failed Create returns ``failed-create-<LogicalId>-<8 hex>``, see ``is_placeholder``; call
``req.note_physical_id`` as soon as an object exists so a later failure reports it; a replacing Update
that fails after its new object exists has that object removed with the type's ``delete``, see
``removes_failed_replacement``), the body under 4096 bytes with the start of the reason kept, no sleep
before Delete, properties validated with errors that name the property, replacement only when a
``replacement_properties`` value changed, duplicate deliveries processed once, and long operations
polled by an EventBridge rule whose rule, target and state are removed when they end or time out
(``ServiceTimeout``, at most 3600 s). Failures are raised: ``ValidationFailed`` for bad input,
``ApiError`` and other ``cbprovider.errors.ProviderError`` types (reason ``[Type] message``); anything
else becomes a generic ``[InternalError]`` reason with the traceback only in the (redacted) log.
``req.deadline`` is this invocation's time left minus a margin: pass it to the API clients, and let
``DeadlineExceeded`` propagate.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cbprovider.runtime.ids import is_placeholder
    from cbprovider.runtime.properties import PropertiesModel, ResourceProperties, ValidationFailed
    from cbprovider.runtime.provider import Provider
    from cbprovider.runtime.resource import Done, InProgress, Outcome, Request, ResourceType
    from cbprovider.runtime.timing import Timing

# Imported on first use (PEP 562), so that e.g. ``is_placeholder`` does not load pydantic and the
# whole lifecycle machinery into a function that only needs a secret.
_EXPORTS = {
    "Done": "resource",
    "InProgress": "resource",
    "Outcome": "resource",
    "Request": "resource",
    "ResourceType": "resource",
    "PropertiesModel": "properties",
    "ResourceProperties": "properties",
    "ValidationFailed": "properties",
    "Provider": "provider",
    "Timing": "timing",
    "is_placeholder": "ids",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Done",
    "InProgress",
    "Outcome",
    "PropertiesModel",
    "Provider",
    "Request",
    "ResourceProperties",
    "ResourceType",
    "Timing",
    "ValidationFailed",
    "is_placeholder",
]
