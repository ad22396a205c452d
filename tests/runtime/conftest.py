"""Runtime test fixtures: AWS from moto, the widget API, a provider, requests as CloudFormation sends them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from simulators.cloudformation_play import CloudFormationPlay
from simulators.stack import LambdaContext, record_owner
from tests.runtime.widgets import TYPE_NAME, Widget, WidgetSimulator

TABLE = "provider-state"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:provider"
STACK_ID = (
    "arn:aws:cloudformation:us-east-1:123456789012:stack/test-stack/0f1e2d3c-aaaa-bbbb-cccc-000000000000"
)


FakeContext = LambdaContext
"""Stands in for the Lambda runtime's context object (the one the local stack driver uses)."""


@pytest.fixture
def aws(monkeypatch) -> Iterator[Any]:
    """moto for every AWS call, with the state table created as the template declares it."""
    from moto import mock_aws

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("IDEMPOTENCY_TABLE", TABLE)
    monkeypatch.setenv("POLL_RULE_PREFIX", "cfnprov-")
    monkeypatch.delenv("STATE_KMS_KEY_ARN", raising=False)  # the poll state in clear, unless a test seals it
    with mock_aws():
        import boto3

        client = boto3.client("dynamodb")
        client.create_table(
            TableName=TABLE,
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield boto3


@pytest.fixture
def widgets() -> Iterator[WidgetSimulator]:
    with WidgetSimulator() as sim:
        yield sim


@pytest.fixture
def fast_timing():
    from cbprovider.runtime import Timing

    return Timing(response_base_delay=0.01, response_max_delay=0.05, response_timeout=2.0)


@pytest.fixture
def provider(aws, fast_timing):
    from cbprovider.runtime import Provider

    return Provider({TYPE_NAME: Widget()}, timing=fast_timing)


class Events:
    """Builds CloudFormation requests whose ResponseURL points at the receiver, and records in the
    CloudFormation stand-in what CloudFormation would while it waits for their answer."""

    def __init__(self, receiver: Any, widgets: WidgetSimulator, play: CloudFormationPlay) -> None:
        self.receiver = receiver
        self.widgets = widgets
        self.play = play

    def make(
        self,
        request_type: str,
        properties: dict[str, Any] | None = None,
        *,
        physical_id: str | None = None,
        old: dict[str, Any] | None = None,
        logical_id: str = "MyWidget",
        stack_id: str = STACK_ID,
        resource_type: str = TYPE_NAME,
        owned: bool = True,
    ) -> dict[str, Any]:
        """An event; an Update or Delete of ``physical_id`` comes from the object's owner unless
        ``owned`` is False (the object stands for one this stack resource created earlier)."""
        request_id = str(uuid.uuid4())
        props = {"ServiceToken": FUNCTION_ARN, "ApiUrl": self.widgets.url, "Name": "alpha"}
        props.update(properties or {})
        event: dict[str, Any] = {
            "RequestType": request_type,
            "ServiceToken": FUNCTION_ARN,
            "ResponseURL": self.receiver.url_for(request_id),
            "StackId": stack_id,
            "RequestId": request_id,
            "LogicalResourceId": logical_id,
            "ResourceType": resource_type,
            "ResourceProperties": props,
        }
        if physical_id is not None:
            event["PhysicalResourceId"] = physical_id
        if old is not None:
            old_props = {"ServiceToken": FUNCTION_ARN, "ApiUrl": self.widgets.url, "Name": "alpha"}
            old_props.update(old)
            event["OldResourceProperties"] = old_props
        if owned and physical_id is not None and request_type != "Create":
            record_owner(event)
        self.play.before(event)
        return event


@pytest.fixture
def events(cfn_receiver, widgets, cloudformation) -> Events:
    return Events(cfn_receiver, widgets, cloudformation)


def only_response(receiver: Any, event: dict[str, Any]) -> dict[str, Any]:
    """The one response to ``event`` (fails if there were none or several)."""
    found = receiver.responses_for(event["RequestId"])
    assert len(found) == 1, [r.body for r in found]
    body: dict[str, Any] = found[0].body
    return body
