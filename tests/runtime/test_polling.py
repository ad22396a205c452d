"""Long operations: an EventBridge rule per operation, state in DynamoDB, all removed at the end."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from cbprovider.runtime import Provider, Timing

from tests.runtime.conftest import TABLE, FakeContext, only_response
from tests.runtime.widgets import TYPE_NAME, Widget


def _rules(aws) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = aws.client("events").list_rules(NamePrefix="cfnprov-")["Rules"]
    return rules


def _poll_event(aws) -> dict[str, Any]:
    """The event EventBridge would deliver: the Input of the one poll rule's target."""
    rules = _rules(aws)
    assert len(rules) == 1
    targets = aws.client("events").list_targets_by_rule(Rule=rules[0]["Name"])["Targets"]
    assert len(targets) == 1
    event: dict[str, Any] = json.loads(targets[0]["Input"])
    return event


def _items(aws) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = aws.client("dynamodb").scan(TableName=TABLE)["Items"]
    return items


def _poll_items(aws) -> list[dict[str, Any]]:
    return [i for i in _items(aws) if i["id"]["S"].startswith("poll#")]


def _nothing_left(aws) -> None:
    assert _rules(aws) == []
    assert _poll_items(aws) == []


def test_in_progress_schedules_a_small_rule_then_polls_to_success(
    provider, aws, events, cfn_receiver, widgets
):
    widgets.ready_after = 2
    event = events.make("Create", {"Wait": "true"})
    provider(event, FakeContext())
    assert cfn_receiver.responses == [], "nothing is sent while the operation goes on"

    rule = _rules(aws)[0]
    assert len(rule["Name"]) <= 64
    assert rule["Name"].startswith("cfnprov-")
    assert rule["ScheduleExpression"] == "rate(1 minute)"
    target = aws.client("events").list_targets_by_rule(Rule=rule["Name"])["Targets"][0]
    assert target["Arn"] == FakeContext().invoked_function_arn
    assert len(target["Input"]) < 100
    assert event["ResponseURL"] not in target["Input"]
    state = _poll_items(aws)
    assert len(state) == 1
    assert int(state[0]["expiration"]["N"]) > time.time()

    poll = _poll_event(aws)
    provider(poll, FakeContext())
    assert cfn_receiver.responses == []
    assert len(_rules(aws)) == 1

    provider(poll, FakeContext())
    body = only_response(cfn_receiver, event)
    assert body["Status"] == "SUCCESS"
    assert body["PhysicalResourceId"] == "w-0001"
    assert body["Data"]["Checks"] == "1"
    _nothing_left(aws)
    assert [c.method for c in widgets.calls] == ["POST", "GET", "GET"]


