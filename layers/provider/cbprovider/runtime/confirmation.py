"""CloudFormation itself confirms that a request is being carried out now, before anything is touched.

A request that passed ``genuine.screen_request`` names a stack of this account and region, but anyone
allowed to invoke the function could have written it. CloudFormation's own records (AWS user guide,
"Stack status codes" and "Monitor the progress of a stack update": a resource's IN_PROGRESS status
and event are recorded when CloudFormation starts on it and stay until the provider answers) say
whether it is genuine:

- Create: ``DescribeStackResource`` shows the logical id ``CREATE_IN_PROGRESS``.
- Update: ``UPDATE_IN_PROGRESS`` (or ``UPDATE_ROLLBACK_IN_PROGRESS``/``ROLLBACK_IN_PROGRESS`` while a
  rollback sends the Update with the properties swapped) with the event's ``PhysicalResourceId``.
- Delete: ``DELETE_IN_PROGRESS`` with the event's ``PhysicalResourceId``. When the logical id holds
  another id (the clean-up Delete of a replaced object in ``UPDATE_COMPLETE_CLEANUP_IN_PROGRESS``, the
  new object's Delete in ``UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS``) or is gone from the template,
  only a stack event confirms it: the newest event of the current operation (not older than the
  stack's ``LastUpdatedTime``/``CreationTime``/``DeletionTime``) for exactly that logical and physical
  id is ``DELETE_IN_PROGRESS``, while the stack is ``*_IN_PROGRESS``. The stack status alone never
  confirms: any Delete sent during a clean-up window would pass it.

CloudFormation's reads are eventually consistent: a check that does not confirm is tried again after
each of ``delays``. ``NotConfirmed``: the request gets no API call and no answer. ``ConfirmationUnavailable``
(throttled, access denied, unreachable): not a confirmation either; the caller answers FAILED, since the
URL already passed the host check and cannot reach anyone but CloudFormation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cbprovider.errors import ProviderError

UPDATE_STATUSES = frozenset({"UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS", "ROLLBACK_IN_PROGRESS"})
MAX_EVENT_PAGES = 20


class NotConfirmed(ProviderError):
    """CloudFormation does not show this request being carried out: it is not acted on or answered."""


class ConfirmationUnavailable(ProviderError):
    """CloudFormation could not be asked (throttling, access denied, no connection)."""


def _default_client(region: str) -> Any:
    import boto3
    from botocore.config import Config

    # Honours AWS_ENDPOINT_URL_CLOUDFORMATION (the local stand-in); short timeouts, few retries:
    # the answer has to come well within the invocation.
    config = Config(connect_timeout=3, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})
    return boto3.client("cloudformation", region_name=region, config=config)


class Confirmer:
    """Asks CloudFormation about one request; the client is made on first use, once per container."""

    def __init__(
        self,
        delays: Sequence[float] = (1.0, 2.0),
        *,
        client_factory: Callable[[str], Any] = _default_client,
    ) -> None:
        self._delays = tuple(delays)
        self._client_factory = client_factory
        self._client: Any = None
        self._lock = threading.Lock()

    def _cloudformation(self, region: str) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._client_factory(region)
            return self._client

    def confirm(self, event: Mapping[str, Any], region: str) -> None:
        """Return if CloudFormation confirms ``event``, else raise ``NotConfirmed`` or
        ``ConfirmationUnavailable``."""
        from botocore.exceptions import BotoCoreError, ClientError

        failure: str | None = None
        why = "not checked"
        for pause in (0.0, *self._delays):
            time.sleep(pause)
            try:
                found = self._check(self._cloudformation(region), event)
            except ClientError as error:
                failure = str(error.response.get("Error", {}).get("Code") or "ClientError")
                continue
            except BotoCoreError as error:
                failure = type(error).__name__
                continue
            if found is None:
                return
            why, failure = found, None
        if failure is not None:
            raise ConfirmationUnavailable(f"CloudFormation could not be asked about the request ({failure})")
        raise NotConfirmed(why)

    def _check(self, client: Any, event: Mapping[str, Any]) -> str | None:
        """``None`` if confirmed, else why not."""
        stack_id, logical_id = str(event["StackId"]), str(event["LogicalResourceId"])
        request_type = event["RequestType"]
        physical_id = str(event.get("PhysicalResourceId") or "")
        resource = _resource(client, stack_id, logical_id)
        status = str(resource.get("ResourceStatus") or "not in the stack") if resource else "not in the stack"
        current = str(resource.get("PhysicalResourceId") or "") if resource else ""
        if request_type == "Create":
            return None if status == "CREATE_IN_PROGRESS" else f"the resource is {status}, not being created"
        if request_type == "Update":
            if status in UPDATE_STATUSES and current == physical_id:
                return None
            return f"the resource is {status}, not being updated with this physical id"
        if status == "DELETE_IN_PROGRESS" and current == physical_id:
            return None
        if physical_id and _deletion_event(client, stack_id, logical_id, physical_id):
            return None
        return "no DELETE_IN_PROGRESS of this physical id in the stack's current operation"


def _resource(client: Any, stack_id: str, logical_id: str) -> dict[str, Any] | None:
    """The resource's detail, or ``None`` if the stack or the logical id does not exist."""
    from botocore.exceptions import ClientError

    try:
        found = client.describe_stack_resource(StackName=stack_id, LogicalResourceId=logical_id)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ValidationError":
            return None
        raise
    detail: dict[str, Any] = found["StackResourceDetail"]
    return detail


def _deletion_event(client: Any, stack_id: str, logical_id: str, physical_id: str) -> bool:
    """The newest event of the stack's current operation for this logical and physical id is
    ``DELETE_IN_PROGRESS`` (events come newest first; older operations are not read)."""
    from botocore.exceptions import ClientError

    try:
        stack = client.describe_stacks(StackName=stack_id)["Stacks"][0]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ValidationError":
            return False
        raise
    if not str(stack.get("StackStatus", "")).endswith("_IN_PROGRESS"):
        return False
    times = [stack.get(name) for name in ("CreationTime", "LastUpdatedTime", "DeletionTime")]
    since = max((t for t in times if t is not None), default=None)
    if since is None:
        return False
    token: str | None = None
    for _ in range(MAX_EVENT_PAGES):
        page = client.describe_stack_events(StackName=stack_id, **({"NextToken": token} if token else {}))
        for found in page.get("StackEvents", []):
            if found["Timestamp"] < since:
                return False
            if (found.get("LogicalResourceId"), found.get("PhysicalResourceId")) == (logical_id, physical_id):
                return bool(found.get("ResourceStatus") == "DELETE_IN_PROGRESS")
        token = page.get("NextToken")
        if not token:
            return False
    return False
