"""Long operations are polled inside the invocation that started them while it has time to spare, so an
operation that ends a few seconds later is answered then; what outlasts the invocation goes to a rule."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from simulators.stack import LambdaContext
from tests.runtime.conftest import Events, only_response


def _rules() -> list[str]:
    return [rule["Name"] for rule in boto3.client("events").list_rules().get("Rules", [])]


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch, aws: Any, fast_timing: Any) -> Any:
    import msgspec
    from cbprovider.runtime import Provider

    from tests.runtime.widgets import TYPE_NAME, Widget

    timing = msgspec.structs.replace(fast_timing, inline_poll_interval=0.2, inline_poll_margin=1.0)
    return Provider({TYPE_NAME: Widget()}, timing=timing)


def test_an_operation_that_ends_soon_is_answered_by_the_same_invocation(
    in_process: Any, events: Events, cfn_receiver: Any, widgets: Any
) -> None:
    widgets.ready_after = 3
    event = events.make("Create", {"Wait": "true"})
    in_process(event, LambdaContext(seconds=30))
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["Data"]["Checks"]) == ("SUCCESS", "2")
    assert _rules() == []


def test_an_operation_that_outlasts_the_invocation_goes_to_a_rule(
    in_process: Any, events: Events, cfn_receiver: Any, widgets: Any
) -> None:
    widgets.ready_after = 10_000
    event = events.make("Create", {"Wait": "true"})
    in_process(event, LambdaContext(seconds=11))
    assert cfn_receiver.responses_for(event["RequestId"]) == []
    assert len(_rules()) == 1
    gets = [call for call in widgets.arrived if call.startswith("GET")]
    assert len(gets) >= 3, "the invocation did not poll while it had time"
