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

from typing import TYPE_CHECKING

from cbprovider.lazy import lazy_exports

if TYPE_CHECKING:
    from cbprovider.runtime.ids import *  # noqa: F403
    from cbprovider.runtime.properties import *  # noqa: F403
    from cbprovider.runtime.provider import *  # noqa: F403
    from cbprovider.runtime.resource import *  # noqa: F403
    from cbprovider.runtime.timing import *  # noqa: F403
else:
    # Imported on first use, so that e.g. ``is_placeholder`` does not load the property models and the
    # whole lifecycle machinery into a function that only needs it.
    __all__, __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "cbprovider.runtime.resource": ("Done", "InProgress", "Outcome", "Request", "ResourceType"),
            "cbprovider.runtime.properties": ("PropertiesModel", "ResourceProperties", "ValidationFailed"),
            "cbprovider.runtime.provider": ("Provider",),
            "cbprovider.runtime.timing": ("Timing",),
            "cbprovider.runtime.ids": ("is_placeholder",),
        },
    )
