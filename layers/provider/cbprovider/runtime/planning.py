"""The planned stage: which operation (the phase), and how long the whole operation may take.

The typed ``Request`` the resource type gets is built by ``typed_request`` (the pipeline calls it once the
phase is known; the clean-up of a failed request builds its removal request there too, without going
back through planning).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cbprovider.endpoints.entries import named_by
from cbprovider.runtime.invocation import Invocation
from cbprovider.runtime.log import logger
from cbprovider.runtime.ownership import Ownership
from cbprovider.runtime.resource import Phase, ResourceType
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
