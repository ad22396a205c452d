"""The response document and its delivery: size limits, bounded retries, one response, the backstop."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from cbprovider.runtime import Provider, Request, Timing, is_placeholder
from cbprovider.runtime.response import MAX_BODY, Answer, build_body

from tests.runtime.conftest import FakeContext, only_response
from tests.runtime.widgets import TYPE_NAME, Widget, WidgetProperties

EVENT = {"StackId": "arn:stack", "RequestId": "r-1", "LogicalResourceId": "L"}


def test_long_reason_keeps_its_start_and_the_body_fits(provider, events, cfn_receiver):
    event = events.make("Create", {"Name": "reject-long"})
    provider(event, FakeContext())
    captured = cfn_receiver.wait_for(event["RequestId"], timeout=1)
    reason = captured.body["Reason"]
    assert reason.startswith(
        "[ApiError 400] Widgets POST /widgets failed with HTTP 400: reject-long is rejected"
    )
    assert reason.endswith("...(truncated)")
    assert captured.size < MAX_BODY


def test_reason_is_cut_further_when_data_is_large():
    answer = Answer("FAILED", "id-1", "[ApiError 500] " + "é" * 5000, {"K": "v" * 2500})
    body = build_body(answer, EVENT)
    assert len(body) <= MAX_BODY
    document = json.loads(body)
    assert document["Reason"].startswith("[ApiError 500] éé")
    assert document["Data"] == {"K": "v" * 2500}


def test_huge_data_becomes_a_failure_that_says_so(provider, events, cfn_receiver):
    event = events.make("Create", {"DataBytes": "5000"})
    provider(event, FakeContext())
    captured = cfn_receiver.wait_for(event["RequestId"], timeout=1)
    assert captured.size < MAX_BODY
    assert captured.body["Status"] == "FAILED"
    assert captured.body["Reason"].startswith("[ResponseTooLarge] the resource's Data is")
    assert captured.body["Data"] == {}
    assert captured.body["PhysicalResourceId"] == "w-0001"


def test_response_url_failing_twice_then_accepting_gets_one_response(provider, events, cfn_receiver):
    event = events.make("Create")
    cfn_receiver.faults.fail_times(cfn_receiver.path_for(event["RequestId"]), 2, status=503)
    provider(event, FakeContext())
    assert only_response(cfn_receiver, event)["Status"] == "SUCCESS"
    assert [c.status for c in cfn_receiver.calls] == [503, 503, 200]


def test_response_url_failing_forever_gives_up_in_bounded_time(provider, events, cfn_receiver, caplog):
    caplog.set_level(logging.INFO)
    event = events.make("Create")
    cfn_receiver.faults.add(cfn_receiver.path_for(event["RequestId"]), status=403, times=None)
    started = time.monotonic()
    provider(event, FakeContext())
    assert time.monotonic() - started < 5
    assert cfn_receiver.responses == []
    assert [c.status for c in cfn_receiver.calls] == [403] * 5
    failures = [r for r in caplog.records if r.getMessage() == "Response PUT failed"]
    assert [r.error for r in failures] == ["HTTP 403"] * 5
    gave_up = [r for r in caplog.records if r.getMessage() == "Giving up sending the response"]
    assert len(gave_up) == 1
    for record in [*failures, *gave_up]:
        assert record.response_url == cfn_receiver.url + cfn_receiver.path_for(event["RequestId"])


def test_dropped_connections_are_retried(provider, events, cfn_receiver):
    event = events.make("Create")
    cfn_receiver.faults.add(cfn_receiver.path_for(event["RequestId"]), drop=True, times=1)
    provider(event, FakeContext())
    assert only_response(cfn_receiver, event)["Status"] == "SUCCESS"


SHORT_INVOCATION = 3.0
SLOW_API = 2.5


def _settled(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Whether ``check`` holds within ``timeout`` (a slow call ends on the server's time, not ours)."""
    until = time.monotonic() + timeout
    while not check() and time.monotonic() < until:
        time.sleep(0.05)
    return check()


def _slow_provider(widget: Widget | None = None) -> Provider:
    # The backstop fires 2 s into a 3 s invocation (time to reach the call on a busy machine); the widget
    # API (SLOW_API seconds) answers after it.
    timing = Timing(backstop_reserve=1.0, work_reserve=0.0, response_base_delay=0.01)
    return Provider({TYPE_NAME: widget or Widget()}, timing=timing)


