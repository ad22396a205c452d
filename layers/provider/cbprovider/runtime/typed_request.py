"""The typed ``Request`` a resource type gets: the event's properties parsed by the type's model.

A value made from values (the invocation, the phase, the physical id, the deadlines); the state table's
ownership records go on it as ``OwnedElsewhere``, so the type asks them itself.
"""

from __future__ import annotations

from typing import Any

from cbprovider.deadline import Deadline
from cbprovider.errors import ProviderError
from cbprovider.runtime.invocation import Invocation
from cbprovider.runtime.log import logger
from cbprovider.runtime.ownership import OwnedElsewhere, Ownership
from cbprovider.runtime.properties import parse_properties
from cbprovider.runtime.resource import Phase, Request, ResourceType


def build_request(
    inv: Invocation,
    resource: ResourceType[Any],
    phase: Phase,
    physical_id: str | None,
    ownership: Ownership,
    *,
    deadline: Deadline,
    service_deadline: Deadline,
) -> Request[Any]:
    """The event's properties parsed by the type's model (``ValidationFailed`` names the property)."""
    properties = parse_properties(resource.properties_model, inv.event.get("ResourceProperties"))
    old = None
    if inv.event.get("RequestType") == "Update":
        try:
            old = parse_properties(resource.properties_model, inv.event.get("OldResourceProperties"))
        except ProviderError:
            logger.info("The old properties no longer parse; old_properties is None")

    return Request(
        request_type=inv.event["RequestType"],
        phase=phase,
        properties=properties,
        old_properties=old,
        physical_id=physical_id,
        logical_id=inv.logical_id,
        stack_id=inv.stack_id,
        request_id=inv.request_id,
        resource_type=inv.resource_type,
        deadline=deadline,
        service_deadline=service_deadline,
        owned_elsewhere=OwnedElsewhere(ownership, inv.ref(physical_id or ""), inv.owner),
    )
