"""The local stack driver: requests in, polls played from EventBridge, one response out."""

from __future__ import annotations

import pytest

from simulators.stack import LocalStack, local_aws
from tests.runtime.widgets import TYPE_NAME, Widget, WidgetSimulator


@pytest.fixture
def stack(cfn_receiver):
    from cbprovider.runtime import Provider, Timing

    with local_aws(), WidgetSimulator(ready_after=3) as widgets:
        provider = Provider({TYPE_NAME: Widget()}, timing=Timing(response_base_delay=0.01))
        yield LocalStack(provider, cfn_receiver), widgets


def test_a_polled_create_and_delete_leave_nothing_behind(stack):
    local, widgets = stack
    props = {"ApiUrl": widgets.url, "Name": "alpha", "Wait": "true"}
    created = local.send("Create", TYPE_NAME, "W", props)
    assert created.status == "SUCCESS", created.reason
    assert created.invocations > 1
    assert created.physical_id in widgets.widgets
    deleted = local.send("Delete", TYPE_NAME, "W", props, physical_id=created.physical_id)
    assert deleted.status == "SUCCESS"
    assert widgets.widgets == {}
    assert LocalStack.leftovers() == {"rules": [], "poll_state": []}
