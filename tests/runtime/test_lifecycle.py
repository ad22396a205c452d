"""Create, Update and Delete through the runtime, answered over HTTP to the response receiver."""

from __future__ import annotations

import time

from cbprovider.runtime import is_placeholder

from tests.runtime.conftest import FakeContext, only_response


def test_create_returns_the_new_id_and_data(provider, events, cfn_receiver, widgets):
    event = events.make("Create", {"Size": "3"})
    provider(event, FakeContext())
    body = only_response(cfn_receiver, event)
    assert body["Status"] == "SUCCESS"
    assert body["PhysicalResourceId"] == "w-0001"
    assert body["Data"] == {"WidgetId": "w-0001", "Size": "3"}
    assert body["RequestId"] == event["RequestId"]
    assert body["StackId"] == event["StackId"]
    assert body["LogicalResourceId"] == "MyWidget"
    assert widgets.widgets["w-0001"]["size"] == 3


def test_response_is_put_with_an_empty_content_type(provider, events, cfn_receiver):
    event = events.make("Create")
    provider(event, FakeContext())
    captured = cfn_receiver.wait_for(event["RequestId"], timeout=1)
    assert captured.content_type == ""
    assert captured.size == len(captured.raw) < 4096


def test_update_in_place_keeps_the_id(provider, events, cfn_receiver, widgets):
    widgets.widgets["w-0042"] = {"name": "alpha", "size": 1, "gets": 0}
    event = events.make("Update", {"Size": "7"}, physical_id="w-0042", old={"Size": "1"})
    provider(event, FakeContext())
    body = only_response(cfn_receiver, event)
    assert body["Status"] == "SUCCESS"
    assert body["PhysicalResourceId"] == "w-0042"
    assert widgets.widgets["w-0042"]["size"] == 7
    assert [c.method for c in widgets.calls] == ["PUT"]


def test_update_of_a_replacement_property_creates_a_new_object(provider, events, cfn_receiver, widgets):
    widgets.widgets["w-0042"] = {"name": "alpha", "size": 1, "gets": 0}
    event = events.make("Update", {"Name": "beta"}, physical_id="w-0042", old={"Name": "alpha"})
    provider(event, FakeContext())
    body = only_response(cfn_receiver, event)
    assert body["Status"] == "SUCCESS"
    assert body["PhysicalResourceId"] == "w-0001"
    assert "w-0042" in widgets.widgets, "the old object is left for CloudFormation's Delete"
    assert [c.method for c in widgets.calls] == ["POST"]


def test_delete_removes_the_object_and_answers_quickly(provider, events, cfn_receiver, widgets):
    widgets.widgets["w-0042"] = {"name": "alpha", "size": 1, "gets": 0}
    event = events.make("Delete", physical_id="w-0042")
    started = time.monotonic()
    provider(event, FakeContext(seconds=300))
    assert time.monotonic() - started < 5, "no crhelper-style sleep before a Delete response"
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("SUCCESS", "w-0042")
    assert widgets.widgets == {}


def test_delete_of_an_object_already_gone_succeeds(provider, events, cfn_receiver, widgets):
    event = events.make("Delete", physical_id="w-0999")
    provider(event, FakeContext())
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("SUCCESS", "w-0999")
    assert [c.status for c in widgets.calls] == [404]


def test_failed_create_returns_a_placeholder_that_delete_ignores(provider, events, cfn_receiver, widgets):
    create = events.make("Create", {"Name": "reject-me"})
    provider(create, FakeContext())
    failed = only_response(cfn_receiver, create)
    assert failed["Status"] == "FAILED"
    assert is_placeholder(failed["PhysicalResourceId"])
    assert failed["PhysicalResourceId"].startswith("failed-create-MyWidget-")
    calls = len(widgets.calls)

    delete = events.make("Delete", {"Name": "reject-me"}, physical_id=failed["PhysicalResourceId"])
    provider(delete, FakeContext())
    body = only_response(cfn_receiver, delete)
    assert (body["Status"], body["PhysicalResourceId"]) == ("SUCCESS", failed["PhysicalResourceId"])
    assert len(widgets.calls) == calls, "Delete of a placeholder calls nothing"


