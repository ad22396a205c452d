"""Long operations across invocations: state in DynamoDB, a schedule on EventBridge.

Unlike crhelper's poller (a rule named after the logical id, a Lambda permission per rule and a target
whose Input is the whole event), a poll here is a rule ``<prefix><40 hex>`` (at most 64 characters)
whose target Input is only ``{"CfnProviderPoll": "<state key>"}``. The event and the resource's small
state live in the state table (key ``poll#<40 hex>``, TTL attribute ``expiration``). The template grants
EventBridge invoke permission for every rule with the prefix, so no permission is added per rule.

The presigned ResponseURL is the one part of the event that lets anyone answer for the stack, and the
answer needs all of it (its signature included). It is not stored in clear: with ``STATE_KMS_KEY_ARN``
set (the template always sets it to the provider stack's own key, ``StateKey``) it is encrypted with KMS,
bound to the state key by the encryption context, in the item's ``response_url`` attribute; the stored
event has none. Without a key (``sam local``, the local demo) the URL stays in the event, with a warning.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from cbprovider.runtime.ids import rule_name
from cbprovider.runtime.log import logger
from cbprovider.runtime.poll_event import POLL_KEY, STATE_PREFIX
from cbprovider.runtime.sealing import KEY_ENV as SEALING_KEY_ENV
from cbprovider.runtime.sealing import seal, unseal

TARGET_ID = "poll"
_CONTEXT_KEY = "cfn-replication-provider:poll-state"


class PollState(msgspec.Struct, frozen=True):
    """What survives between the invocations of one long operation."""

    key: str
    event: dict[str, Any]
    """The original CloudFormation request."""
    physical_id: str
    phase: str
    state: dict[str, Any]
    attempt: int
    started_at: float
    """Epoch seconds of the first invocation."""
    deadline_at: float
    """Epoch seconds after which the operation is FAILED."""
    minutes: int = 1
    """The rule's current rate."""


def state_key(digest: str) -> str:
    return STATE_PREFIX + digest


def rule_for(key: str) -> str:
    return rule_name(os.environ.get("POLL_RULE_PREFIX", "cfnprov-"), key[len(STATE_PREFIX) :])


def poll_minutes(retry_after: float, seconds_left: float) -> int:
    """The rate in whole minutes: ``retry_after`` rounded up, but no later than the deadline allows."""
    wanted = min(retry_after, max(60.0, seconds_left))
    return max(1, math.ceil(wanted / 60))


def schedule_expression(minutes: int) -> str:
    return "rate(1 minute)" if minutes == 1 else f"rate({minutes} minutes)"


class Poller:
    """Saves, loads and removes poll state and its rule and target."""

    def __init__(self, table_name: str, *, dynamodb: Any = None, events: Any = None, kms: Any = None) -> None:
        self._table_name = table_name
        self._dynamodb = dynamodb
        self._events = events
        self._kms = kms

    def _kms_client(self) -> Any:
        if self._kms is None:
            import boto3

            self._kms = boto3.client("kms")
        return self._kms

    def _sealed_event(self, poll: PollState) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The event to store, and the encrypted ResponseURL attribute (``None`` without a key)."""
        key_arn = os.environ.get(SEALING_KEY_ENV, "").strip()
        url = poll.event.get("ResponseURL")
        if not key_arn or not isinstance(url, str):
            if url:
                logger.warning("STATE_KMS_KEY_ARN is not set: the poll state keeps the ResponseURL in clear")
            return poll.event, None
        sealed = seal({"ResponseURL": url}, context={_CONTEXT_KEY: poll.key}, client=self._kms_client())
        event = {k: v for k, v in poll.event.items() if k != "ResponseURL"}
        return event, {"S": sealed}

    def _opened_event(self, key: str, item: Mapping[str, Any]) -> dict[str, Any]:
        event: dict[str, Any] = json.loads(item["event"]["S"])
        sealed = item.get("response_url")
        if sealed is not None:
            opened = unseal(sealed["S"], context={_CONTEXT_KEY: key}, client=self._kms_client())
            event["ResponseURL"] = opened["ResponseURL"]
        return event

    def _ddb(self) -> Any:
        if self._dynamodb is None:
            import boto3

            self._dynamodb = boto3.client("dynamodb")
        return self._dynamodb

    def _eb(self) -> Any:
        if self._events is None:
            import boto3

            self._events = boto3.client("events")
        return self._events

    def save(self, poll: PollState) -> None:
        event, sealed_url = self._sealed_event(poll)
        item: dict[str, Any] = {
            "id": {"S": poll.key},
            "event": {"S": json.dumps(event)},
            "physical_id": {"S": poll.physical_id},
            "phase": {"S": poll.phase},
            "state": {"S": json.dumps(poll.state)},
            "attempt": {"N": str(poll.attempt)},
            "started_at": {"N": repr(poll.started_at)},
            "deadline_at": {"N": repr(poll.deadline_at)},
            "minutes": {"N": str(poll.minutes)},
            "expiration": {"N": str(int(poll.deadline_at) + 86400)},
        }
        if sealed_url is not None:
            item["response_url"] = sealed_url
        self._ddb().put_item(TableName=self._table_name, Item=item)

    def load(self, key: str) -> PollState | None:
        found = self._ddb().get_item(TableName=self._table_name, Key={"id": {"S": key}}, ConsistentRead=True)
        item = found.get("Item")
        if not item:
            return None
        return PollState(
            key=key,
            event=self._opened_event(key, item),
            physical_id=item["physical_id"]["S"],
            phase=item["phase"]["S"],
            state=json.loads(item["state"]["S"]),
            attempt=int(item["attempt"]["N"]),
            started_at=float(item["started_at"]["N"]),
            deadline_at=float(item["deadline_at"]["N"]),
            minutes=int(item["minutes"]["N"]),
        )

    def schedule(self, key: str, function_arn: str, minutes: int) -> str:
        """Create the rule and the target that invoke ``function_arn`` with the poll event."""
        name = self.reschedule(key, minutes)
        self._eb().put_targets(
            Rule=name,
            Targets=[{"Id": TARGET_ID, "Arn": function_arn, "Input": json.dumps({POLL_KEY: key})}],
        )
        return name

    def reschedule(self, key: str, minutes: int) -> str:
        """Create the rule, or change its rate."""
        name = rule_for(key)
        self._eb().put_rule(
            Name=name,
            ScheduleExpression=schedule_expression(minutes),
            State="ENABLED",
            Description="Polls a long CloudFormation custom-resource operation; removed when it ends",
        )
        logger.info("Poll scheduled", extra={"rule": name, "minutes": minutes})
        return name

    def remove(self, key: str) -> None:
        """Remove the target, the rule and the state; what is already gone is fine."""
        name = rule_for(key)
        eb = self._eb()
        steps: list[Callable[[], object]] = [
            lambda: eb.remove_targets(Rule=name, Ids=[TARGET_ID]),
            lambda: eb.delete_rule(Name=name),
            lambda: self._ddb().delete_item(TableName=self._table_name, Key={"id": {"S": key}}),
        ]
        for step in steps:
            try:
                step()
            except Exception as error:
                code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
                if code != "ResourceNotFoundException":
                    logger.warning(
                        "Poll clean-up step failed", extra={"rule": name, "error": type(error).__name__}
                    )
        logger.info("Poll removed", extra={"rule": name})
