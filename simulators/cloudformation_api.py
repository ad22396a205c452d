"""A stand-in for the CloudFormation API: stacks, their resources' statuses and their events.

moto cannot model a stack whose custom resource is waiting for its provider's answer, so the provider's
confirmation that a request is genuine (``cbprovider.runtime.confirmation``) talks to this real HTTP
server instead, pointed at by ``AWS_ENDPOINT_URL_CLOUDFORMATION``. It speaks the Query API that botocore
uses (a form-encoded POST with ``Action=...``, XML answers in the 2010-05-15 namespace) for
``DescribeStacks``, ``DescribeStackResource``, ``DescribeStackResources`` and ``DescribeStackEvents``
(newest first, ``NextToken`` pages of ``events_page_size``). Tests and drivers set the state with the
Python methods: ``set_stack``, ``set_resource`` (which records the event CloudFormation would), ``add_event``.
Faults are keyed by action name.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from simulators.server import Request, Response, Simulator

NAMESPACE = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
CUSTOM = "AWS::CloudFormation::CustomResource"


@dataclass
class StackResource:
    logical_id: str
    status: str
    physical_id: str | None
    resource_type: str
    updated: datetime


@dataclass
class StackEvent:
    event_id: str
    logical_id: str
    physical_id: str | None
    resource_type: str
    status: str
    timestamp: datetime


@dataclass
class Stack:
    stack_id: str
    status: str
    created: datetime
    updated: datetime | None = None
    resources: dict[str, StackResource] = field(default_factory=dict)
    events: list[StackEvent] = field(default_factory=list)
    """Oldest first (answered newest first, as CloudFormation does)."""

    @property
    def name(self) -> str:
        return self.stack_id.split(":stack/", 1)[-1].split("/", 1)[0]


class CloudFormationApi(Simulator):
    """The CloudFormation Query API over what tests set with ``set_stack``/``set_resource``/``add_event``."""

    name = "cloudformation-api"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, events_page_size: int = 100) -> None:
        super().__init__(host=host, port=port)
        self.events_page_size = events_page_size
        self.stacks: dict[str, Stack] = {}
        self._lock = threading.RLock()
        self._last = datetime.now(UTC)

    # -- the Python API -------------------------------------------------------------------------
    def _now(self) -> datetime:
        """Strictly increasing timestamps, so that event order and operation start are unambiguous."""
        now = datetime.now(UTC)
        self._last = max(now, self._last + timedelta(microseconds=1))
        return self._last

    def stack(self, stack_id: str) -> Stack | None:
        with self._lock:
            return self.stacks.get(stack_id)

    def set_stack(self, stack_id: str, status: str, *, new_operation: bool = False) -> Stack:
        """Set the stack's status (creating the stack if needed); ``new_operation`` starts an operation
        now (``LastUpdatedTime``), so that older events belong to earlier operations."""
        with self._lock:
            stack = self.stacks.get(stack_id)
            if stack is None:
                stack = self.stacks[stack_id] = Stack(stack_id, status, self._now())
            elif new_operation:
                stack.updated = self._now()
            if stack.status != status:
                stack.status = status
                kind = "AWS::CloudFormation::Stack"
                event = StackEvent(str(uuid.uuid4()), stack.name, stack_id, kind, status, self._now())
                stack.events.append(event)
            return stack

    def set_resource(
        self,
        stack_id: str,
        logical_id: str,
        status: str,
        *,
        physical_id: str | None = None,
        resource_type: str = CUSTOM,
    ) -> None:
        """The resource's status and physical id now, with the event CloudFormation records for it."""
        with self._lock:
            stack = self.stacks.get(stack_id) or self.set_stack(stack_id, "CREATE_IN_PROGRESS")
            now = self._now()
            stack.resources[logical_id] = StackResource(logical_id, status, physical_id, resource_type, now)
            event = StackEvent(str(uuid.uuid4()), logical_id, physical_id, resource_type, status, now)
            stack.events.append(event)

    def add_event(
        self,
        stack_id: str,
        logical_id: str,
        status: str,
        *,
        physical_id: str | None,
        resource_type: str = CUSTOM,
    ) -> None:
        """An event alone: e.g. the DELETE_IN_PROGRESS of a replaced object (its logical id holds another)."""
        with self._lock:
            stack = self.stacks.get(stack_id) or self.set_stack(stack_id, "CREATE_IN_PROGRESS")
            stack.events.append(
                StackEvent(str(uuid.uuid4()), logical_id, physical_id, resource_type, status, self._now())
            )

    def remove_resource(self, stack_id: str, logical_id: str) -> None:
        with self._lock:
            stack = self.stacks.get(stack_id)
            if stack is not None:
                stack.resources.pop(logical_id, None)

    def resource(self, stack_id: str, logical_id: str) -> StackResource | None:
        with self._lock:
            stack = self.stacks.get(stack_id)
            return None if stack is None else stack.resources.get(logical_id)

    # -- the HTTP API ---------------------------------------------------------------------------
    def fault_keys(self, request: Request) -> tuple[str, ...]:
        return (_params(request).get("Action", ""), "*")

    def error_response(self, request: Request, status: int) -> Response:
        code = {400: "Throttling", 429: "Throttling", 403: "AccessDenied"}.get(status, "InternalFailure")
        return _error(status, code, f"injected HTTP {status}")

    def handle(self, request: Request) -> Response:
        if request.method != "POST":
            return _error(400, "InvalidAction", "the Query API is POST only here")
        params = _params(request)
        action = params.get("Action", "")
        answer = {
            "DescribeStacks": self._describe_stacks,
            "DescribeStackResource": self._describe_stack_resource,
            "DescribeStackResources": self._describe_stack_resources,
            "DescribeStackEvents": self._describe_stack_events,
        }.get(action)
        if answer is None:
            return _error(400, "InvalidAction", f"{action or 'no action'} is not served by the stand-in")
        with self._lock:
            stack = self._find(params.get("StackName", ""))
            if stack is None:
                missing = f"Stack with id {params.get('StackName')} does not exist"
                return _error(400, "ValidationError", missing)
            result = answer(stack, params)
        if isinstance(result, Response):
            return result
        body = (
            f'<{action}Response xmlns="{NAMESPACE}"><{action}Result>{result}</{action}Result>'
            f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></{action}Response>"
        )
        return Response(200, body.encode(), {"Content-Type": "text/xml"})

    def _find(self, name: str) -> Stack | None:
        if name in self.stacks:
            return self.stacks[name]
        live = [s for s in self.stacks.values() if s.name == name and s.status != "DELETE_COMPLETE"]
        return live[-1] if live else None

    @staticmethod
    def _describe_stacks(stack: Stack, params: dict[str, str]) -> str:
        updated = _tag("LastUpdatedTime", _time(stack.updated)) if stack.updated else ""
        return (
            f"<Stacks><member>{_tag('StackName', stack.name)}{_tag('StackId', stack.stack_id)}"
            f"{_tag('CreationTime', _time(stack.created))}{updated}{_tag('StackStatus', stack.status)}"
            "</member></Stacks>"
        )

    @staticmethod
    def _describe_stack_resource(stack: Stack, params: dict[str, str]) -> str | Response:
        found = stack.resources.get(params.get("LogicalResourceId", ""))
        if found is None:
            message = f"Resource {params.get('LogicalResourceId')} does not exist for stack {stack.name}"
            return _error(400, "ValidationError", message)
        return f"<StackResourceDetail>{_resource(stack, found, 'LastUpdatedTimestamp')}</StackResourceDetail>"

    @staticmethod
    def _describe_stack_resources(stack: Stack, params: dict[str, str]) -> str:
        wanted = params.get("LogicalResourceId")
        members = "".join(
            f"<member>{_resource(stack, r, 'Timestamp')}</member>"
            for r in stack.resources.values()
            if wanted is None or r.logical_id == wanted
        )
        return f"<StackResources>{members}</StackResources>"

    def _describe_stack_events(self, stack: Stack, params: dict[str, str]) -> str:
        newest_first = list(reversed(stack.events))
        start = int(params.get("NextToken") or 0)
        page = newest_first[start : start + self.events_page_size]
        members = "".join(
            "<member>"
            + _tag("StackId", stack.stack_id)
            + _tag("EventId", e.event_id)
            + _tag("StackName", stack.name)
            + _tag("LogicalResourceId", e.logical_id)
            + (_tag("PhysicalResourceId", e.physical_id) if e.physical_id else "")
            + _tag("ResourceType", e.resource_type)
            + _tag("Timestamp", _time(e.timestamp))
            + _tag("ResourceStatus", e.status)
            + "</member>"
            for e in page
        )
        following = start + self.events_page_size
        token = _tag("NextToken", str(following)) if following < len(newest_first) else ""
        return f"<StackEvents>{members}</StackEvents>{token}"


def _params(request: Request) -> dict[str, str]:
    parsed = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in parsed.items()}


def _tag(name: str, value: str) -> str:
    return f"<{name}>{escape(value)}</{name}>"


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _resource(stack: Stack, resource: StackResource, time_tag: str) -> str:
    physical = _tag("PhysicalResourceId", resource.physical_id) if resource.physical_id else ""
    return (
        f"{_tag('StackName', stack.name)}{_tag('StackId', stack.stack_id)}"
        f"{_tag('LogicalResourceId', resource.logical_id)}{physical}"
        f"{_tag('ResourceType', resource.resource_type)}"
        f"{_tag(time_tag, _time(resource.updated))}{_tag('ResourceStatus', resource.status)}"
    )


def _error(status: int, code: str, message: str) -> Response:
    body = (
        f'<ErrorResponse xmlns="{NAMESPACE}"><Error><Type>Sender</Type>{_tag("Code", code)}'
        f"{_tag('Message', message)}</Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
    return Response(status, body.encode(), {"Content-Type": "text/xml"})
