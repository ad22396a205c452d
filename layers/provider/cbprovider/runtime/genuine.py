"""Is this event a request from CloudFormation, for a stack of this account and region? (No API call.)

The provider is shared by every stack of its account and region, and anyone allowed to invoke the
function can hand it any event. Before anything is done or answered, an event must look like what
CloudFormation sends (``screen_request``); ``confirmation`` then asks CloudFormation itself.

**ResponseURL.** CloudFormation's response bucket of the function's own region (``response_url``);
``screen_request`` turns it into the ``ResponseUrl`` every answer to the request is sent to.

**StackId.** ``arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>`` with the partition,
region and account of the function's own ARN (the Lambda context's ``invoked_function_arn``).

**Poll events.** Exactly ``{"CfnProviderPoll": "poll#<40 hex>"}``: the EventBridge target Input that
``polling`` writes, nothing more (``poll_event``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec

from cbprovider.runtime.log import logger
from cbprovider.runtime.poll_event import POLL_KEY, poll_key_of
from cbprovider.runtime.response_url import (
    DNS_SUFFIXES,
    NotGenuine,
    ResponseUrl,
    check_response_url,
    response_hosts,
)

__all__ = [
    "POLL_FIELD",
    "FunctionIdentity",
    "NotGenuine",
    "ResponseUrl",
    "check_response_url",
    "check_stack_id",
    "log_refusal",
    "poll_key",
    "response_hosts",
    "screen_request",
]

POLL_FIELD = POLL_KEY

_FUNCTION_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):lambda:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+):(?P<account>\d{12}):function:"
)
_STACK_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):cloudformation:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"stack/[A-Za-z][A-Za-z0-9-]{0,127}/[A-Za-z0-9-]{1,64}"
)


class FunctionIdentity(msgspec.Struct, frozen=True):
    """Where the function runs: from its own ARN, which the caller cannot choose."""

    partition: str
    region: str
    account: str

    @classmethod
    def of(cls, context: Any) -> FunctionIdentity:
        arn = str(getattr(context, "invoked_function_arn", "") or "")
        found = _FUNCTION_ARN.match(arn)
        if found is None or found["partition"] not in DNS_SUFFIXES:
            raise NotGenuine("the function's own ARN (invoked_function_arn) is not a Lambda function ARN")
        return cls(found["partition"], found["region"], found["account"])


def check_stack_id(stack_id: object, identity: FunctionIdentity) -> None:
    """Raise ``NotGenuine`` unless ``stack_id`` is a stack ARN of the function's own partition, region
    and account."""
    found = _STACK_ARN.fullmatch(stack_id) if isinstance(stack_id, str) else None
    if found is None:
        raise NotGenuine("the StackId is not a CloudFormation stack ARN")
    if (found["partition"], found["region"], found["account"]) != (
        identity.partition,
        identity.region,
        identity.account,
    ):
        raise NotGenuine("the StackId is not a stack of this function's own account and region")


def screen_request(event: Mapping[str, Any], identity: FunctionIdentity) -> ResponseUrl:
    """The checks that need no API call: a CloudFormation request for a stack of ours, answered to
    CloudFormation (the checked URL returned). Raises ``NotGenuine``."""
    if event.get("RequestType") not in ("Create", "Update", "Delete"):
        raise NotGenuine("the event is neither a CloudFormation request nor a poll")
    for name in ("RequestId", "LogicalResourceId", "ResourceType"):
        if not isinstance(event.get(name), str) or not event.get(name):
            raise NotGenuine(f"the request has no {name}")
    url = ResponseUrl.checked(event.get("ResponseURL"), identity.region, identity.partition)
    check_stack_id(event.get("StackId"), identity)
    return url


def poll_key(event: Mapping[str, Any]) -> str | None:
    """The state key of a poll event; ``None`` if ``event`` does not carry the poll field at all.

    Raises ``NotGenuine`` for an event that carries the poll field but is not exactly a poll event.
    """
    if POLL_FIELD not in event:
        return None
    key = poll_key_of(event)
    if key is None:
        raise NotGenuine('a poll event must be exactly {"CfnProviderPoll": "poll#<40 hex>"}')
    return key


def log_refusal(event: Mapping[str, Any], refusal: Exception) -> None:
    """One warning naming the request (never its URL, properties or the whole event)."""

    def field(name: str) -> str:
        value = event.get(name) if isinstance(event, Mapping) else None
        return value[:300] if isinstance(value, str) else type(value).__name__

    logger.warning(
        "Not a genuine CloudFormation request: not acted on, not answered",
        extra={
            "why": str(refusal),
            "request_type": field("RequestType"),
            "resource_type": field("ResourceType"),
            "logical_resource_id": field("LogicalResourceId"),
            "physical_id": field("PhysicalResourceId"),
            "stack_id": field("StackId"),
            "request_id": field("RequestId"),
        },
    )
