"""A genuine-looking request that CloudFormation cannot be asked about (access denied, throttled)."""

from __future__ import annotations

from typing import Any

import msgspec
from cbprovider.runtime import Provider

from tests.runtime.conftest import STACK_ID, FakeContext, only_response
from tests.runtime.widgets import TYPE_NAME, Widget


def test_when_cloudformation_cannot_be_asked_the_verified_url_gets_failed_and_nothing_is_touched(
    aws: Any, events: Any, cloudformation: Any, cfn_receiver: Any, widgets: Any, fast_timing: Any
) -> None:
    provider = Provider(
        {TYPE_NAME: Widget()}, timing=msgspec.structs.replace(fast_timing, confirm_delays=(0.01,))
    )
    cloudformation.api.faults.add("DescribeStackResource", status=403, times=None)
    event = events.make("Create")
    provider(event, FakeContext())
    body = only_response(cfn_receiver, event)
    assert body["Status"] == "FAILED"
    assert body["Reason"].startswith("[ConfirmationUnavailable] CloudFormation could not be asked")
    assert body["StackId"] == STACK_ID
    assert widgets.calls == []


def test_an_unconfirmed_request_is_not_answered(
    aws: Any, events: Any, cloudformation: Any, cfn_receiver: Any, widgets: Any, fast_timing: Any
) -> None:
    provider = Provider(
        {TYPE_NAME: Widget()}, timing=msgspec.structs.replace(fast_timing, confirm_delays=(0.01,))
    )
    event = events.make("Create")
    cloudformation.api.set_resource(STACK_ID, "MyWidget", "CREATE_COMPLETE", physical_id="w-0007")
    provider(event, FakeContext())
    assert cfn_receiver.responses == []
    assert widgets.calls == []
