"""What CloudFormation records about a stack while it sends a custom-resource request, played locally.

A provider acts only on requests that CloudFormation confirms (``cbprovider.runtime.confirmation``), so
whoever plays CloudFormation (``LocalStack``, the runtime tests) records in the ``CloudFormationApi``
stand-in, before each request, the stack status, resource status and IN_PROGRESS event CloudFormation
would have, and after the answer the resource's outcome:

- Create: stack ``CREATE_IN_PROGRESS`` (a new stack) or ``UPDATE_IN_PROGRESS``; resource
  ``CREATE_IN_PROGRESS``.
- Update: stack ``UPDATE_IN_PROGRESS`` (``UPDATE_ROLLBACK_IN_PROGRESS`` inside ``rolling_back()``);
  resource ``UPDATE_IN_PROGRESS`` with the event's physical id.
- Delete of the logical id's current physical id: resource ``DELETE_IN_PROGRESS`` (stack
  ``DELETE_IN_PROGRESS``, or a rollback status inside ``rolling_back()``).
- Delete of another physical id (the clean-up of a replaced object): stack
  ``UPDATE_COMPLETE_CLEANUP_IN_PROGRESS`` (``UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS`` inside
  ``rolling_back()``) and only a ``DELETE_IN_PROGRESS`` event for that physical id; the resource keeps its id.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from simulators.cloudformation_api import CloudFormationApi

_UNDER_WAY = ("CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS")


class CloudFormationPlay:
    """Records CloudFormation's side of each request in ``api`` (``before`` and ``after`` it)."""

    def __init__(self, api: CloudFormationApi) -> None:
        self.api = api
        self._rolling_back = False

    @contextmanager
    def rolling_back(self) -> Iterator[None]:
        """Requests sent inside are those of a rollback (an Update back, a rollback clean-up Delete)."""
        self._rolling_back = True
        try:
            yield
        finally:
            self._rolling_back = False

    def before(self, event: Mapping[str, Any]) -> None:
        """Record the state CloudFormation has while it waits for the answer to ``event``."""
        request_type = event.get("RequestType")
        stack_id = str(event.get("StackId"))
        physical_id = event.get("PhysicalResourceId")
        stack = self.api.stack(stack_id)
        if request_type == "Create":
            if stack is None:
                self.api.set_stack(stack_id, "CREATE_IN_PROGRESS")
            elif stack.status not in _UNDER_WAY:
                self.api.set_stack(stack_id, "UPDATE_IN_PROGRESS", new_operation=True)
            self._resource(event, "CREATE_IN_PROGRESS", None)
        elif request_type == "Update":
            if self._rolling_back:
                self.api.set_stack(stack_id, "UPDATE_ROLLBACK_IN_PROGRESS")
            elif stack is None or stack.status != "UPDATE_IN_PROGRESS":
                self.api.set_stack(stack_id, "UPDATE_IN_PROGRESS", new_operation=True)
            self._resource(event, "UPDATE_IN_PROGRESS", physical_id)
        elif request_type == "Delete":
            self._before_delete(event)

    def _before_delete(self, event: Mapping[str, Any]) -> None:
        stack_id, logical_id = str(event.get("StackId")), str(event.get("LogicalResourceId"))
        physical_id = event.get("PhysicalResourceId")
        current = self.api.resource(stack_id, logical_id)
        stack = self.api.stack(stack_id)
        if current is None or current.physical_id in (None, physical_id):
            status = "DELETE_IN_PROGRESS"
            if self._rolling_back:
                created = stack is None or stack.status.startswith(("CREATE", "ROLLBACK"))
                status = "ROLLBACK_IN_PROGRESS" if created else "UPDATE_ROLLBACK_IN_PROGRESS"
            self.api.set_stack(stack_id, status)
            self._resource(event, "DELETE_IN_PROGRESS", physical_id)
            return
        rollback = "ROLLBACK_" if self._rolling_back else ""
        self.api.set_stack(stack_id, f"UPDATE_{rollback}COMPLETE_CLEANUP_IN_PROGRESS")
        self._event(event, "DELETE_IN_PROGRESS", physical_id)

    def _resource(self, event: Mapping[str, Any], status: str, physical_id: Any) -> None:
        stack_id, logical_id = str(event.get("StackId")), str(event.get("LogicalResourceId"))
        kind = str(event.get("ResourceType"))
        self.api.set_resource(stack_id, logical_id, status, physical_id=physical_id, resource_type=kind)

    def _event(self, event: Mapping[str, Any], status: str, physical_id: Any) -> None:
        stack_id, logical_id = str(event.get("StackId")), str(event.get("LogicalResourceId"))
        kind = str(event.get("ResourceType"))
        self.api.add_event(stack_id, logical_id, status, physical_id=physical_id, resource_type=kind)

    def after(self, event: Mapping[str, Any], answer: Mapping[str, Any] | None) -> None:
        """Record the resource's outcome once ``answer`` (the response body, ``None``: none) came."""
        if answer is None:
            return
        request_type = event.get("RequestType")
        stack_id, logical_id = str(event.get("StackId")), str(event.get("LogicalResourceId"))
        outcome = "COMPLETE" if answer.get("Status") == "SUCCESS" else "FAILED"
        event_id = event.get("PhysicalResourceId")
        answered_id = answer.get("PhysicalResourceId") or event_id
        if request_type in ("Create", "Update"):
            kept = answered_id if outcome == "COMPLETE" or request_type == "Create" else event_id
            self._resource(event, f"{str(request_type).upper()}_{outcome}", kept)
            return
        current = self.api.resource(stack_id, logical_id)
        if current is not None and current.physical_id == event_id and current.status == "DELETE_IN_PROGRESS":
            self._resource(event, f"DELETE_{outcome}", event_id)
        else:
            self._event(event, f"DELETE_{outcome}", event_id)