def test_no_lambda_permission_is_added(provider, aws, events, cfn_receiver):
    """The template grants EventBridge invoke for the rule prefix; nothing per rule (no AddPermission)."""
    import io
    import zipfile

    role = aws.client("iam").create_role(RoleName="provider", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def lambda_handler(event, context):\n    return None\n")
    lam = aws.client("lambda")
    lam.create_function(
        FunctionName="provider",
        Runtime="python3.12",
        Role=role,
        Handler="app.lambda_handler",
        Code={"ZipFile": code.getvalue()},
    )
    event = events.make("Create", {"Wait": "true"})
    provider(event, FakeContext())
    provider(_poll_event(aws), FakeContext())
    assert only_response(cfn_receiver, event)["Status"] == "SUCCESS"
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_policy(FunctionName="provider")


def test_failure_while_polling_sends_failed_with_the_object_id(provider, aws, events, cfn_receiver):
    event = events.make("Create", {"Wait": "true", "Name": "breaks-soon"})
    provider(event, FakeContext())
    provider(_poll_event(aws), FakeContext())
    body = only_response(cfn_receiver, event)
    assert body["Status"] == "FAILED"
    assert body["PhysicalResourceId"] == "w-0001"
    assert body["Reason"].startswith("[ApiError 200] Widgets GET failed with HTTP 200: widget is broken")
    _nothing_left(aws)


def test_service_deadline_expiry_fails_and_cleans_up(aws, events, cfn_receiver, widgets, fast_timing):
    import msgspec

    provider = Provider(
        {TYPE_NAME: Widget()}, timing=msgspec.structs.replace(fast_timing, service_margin=0.0)
    )
    widgets.ready_after = 1000
    event = events.make("Create", {"Wait": "true", "ServiceTimeout": "1"})
    provider(event, FakeContext())
    poll = _poll_event(aws)
    time.sleep(1.1)
    provider(poll, FakeContext())
    body = only_response(cfn_receiver, event)
    assert body["Status"] == "FAILED"
    assert body["PhysicalResourceId"] == "w-0001", "a rollback Delete can remove the real object"
    assert body["Reason"].startswith("[ServiceTimeout] Custom::TestWidget create of w-0001 did not finish")
    _nothing_left(aws)


def test_service_timeout_is_capped_at_an_hour(provider, aws, events):
    before = time.time()
    provider(events.make("Create", {"Wait": "true", "ServiceTimeout": "86400"}), FakeContext())
    deadline = float(_poll_items(aws)[0]["deadline_at"]["N"])
    assert before + 3600 - 120 - 1 <= deadline <= time.time() + 3600 - 120


def test_duplicate_poll_delivery_polls_once(provider, aws, events, cfn_receiver, widgets):
    widgets.ready_after = 1000
    event = events.make("Create", {"Wait": "true"})
    provider(event, FakeContext())
    poll = _poll_event(aws)
    provider(poll, FakeContext())
    attempts = int(_poll_items(aws)[0]["attempt"]["N"])
    assert attempts == 2
    provider(poll, FakeContext())
    assert int(_poll_items(aws)[0]["attempt"]["N"]) == 3
    assert [c.method for c in widgets.calls] == ["POST", "GET", "GET"]


def test_poll_for_a_finished_operation_removes_its_rule(provider, aws, events, cfn_receiver):
    event = events.make("Create", {"Wait": "true"})
    provider(event, FakeContext())
    poll = _poll_event(aws)
    provider(poll, FakeContext())
    assert only_response(cfn_receiver, event)["Status"] == "SUCCESS"
    provider(poll, FakeContext())
    assert len(cfn_receiver.responses) == 1
    _nothing_left(aws)


def test_backstop_during_a_poll_fails_and_cleans_up(aws, events, cfn_receiver, widgets):
    timing = Timing(backstop_reserve=1.0, work_reserve=0.0, response_base_delay=0.01)
    provider = Provider({TYPE_NAME: Widget()}, timing=timing)
    event = events.make("Create", {"Wait": "true", "IgnoreDeadline": "true"})
    provider(event, FakeContext())
    widgets.faults.add("GET /widgets/w-0001", delay=1.5)
    provider(_poll_event(aws), FakeContext(seconds=1.6))
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("FAILED", "w-0001")
    _nothing_left(aws)


def test_rule_name_from_a_long_logical_id_and_stack_name_fits(provider, aws, events, cfn_receiver):
    stack = "arn:aws:cloudformation:us-east-1:123456789012:stack/" + "s" * 128 + "/0f1e2d3c-aaaa"
    event = events.make("Create", {"Wait": "true"}, logical_id="L" * 255, stack_id=stack)
    provider(event, FakeContext())
    (rule,) = _rules(aws)
    assert len(rule["Name"]) <= 64
    provider(_poll_event(aws), FakeContext())
    body = only_response(cfn_receiver, event)
    assert body["Status"] == "SUCCESS"
    _nothing_left(aws)


def test_delete_in_progress_polls_until_gone(aws, events, cfn_receiver, widgets, fast_timing):
    from cbprovider.runtime import Done, InProgress

    class SlowDelete(Widget):
        def delete(self, req):
            self._call(req, "DELETE", f"/widgets/{req.physical_id}")
            return InProgress(str(req.physical_id), {"checks": 0}, retry_after=150)

        def poll(self, req, state):
            self._call(req, "GET", f"/widgets/{req.physical_id}")
            return Done("ignored")

    provider = Provider({TYPE_NAME: SlowDelete()}, timing=fast_timing)
    widgets.widgets["w-0042"] = {"name": "alpha", "size": 1, "gets": 0}
    event = events.make("Delete", physical_id="w-0042")
    provider(event, FakeContext())
    assert _rules(aws)[0]["ScheduleExpression"] == "rate(3 minutes)"
    provider(_poll_event(aws), FakeContext())
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("SUCCESS", "w-0042")
    assert body["Reason"] == "already deleted"
    _nothing_left(aws)


def test_operation_already_past_its_deadline_fails_at_once(provider, aws, events, cfn_receiver):
    event = events.make("Create", {"Wait": "true", "ServiceTimeout": "60"})
    provider(event, FakeContext())
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("FAILED", "w-0001")
    assert body["Reason"].startswith("[ServiceTimeout]")
    _nothing_left(aws)


def test_poll_rate_follows_retry_after_but_never_passes_the_deadline(aws, events, cfn_receiver, fast_timing):
    from cbprovider.runtime import InProgress

    class Hourly(Widget):
        def create(self, req):
            created = self._call(req, "POST", "/widgets", {"name": req.properties.name})
            return InProgress(created["id"], {"checks": 0}, retry_after=3600)

        def poll(self, req, state):
            return InProgress(str(req.physical_id), {"checks": 1}, retry_after=30)

    provider = Provider({TYPE_NAME: Hourly()}, timing=fast_timing)
    event = events.make("Create", {"ServiceTimeout": "400"})
    provider(event, FakeContext())
    assert _rules(aws)[0]["ScheduleExpression"] == "rate(5 minutes)", "400 s - 120 s margin left"
    provider(_poll_event(aws), FakeContext())
    assert _rules(aws)[0]["ScheduleExpression"] == "rate(1 minute)"
    assert cfn_receiver.responses == []
