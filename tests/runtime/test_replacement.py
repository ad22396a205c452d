"""A replacing Update that fails after its new object exists: the runtime deletes that object.

CloudFormation is told the event's (old) id when an Update fails, so it never hears of the new object;
the runtime calls the type's ``delete`` for it and says in the reason what became of it.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import msgspec
from cbprovider.runtime import Provider, Timing
from cbprovider.runtime.reasons import MAX_REASON
from cbprovider.runtime.replacement import with_suffix

from tests.runtime.conftest import TABLE, FakeContext, only_response
from tests.runtime.widgets import TYPE_NAME, Widget

OLD = "w-0042"


def _seed_old(widgets: Any) -> None:
    widgets.widgets[OLD] = {"name": "alpha", "size": 1, "gets": 0}


def _replacing(events: Any, **properties: str) -> dict[str, Any]:
    return events.make(  # type: ignore[no-any-return]
        "Update", {"Name": "beta", **properties}, physical_id=OLD, old={"Name": "alpha"}
    )


def _poll_events(aws: Any) -> list[dict[str, Any]]:
    client = aws.client("events")
    found = []
    for rule in client.list_rules(NamePrefix="cfnprov-")["Rules"]:
        for target in client.list_targets_by_rule(Rule=rule["Name"])["Targets"]:
            found.append(json.loads(target["Input"]))
    return found


def _nothing_left(aws: Any) -> None:
    assert _poll_events(aws) == []
    items = aws.client("dynamodb").scan(TableName=TABLE)["Items"]
    assert [i for i in items if i["id"]["S"].startswith("poll#")] == []


def _methods(widgets: Any) -> list[str]:
    return [c.method for c in widgets.calls]


def test_a_failure_after_the_new_object_exists_deletes_it(provider, events, cfn_receiver, widgets):
    _seed_old(widgets)
    event = _replacing(events, FailAfterCreate="true")
    provider(event, FakeContext())
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("FAILED", OLD)
    assert body["Reason"].startswith("[InternalError] ValueError: unexpected error in the provider")
    assert body["Reason"].endswith("; removed the new w-0001")
    assert set(widgets.widgets) == {OLD}
    assert _methods(widgets) == ["POST", "DELETE"]


def test_a_failed_poll_of_the_new_object_deletes_it(provider, aws, events, cfn_receiver, widgets):
    _seed_old(widgets)
    event = _replacing(events, Wait="true", Name="breaks-soon")
    provider(event, FakeContext())
    assert cfn_receiver.responses == []
    (poll,) = _poll_events(aws)
    provider(poll, FakeContext())
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("FAILED", OLD)
    assert body["Reason"].startswith("[ApiError 200] Widgets GET failed with HTTP 200: widget is broken")
    assert body["Reason"].endswith("; removed the new w-0001")
    assert set(widgets.widgets) == {OLD}
    _nothing_left(aws)


def test_the_service_deadline_of_a_replacement_deletes_the_new_object(
    aws, events, cfn_receiver, widgets, fast_timing
):
    provider = Provider(
        {TYPE_NAME: Widget()}, timing=msgspec.structs.replace(fast_timing, service_margin=0.0)
    )
    _seed_old(widgets)
    widgets.ready_after = 1000
    event = _replacing(events, Wait="true", ServiceTimeout="1")
    provider(event, FakeContext())
    (poll,) = _poll_events(aws)
    time.sleep(1.1)
    provider(poll, FakeContext())
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("FAILED", OLD)
    assert body["Reason"].startswith("[ServiceTimeout] Custom::TestWidget create of w-0001 did not finish")
    assert body["Reason"].endswith("; removed the new w-0001")
    assert set(widgets.widgets) == {OLD}
    _nothing_left(aws)


def test_the_backstop_deletes_the_new_object_and_answers_once(aws, events, cfn_receiver, widgets):
    # The backstop fires 4 s in (8 s of Lambda time, 4 s reserved): time enough for the new object's
    # POST on a loaded CI runner, where 1 s was not. The check that follows the POST outlasts it.
    timing = Timing(backstop_reserve=4.0, work_reserve=0.5, response_base_delay=0.01)
    provider = Provider({TYPE_NAME: Widget()}, timing=timing)
    _seed_old(widgets)
    widgets.faults.add("GET /widgets/w-0001", delay=6.0)
    event = _replacing(events, CheckAfterCreate="true", IgnoreDeadline="true")
    started = time.monotonic()
    handler = threading.Thread(target=provider, args=(event, FakeContext(seconds=8.0)))
    handler.start()
    cfn_receiver.wait_for(event["RequestId"], timeout=10)
    answered_after = time.monotonic() - started
    assert "w-0001" not in widgets.widgets, "removed by the backstop while the check still waits"
    handler.join()
    assert answered_after < 6.0, "the backstop answers before the check ends and the Lambda deadline"
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("FAILED", OLD)
    assert body["Reason"].startswith("[Timeout] the provider could not finish")
    assert body["Reason"].endswith("; removed the new w-0001")
    assert set(widgets.widgets) == {OLD}
    _nothing_left(aws)


def test_a_failed_removal_keeps_the_reason_and_says_so(provider, events, cfn_receiver, widgets):
    _seed_old(widgets)
    widgets.faults.add(
        "DELETE /widgets/w-0001", status=403, body=json.dumps({"message": "denied " + "d" * 3000})
    )
    event = _replacing(events, FailAfterCreate="true")
    provider(event, FakeContext())
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("FAILED", OLD)
    reason = body["Reason"]
    assert reason.startswith("[InternalError] ValueError: unexpected error in the provider")
    assert "; could not remove the new w-0001: [ApiError 403] Widgets DELETE /widgets/w-0001" in reason
    assert len(reason) <= MAX_REASON
    assert set(widgets.widgets) == {OLD, "w-0001"}


def test_a_new_object_already_gone_is_reported_as_such(provider, events, cfn_receiver, widgets):
    _seed_old(widgets)
    widgets.faults.add("DELETE /widgets/w-0001", status=404, body=json.dumps({"message": "gone"}))
    event = _replacing(events, FailAfterCreate="true")
    provider(event, FakeContext())
    assert only_response(cfn_receiver, event)["Reason"].endswith("; the new w-0001 was already gone")


def test_a_replacement_that_made_nothing_deletes_nothing(provider, events, cfn_receiver, widgets):
    _seed_old(widgets)
    event = _replacing(events, Name="reject-me")
    provider(event, FakeContext())
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("FAILED", OLD)
    assert "removed" not in body["Reason"]
    assert _methods(widgets) == ["POST"]


def test_a_failed_in_place_update_or_create_deletes_nothing(provider, events, cfn_receiver, widgets):
    _seed_old(widgets)
    update = events.make("Update", {"Size": "2"}, physical_id="w-0777", old={"Size": "1"})
    provider(update, FakeContext())
    assert only_response(cfn_receiver, update)["Status"] == "FAILED"
    create = events.make("Create", {"FailAfterCreate": "true"})
    provider(create, FakeContext())
    body = only_response(cfn_receiver, create)
    assert (body["Status"], body["PhysicalResourceId"]) == ("FAILED", "w-0001")
    assert "DELETE" not in _methods(widgets), "a failed Create is removed by CloudFormation's rollback"
    assert set(widgets.widgets) == {OLD, "w-0001"}


class KeptWidget(Widget):
    removes_failed_replacement = False


def test_a_type_can_keep_the_new_object(aws, events, cfn_receiver, widgets, fast_timing):
    provider = Provider({TYPE_NAME: KeptWidget()}, timing=fast_timing)
    _seed_old(widgets)
    event = _replacing(events, FailAfterCreate="true")
    provider(event, FakeContext())
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("FAILED", OLD)
    assert _methods(widgets) == ["POST"]


def test_the_suffix_survives_a_reason_at_the_limit():
    reason = with_suffix("[ApiError 500] " + "x" * 5000, "; removed the new w-0001")
    assert len(reason) <= MAX_REASON
    assert reason.startswith("[ApiError 500] xxx")
    assert reason.endswith("...(truncated); removed the new w-0001")