class WidgetWithoutLookUp(Widget):
    """A type that cannot look its objects up (no in-flight create)."""

    def in_flight(self, req: Request[WidgetProperties]) -> Mapping[str, Any] | None:
        return None


def _poll_events() -> list[dict[str, Any]]:
    import boto3

    events = boto3.client("events")
    rules = events.list_rules(NamePrefix="cfnprov-")["Rules"]
    return [
        json.loads(target["Input"])
        for rule in rules
        for target in events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    ]


def test_backstop_hands_a_create_in_flight_over_to_its_look_up(aws, events, cfn_receiver, widgets):
    """The create call outlasts the invocation: answering FAILED with a placeholder would orphan the
    widget the API makes a moment later; the backstop hands the create to its look-up instead."""
    provider = _slow_provider()
    widgets.faults.add("POST /widgets", delay=SLOW_API)
    event = events.make("Create", {"IgnoreDeadline": "true"})
    provider(event, FakeContext(seconds=SHORT_INVOCATION))
    assert _settled(lambda: "w-0001" in widgets.widgets), "the slow call completed after the backstop fired"
    assert not cfn_receiver.responses_for(event["RequestId"]), "answered while the create was in flight"
    polls = _poll_events()
    assert len(polls) == 1, "the look-up is scheduled on a poll rule"
    provider(polls[0], FakeContext(seconds=60))
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("SUCCESS", "w-0001")
    assert not _poll_events(), "the poll rule is removed once answered"


def test_backstop_sends_one_failed_with_a_placeholder_without_a_look_up(aws, events, cfn_receiver, widgets):
    provider = _slow_provider(WidgetWithoutLookUp())
    widgets.faults.add("POST /widgets", delay=SLOW_API)
    event = events.make("Create", {"IgnoreDeadline": "true"})
    started = time.monotonic()
    provider(event, FakeContext(seconds=SHORT_INVOCATION))
    first = cfn_receiver.wait_for(event["RequestId"], timeout=5)
    assert _settled(lambda: "w-0001" in widgets.widgets)
    assert time.monotonic() - started >= SHORT_INVOCATION - 1.0 - 0.1
    body = only_response(cfn_receiver, event)
    assert body is first.body
    assert body["Status"] == "FAILED"
    assert body["Reason"].startswith("[Timeout] the provider could not finish before its Lambda")
    assert is_placeholder(body["PhysicalResourceId"])
    assert "w-0001" in widgets.widgets, "the slow call completed after the backstop answered"


def test_backstop_reports_an_object_noted_before_the_deadline(aws, events, cfn_receiver, widgets):
    provider = _slow_provider()
    widgets.faults.add("GET /widgets/w-0001", delay=SLOW_API)
    event = events.make("Create", {"IgnoreDeadline": "true", "CheckAfterCreate": "true"})
    provider(event, FakeContext(seconds=SHORT_INVOCATION))
    time.sleep(0.2)
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("FAILED", "w-0001")


def test_backstop_uses_the_event_id_on_update(aws, events, cfn_receiver, widgets):
    provider = _slow_provider()
    widgets.widgets["w-0042"] = {"name": "alpha", "size": 1, "gets": 0}
    widgets.faults.add("PUT /widgets/w-0042", delay=SLOW_API)
    event = events.make(
        "Update", {"Size": "2", "IgnoreDeadline": "true"}, physical_id="w-0042", old={"Size": "1"}
    )
    provider(event, FakeContext(seconds=SHORT_INVOCATION))
    time.sleep(0.2)
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("FAILED", "w-0042")


def test_an_api_message_that_echoes_a_password_is_scrubbed_from_the_reason():
    from cbprovider.errors import ApiError
    from cbprovider.runtime.reasons import reason_for

    error = ApiError(
        service="CloudBasic",
        operation="CreateReplication",
        status=400,
        messages=["cannot connect with Data Source=db,1433;User ID=admin;Password=Hunter2-Secret;"],
    )
    reason = reason_for(error, request_id="r1")
    assert "Hunter2-Secret" not in reason
    assert reason.startswith("[ApiError 400] CloudBasic CreateReplication failed with HTTP 400: cannot")
