"""The planned stage: which operation (the phase), and the typed ``Request`` the resource type gets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cbprovider.deadline import Deadline
from cbprovider.endpoints.entries import named_by
from cbprovider.errors import ProviderError
from cbprovider.runtime.invocation import Invocation
from cbprovider.runtime.log import logger
from cbprovider.runtime.ownership import OwnedElsewhere, Ownership
from cbprovider.runtime.properties import parse_properties
from cbprovider.runtime.resource import Phase, Request, ResourceType
from cbprovider.runtime.timing import Timing


def phase_of(inv: Invocation, resource: ResourceType[Any], ownership: Ownership) -> Phase:
    """``create`` for a Create and for an Update that replaces the object, else ``update``/``delete``."""
    request_type = inv.event.get("RequestType")
    if request_type == "Delete":
        return "delete"
    if request_type != "Update":
        return "create"
    new = inv.event.get("ResourceProperties") or {}
    old = inv.event.get("OldResourceProperties") or {}
    replace = replaces(resource, new, old, stack_id=inv.stack_id)
    if replace and ownership.holds(inv.ref(inv.event_id), inv.owner, new):
        # CloudFormation rolling back a failed replacement: this object already has these properties,
        # so creating it again would duplicate it (see runtime.ownership).
        logger.info("Update back to the object's own properties: in place, not a replacement")
        replace = False
    logger.info("Update", extra={"replacement": replace})
    return "create" if replace else "update"


def replaces(
    resource: ResourceType[Any], new: Mapping[str, Any], old: Mapping[str, Any], *, stack_id: str
) -> bool:
    """Whether an Update from ``old`` to ``new`` (raw properties) replaces the object.

    Moving to another endpoint always does, for every type: the object lives on the appliance or in the
    organisation the endpoint names. That is decided here, first, so a type's own rule
    (``requires_replacement``, which may read secrets) is asked only when the endpoint stays.
    """
    if named_by(new) != named_by(old):
        return True
    return resource.requires_replacement(new, old, stack_id=stack_id)


def service_seconds(inv: Invocation, timing: Timing) -> float:
    """How long the whole operation may take (across polls): ``ServiceTimeout`` less the margin."""
    raw = inv.properties.get("ServiceTimeout")
    try:
        limit = min(int(raw), timing.max_service_timeout) if raw else timing.max_service_timeout
    except (TypeError, ValueError):
        limit = timing.max_service_timeout
    return max(0.0, limit - timing.service_margin)


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
