"""CloudFormation's rollback of a failed replacement is an Update back to the object's own properties."""

from __future__ import annotations

from tests.runtime.conftest import FakeContext, only_response


def test_rolling_back_a_failed_replacement_updates_the_object_in_place(
    provider, events, cfn_receiver, widgets
):
    created = events.make("Create", {"Name": "alpha", "Size": "2"})
    provider(created, FakeContext())
    original = only_response(cfn_receiver, created)["PhysicalResourceId"]

    replace = events.make(
        "Update", {"Name": "reject-me", "Size": "2"}, physical_id=original, old={"Name": "alpha", "Size": "2"}
    )
    provider(replace, FakeContext())
    assert only_response(cfn_receiver, replace)["Status"] == "FAILED"

    # What CloudFormation sends next: the old properties as the new ones, for the object that has them.
    rollback = events.make(
        "Update", {"Name": "alpha", "Size": "2"}, physical_id=original, old={"Name": "reject-me", "Size": "2"}
    )
    calls_before = len(widgets.calls)
    provider(rollback, FakeContext())
    body = only_response(cfn_receiver, rollback)
    assert body["Status"] == "SUCCESS", body["Reason"]
    assert body["PhysicalResourceId"] == original
    assert list(widgets.widgets) == [original], "no second object was created"
    assert [c.method for c in widgets.calls[calls_before:]] == ["PUT"]


def test_a_real_replacement_is_still_a_replacement_after_an_earlier_success(
    provider, events, cfn_receiver, widgets
):
    created = events.make("Create", {"Name": "alpha"})
    provider(created, FakeContext())
    original = only_response(cfn_receiver, created)["PhysicalResourceId"]
    replace = events.make("Update", {"Name": "beta"}, physical_id=original, old={"Name": "alpha"})
    provider(replace, FakeContext())
    body = only_response(cfn_receiver, replace)
    assert body["Status"] == "SUCCESS"
    assert body["PhysicalResourceId"] != original
    assert len(widgets.widgets) == 2


def test_after_a_delete_the_same_id_and_properties_are_not_taken_for_a_rollback(
    provider, events, cfn_receiver, widgets
):
    created = events.make("Create", {"Name": "alpha"})
    provider(created, FakeContext())
    original = only_response(cfn_receiver, created)["PhysicalResourceId"]
    deleted = events.make("Delete", {"Name": "alpha"}, physical_id=original)
    provider(deleted, FakeContext())
    assert only_response(cfn_receiver, deleted)["Status"] == "SUCCESS"
    again = events.make("Update", {"Name": "alpha"}, physical_id=original, old={"Name": "beta"})
    provider(again, FakeContext())
    assert only_response(cfn_receiver, again)["PhysicalResourceId"] != original
