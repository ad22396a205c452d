"""The plug-in interface: what a resource type implements and what it is given."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any, Literal

import msgspec

from cbprovider.deadline import Deadline
from cbprovider.hidden_repr import repr_hiding
from cbprovider.runtime.properties import ResourceProperties

Phase = Literal["create", "update", "delete"]


class Done(msgspec.Struct, frozen=True):
    """The operation finished: SUCCESS with this physical id and these attributes (``Fn::GetAtt``)."""

    physical_id: str
    data: Mapping[str, str] = msgspec.field(default_factory=dict)
    reason: str | None = None


class InProgress(msgspec.Struct, frozen=True):
    """The operation goes on: poll again in ``retry_after`` seconds (rounded up to whole minutes).

    ``physical_id`` is the object being worked on (reported if the operation later fails, so that a
    rollback Delete can remove it); ``state`` is small and JSON-serialisable and is handed to ``poll``.
    """

    physical_id: str
    state: Mapping[str, Any] = msgspec.field(default_factory=dict)
    retry_after: int = 60


Outcome = Done | InProgress


def _owned_nowhere(physical_id: str) -> bool:
    return False


class Request[P: ResourceProperties](msgspec.Struct, frozen=True, eq=False):
    """One CloudFormation request (or one poll of it) as a resource type sees it.

    Compared by identity: a request carries the ids noted while it is carried out (``note_physical_id``),
    so two requests with the same fields are still two requests (nothing compares or hashes them by value).
    """

    request_type: Literal["Create", "Update", "Delete"]
    phase: Phase
    """What to do: ``create`` also for an Update that replaces the object."""
    properties: P
    old_properties: P | None
    """The previous properties on Update (``None`` if they no longer parse, and on Create/Delete)."""
    physical_id: str | None
    """The event's physical id (``None`` on Create); while polling, the id of the last ``InProgress``."""
    logical_id: str
    stack_id: str
    request_id: str
    resource_type: str
    deadline: Deadline
    """This invocation's time left minus a margin: give it to the API clients."""
    service_deadline: Deadline
    """When the whole operation (across polls) must be over."""
    owned_elsewhere: Callable[[str], bool] = _owned_nowhere
    """Whether an object (by physical id) is recorded for another stack or resource: an unknown-outcome
    look-up must never adopt such an object. The runtime gives ``ownership.OwnedElsewhere``, a value
    that reads the state table (it calls nothing back in the runtime)."""
    in_flight: Mapping[str, Any] | None = None
    """The in-flight create kept in the request's record before acting (what ``ResourceType.in_flight``
    returned), for the create step to use what it learnt (e.g. the objects that existed before)."""
    _noted: list[str] = msgspec.field(default_factory=list)
    _noted_lock: threading.Lock = msgspec.field(default_factory=threading.Lock)

    __repr__ = repr_hiding("owned_elsewhere", "in_flight", "_noted", "_noted_lock")

    def note_physical_id(self, physical_id: str) -> None:
        """Record the id of an object just created, before the call returns.

        If the invocation then fails or runs out of time, FAILED carries this id instead of a
        placeholder, claimed for this stack resource first so that CloudFormation's rollback Delete
        removes the object (an object another stack owns is never reported); at SUCCESS the claim is
        part of the request's completion (``runtime.ledger``).
        """
        with self._noted_lock:
            self._noted.append(physical_id)

    @property
    def call_deadline(self) -> Deadline:
        """What bounds one API call: the invocation's ``deadline`` or the operation's ``service_deadline``,
        whichever comes first (a poll near the end of ServiceTimeout must not run to the Lambda's limit).

        A ServiceTimeout shorter than the runtime's polling margin gives a service deadline that has
        passed before any call: then the invocation's deadline applies, and the runtime's own
        ServiceTimeout check (which names the property) decides once the operation returns.
        """
        if self.service_deadline.expired():
            return self.deadline
        return self.deadline.sooner(self.service_deadline)

    @property
    def noted_physical_id(self) -> str | None:
        with self._noted_lock:
            return self._noted[-1] if self._noted else None


class ResourceType[P: ResourceProperties]:
    """Base of a resource type; subclasses set the class attributes and implement the operations.

    ``create``/``update``/``delete`` return ``Done`` or ``InProgress``; ``poll`` continues an
    ``InProgress``. Failures are raised: ``ProviderError`` subclasses (``ValidationFailed`` for bad
    input), ``ApiError`` from the clients. A 404 ``ApiError`` from ``delete`` counts as already deleted.
    """

    type_name: str
    """The CloudFormation type, e.g. ``Custom::CloudBasicReplication``."""
    properties_model: type[P]
    replacement_properties: frozenset[str] = frozenset()
    """Top-level PascalCase property names whose change replaces the object."""
    removes_failed_replacement: bool = True
    """When a replacing Update fails after its new object exists, the runtime calls ``delete`` for the
    new id (CloudFormation only knows the old one then). Set False for a type whose ``delete`` cannot
    tell the new object from the old one (it would remove the object the stack still holds)."""

    def create(self, req: Request[P]) -> Outcome:
        raise NotImplementedError

    def update(self, req: Request[P]) -> Outcome:
        raise NotImplementedError

    def delete(self, req: Request[P]) -> Outcome:
        raise NotImplementedError

    def poll(self, req: Request[P], state: Mapping[str, Any]) -> Outcome:
        raise NotImplementedError(f"{type(self).__name__} does not poll")

    def in_flight(self, req: Request[P]) -> Mapping[str, Any] | None:
        """The ``poll`` state that finds the object of this create if its outcome is never known.

        Kept in the request's record, in the write that begins the request, before the create is called;
        it may read the API (e.g. list the objects that exist already) but never change anything, and what
        it raises fails the request before anything is created. If the invocation dies during the create
        (killed for memory, the Lambda timeout), the on-failure destination hands this state to ``poll``,
        whose look-up adopts the object (SUCCESS) or ends the create FAILED; a type whose object cannot be
        had back (a key pair shown only in the lost answer) has its ``poll`` answer FAILED naming the
        object, by ``Request.note_physical_id``. ``None``: a dead create is answered FAILED with a
        placeholder.
        """
        return None

    def owns_physical_id(self, physical_id: str) -> bool:
        """False for an id this type never makes (a Delete of it then touches nothing)."""
        return True

    def requires_replacement(self, new: Mapping[str, Any], old: Mapping[str, Any], *, stack_id: str) -> bool:
        """Whether an Update from ``old`` to ``new`` (raw ResourceProperties) replaces the object.

        ``stack_id`` is the requesting stack: a type that reads secrets to decide must read them as that
        stack (``cbprovider.secrets.sharing.read_shared_secret_json``).
        """
        return any(new.get(name) != old.get(name) for name in self.replacement_properties)
