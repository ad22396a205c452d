"""The values one invocation works with, read once from the event and the Lambda context.

Every stage of the pipeline (see ``pipeline``) is handed these frozen values; none keeps its own copy of
the event or shares state with another stage through an object.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from cbprovider.deadline import Deadline
from cbprovider.runtime.ids import placeholder_id, request_digest
from cbprovider.runtime.log import logger
from cbprovider.runtime.ownership import ObjectRef, Owner, Ownership
from cbprovider.runtime.records import RequestRecords
from cbprovider.runtime.resource import ResourceType
from cbprovider.runtime.response import ResponseSender
from cbprovider.runtime.timing import Timing

if TYPE_CHECKING:
    from cbprovider.runtime.polling import Poller


class Services(msgspec.Struct, frozen=True):
    """What the pipeline needs from the provider (made once per container)."""

    timing: Timing
    sender: ResponseSender
    records: RequestRecords
    poller: Callable[[], Poller]
    """The poll state and rules, made on first use: a request answered in one invocation needs none."""
    ownership: Ownership
    resolve: Callable[[str], ResourceType[Any]]
    """The resource type serving a type name (raises ``registry.UnknownResourceType``)."""


class Invocation(msgspec.Struct, frozen=True):
    """One event (a request, or the original request of a poll) and this invocation's deadlines."""

    event: Mapping[str, Any]
    context: Any
    """The Lambda context: the function's ARN, and the time left when the backstop fires."""
    started_at: float
    """Epoch seconds when this invocation started."""
    remaining_at_start: float
    """Seconds the Lambda had left when this invocation started."""
    work_deadline: Deadline
    """What a resource type's calls get (``Request.deadline``): ends before the backstop."""
    backstop_deadline: Deadline
    """When the backstop fires: the handler's own clean-up must be over by then."""
    send_deadline: Deadline
    """The response PUT gives up by then."""

    @classmethod
    def of(cls, event: Mapping[str, Any], context: Any, timing: Timing) -> Invocation:
        remaining = context.get_remaining_time_in_millis() / 1000.0
        return cls(
            event=dict(event),
            context=context,
            started_at=time.time(),
            remaining_at_start=remaining,
            work_deadline=Deadline.after(max(0.0, remaining - timing.backstop_reserve - timing.work_reserve)),
            backstop_deadline=Deadline.after(max(0.0, remaining - timing.backstop_reserve)),
            send_deadline=Deadline.after(max(0.0, remaining - timing.send_reserve)),
        )

    @property
    def stack_id(self) -> str:
        return str(self.event.get("StackId", ""))

    @property
    def logical_id(self) -> str:
        return str(self.event.get("LogicalResourceId", ""))

    @property
    def request_id(self) -> str:
        return str(self.event.get("RequestId", ""))

    @property
    def resource_type(self) -> str:
        return str(self.event.get("ResourceType", ""))

    @property
    def event_id(self) -> str:
        """The event's PhysicalResourceId (empty on Create)."""
        return str(self.event.get("PhysicalResourceId") or "")

    @property
    def properties(self) -> Mapping[str, Any]:
        """The raw ResourceProperties."""
        return self.event.get("ResourceProperties") or {}

    @property
    def owner(self) -> Owner:
        return Owner(self.stack_id, self.logical_id)

    @property
    def digest(self) -> str:
        """40 hex characters naming this request (its poll state, its claimed object)."""
        return request_digest(self.stack_id, self.logical_id, self.request_id)

    def key(self, attempt: int | None = None) -> dict[str, Any]:
        """The idempotency key of the request, or of one poll attempt of it."""
        key: dict[str, Any] = {
            "StackId": self.stack_id,
            "LogicalResourceId": self.logical_id,
            "RequestId": self.request_id,
        }
        if attempt is not None:
            key["Attempt"] = attempt
        return key

    def ref(self, physical_id: str) -> ObjectRef:
        """The object ``physical_id`` on the endpoint of the event's properties (the object's own: an
        Endpoint change replaces the object, and a Delete carries the deleted object's properties)."""
        return ObjectRef.of(self.event, physical_id, "ResourceProperties")

    def placeholder(self) -> str:
        """The id of a Create that failed before any object existed."""
        return placeholder_id(self.logical_id or "resource", self.request_id)

    def reported_id(self, returned: str, phase: str) -> str:
        """The id to report: the event's, except for a create (Create, or an Update that replaces)."""
        if phase == "create" or not self.event_id:
            return returned
        if returned and returned != self.event_id:
            logger.warning(
                "Ignoring a new physical id from an in-place operation", extra={"returned": returned}
            )
        return self.event_id
