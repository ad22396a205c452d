"""Duplicate delivery of a request: one create call, one response."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Mapping
from typing import Any

import pytest
from cbprovider.errors import ProviderError
from cbprovider.runtime import Request

from tests.runtime.conftest import FakeContext, only_response
from tests.runtime.widgets import TYPE_NAME, Widget, WidgetProperties


def test_same_request_twice_creates_once_and_answers_once(provider, events, cfn_receiver, widgets):
    event = events.make("Create")
    provider(event, FakeContext())
    provider(copy.deepcopy(event), FakeContext())
    assert only_response(cfn_receiver, event)["PhysicalResourceId"] == "w-0001"
    assert [c.method for c in widgets.calls] == ["POST"]
    assert list(widgets.widgets) == ["w-0001"]


def test_duplicate_arriving_while_the_first_runs_sends_nothing(provider, events, cfn_receiver, widgets):
    widgets.faults.add("POST /widgets", delay=0.8)
    event = events.make("Create")
    first = threading.Thread(target=provider, args=(event, FakeContext()))
    first.start()
    deadline = time.monotonic() + 5
    while not widgets.arrived and time.monotonic() < deadline:
        time.sleep(0.01)
    assert widgets.calls == [], "the first delivery is still waiting for its create call"
    second = threading.Thread(target=provider, args=(copy.deepcopy(event), FakeContext()))
    second.start()
    second.join(5)
    first.join(5)
    assert only_response(cfn_receiver, event)["Status"] == "SUCCESS"
    assert [c.method for c in widgets.calls] == ["POST"]


def test_two_simultaneous_deliveries_create_once(
    atomic_conditional_writes, provider, events, cfn_receiver, widgets
):
    widgets.faults.add("POST /widgets", delay=0.3)
    event = events.make("Create")
    start = threading.Barrier(2)

    def deliver() -> None:
        start.wait()
        provider(copy.deepcopy(event), FakeContext())

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert only_response(cfn_receiver, event)["Status"] == "SUCCESS"
    assert len(widgets.widgets) == 1


def test_a_new_request_for_the_same_resource_is_processed(provider, events, cfn_receiver, widgets):
    first = events.make("Create")
    second = events.make("Create")
    provider(first, FakeContext())
    provider(second, FakeContext())
    assert only_response(cfn_receiver, first)["PhysicalResourceId"] == "w-0001"
    assert only_response(cfn_receiver, second)["PhysicalResourceId"] == "w-0002"


class WidgetWhoseLookUpFailsLater(Widget):
    """A type whose in-flight record needs an API read that fails after the first request (a before-list
    that cannot be read while the first delivery has already begun)."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight_calls = 0

    def in_flight(self, req: Request[WidgetProperties]) -> Mapping[str, Any] | None:
        self.in_flight_calls += 1
        if self.in_flight_calls > 1:
            raise ProviderError("the widgets of that name cannot be listed")
        return super().in_flight(req)


def test_a_duplicate_whose_in_flight_read_fails_sends_nothing(
    aws, fast_timing, events, cfn_receiver, widgets
):
    """The in-flight record is read before the request's record is written; a duplicate delivery must
    still stop at that write, not answer FAILED for a request the first delivery answered."""
    from cbprovider.runtime import Provider

    widget = WidgetWhoseLookUpFailsLater()
    provider = Provider({TYPE_NAME: widget}, timing=fast_timing)
    event = events.make("Create")
    provider(event, FakeContext())
    provider(copy.deepcopy(event), FakeContext())
    assert widget.in_flight_calls == 2
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("SUCCESS", "w-0001")
    assert [c.method for c in widgets.calls] == ["POST"]


@pytest.fixture
def atomic_conditional_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB applies a conditional write atomically; moto checks the condition and then writes, so two
    threads can both pass it. A lock around moto's write gives its backend the guarantee the service has."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.Lock()
    for name in ("put_item", "transact_write_items"):
        original = getattr(DynamoDBBackend, name)

        def atomic(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return _original(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, atomic)
