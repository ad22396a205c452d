"""The checked stage: is the event whole, is there anything to do, and is the object this stack's?

(The event is already known to be genuine: ``genuine`` and ``confirmation`` ran in ``Provider``.)
Each check either returns nothing (go on), returns the ``Answer`` that ends the request without an API
call, or raises the error FAILED reports.
"""

from __future__ import annotations

from typing import Any

from cbprovider.errors import ProviderError
from cbprovider.runtime.ids import is_placeholder
from cbprovider.runtime.invocation import Invocation
from cbprovider.runtime.log import logger
from cbprovider.runtime.ownership import NotOwned, Standing
from cbprovider.runtime.resource import Phase, ResourceType
from cbprovider.runtime.response import Answer

REQUEST_TYPES = ("Create", "Update", "Delete")
REQUIRED = ("ResponseURL", "StackId", "RequestId", "LogicalResourceId", "ResourceType")


class MalformedEvent(ProviderError):
    """The event lacks a field every CloudFormation request has."""


def check_shape(inv: Invocation) -> None:
    """Every field a CloudFormation request has, and a physical id on Update and Delete."""
    for name in REQUIRED:
        if not inv.event.get(name):
            raise MalformedEvent(f"the request has no {name}")
    request_type = inv.event.get("RequestType")
    if request_type not in REQUEST_TYPES:
        raise MalformedEvent(f"unknown RequestType {request_type!r}")
    if request_type != "Create" and not inv.event_id:
        raise MalformedEvent(f"the {request_type} request has no PhysicalResourceId")


def nothing_made(inv: Invocation) -> Answer | None:
    """SUCCESS for the Delete of a Create that had failed (its id is a placeholder)."""
    if inv.event.get("RequestType") == "Delete" and is_placeholder(inv.event_id):
        return Answer("SUCCESS", inv.event_id, "nothing to delete: the Create had failed")
    return None


def not_made_by(inv: Invocation, resource: ResourceType[Any]) -> Answer | None:
    """SUCCESS for the Delete of an id the resource type never makes."""
    if inv.event.get("RequestType") == "Delete" and not resource.owns_physical_id(inv.event_id):
        return Answer("SUCCESS", inv.event_id, "nothing to delete: the id was not made by this provider")
    return None


def check_owned(inv: Invocation, phase: Phase, standing: Standing) -> Answer | None:
    """An in-place Update or a Delete acts only on an object recorded for this stack resource.

    ``standing`` is what the request record's ``begin`` found. Someone else's object (or one recorded
    for nobody): the Update fails (``NotOwned``), the Delete succeeds without an API call.
    """
    if phase == "create" or standing == "ours":
        return None
    if phase == "update":
        raise NotOwned(
            f"{inv.event_id} was not created by this stack resource through this provider "
            "(or belongs to another stack): it is not updated"
        )
    logger.warning("Delete of an object this stack resource does not own: nothing is called")
    return Answer("SUCCESS", inv.event_id, "not deleted: the object is not this stack resource's")