def test_delete_of_an_id_the_type_never_makes_touches_nothing(provider, events, cfn_receiver, widgets):
    made_up = "test-stack-MyWidget-1X2Y3Z4W5V6U"
    event = events.make("Delete", {"Size": "not a number"}, physical_id=made_up)
    provider(event, FakeContext())
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("SUCCESS", made_up)
    assert widgets.calls == []


def test_api_error_reason_starts_with_its_code(provider, events, cfn_receiver):
    event = events.make("Create", {"Name": "reject-this"})
    provider(event, FakeContext())
    reason = only_response(cfn_receiver, event)["Reason"]
    assert reason.startswith(
        "[ApiError 400] Widgets POST /widgets failed with HTTP 400: reject-this is rejected"
    )


def test_failure_after_the_object_exists_reports_its_id_and_hides_the_message(
    provider, events, cfn_receiver, widgets
):
    event = events.make("Create", {"FailAfterCreate": "true"})
    provider(event, FakeContext())
    body = only_response(cfn_receiver, event)
    assert body["Status"] == "FAILED"
    assert body["PhysicalResourceId"] == "w-0001", "the rollback Delete must find the created object"
    assert body["Reason"].startswith("[InternalError] ValueError: unexpected error in the provider")
    assert "hunter2" not in body["Reason"]


def test_failed_update_keeps_the_event_id(provider, events, cfn_receiver):
    event = events.make("Update", {"Size": "2"}, physical_id="w-0777", old={"Size": "1"})
    provider(event, FakeContext())
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("FAILED", "w-0777")
    assert body["Reason"].startswith("[ApiError 404]")


def test_unknown_resource_type_fails_with_a_clear_reason(provider, events, cfn_receiver):
    event = events.make("Create", resource_type="Custom::Nope")
    provider(event, FakeContext())
    body = only_response(cfn_receiver, event)
    assert body["Status"] == "FAILED"
    assert body["Reason"].startswith("[UnknownResourceType] this provider does not serve Custom::Nope")
    assert is_placeholder(body["PhysicalResourceId"])


def test_resource_out_of_time_fails_without_hanging(aws, events, cfn_receiver, widgets):
    from cbprovider.runtime import Provider, Timing

    from tests.runtime.widgets import TYPE_NAME, Widget

    timing = Timing(backstop_reserve=1.0, work_reserve=0.5, response_base_delay=0.01)
    provider = Provider({TYPE_NAME: Widget()}, timing=timing)
    widgets.faults.add("POST /widgets", delay=3.0)
    event = events.make("Create")
    started = time.monotonic()
    provider(event, FakeContext(seconds=2.5))
    assert time.monotonic() - started < 2.5
    body = only_response(cfn_receiver, event)
    assert body["Status"] == "FAILED"
    assert body["Reason"].startswith("[DeadlineExceeded] widget API POST /widgets did not answer in time")
    assert is_placeholder(body["PhysicalResourceId"])


def test_lazy_resource_path_is_imported_on_first_use(aws, events, cfn_receiver, fast_timing):
    from cbprovider.runtime import Provider

    provider = Provider({"Custom::TestWidget": "tests.runtime.widgets:Widget"}, timing=fast_timing)
    event = events.make("Create")
    provider(event, FakeContext())
    assert only_response(cfn_receiver, event)["Status"] == "SUCCESS"


def test_missing_state_table_still_answers(aws, events, cfn_receiver, fast_timing):
    from cbprovider.runtime import Provider

    from tests.runtime.widgets import TYPE_NAME, Widget

    provider = Provider({TYPE_NAME: Widget()}, timing=fast_timing, table_name="no-such-table")
    event = events.make("Create")
    provider(event, FakeContext())
    body = only_response(cfn_receiver, event)
    assert body["Status"] == "FAILED"
    assert body["Reason"].startswith("[AwsError] the AWS call PutItem failed with ResourceNotFoundException")
    assert is_placeholder(body["PhysicalResourceId"])


def test_event_without_response_url_is_logged_not_raised(provider, events, cfn_receiver, widgets):
    event = events.make("Create")
    del event["ResponseURL"]
    provider(event, FakeContext())
    assert cfn_receiver.calls == []
    assert widgets.calls == [], "nothing is created for a request that cannot be answered"
