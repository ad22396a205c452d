"""Duplicate delivery of a request: one create call, one response."""

from __future__ import annotations

import copy
import threading
import time

from tests.runtime.conftest import FakeContext, only_response


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


def test_two_simultaneous_deliveries_create_once(provider, events, cfn_receiver, widgets):
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
