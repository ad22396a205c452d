"""An API call is bounded by the invocation's deadline or the operation's, whichever comes first."""

from __future__ import annotations

import time

import pytest
from cbprovider.capella import CapellaClient
from cbprovider.deadline import Deadline
from cbprovider.errors import ApiConnectionError
from cbprovider.runtime.properties import ResourceProperties
from cbprovider.runtime.resource import Request
from cbprovider.transport import RetryPolicy


def _request(deadline: Deadline, service_deadline: Deadline) -> Request[ResourceProperties]:
    return Request(
        request_type="Create",
        phase="create",
        properties=ResourceProperties(),
        old_properties=None,
        physical_id=None,
        logical_id="L",
        stack_id="S",
        request_id="R",
        resource_type="Custom::X",
        deadline=deadline,
        service_deadline=service_deadline,
    )


def test_call_deadline_is_the_earlier_of_the_two() -> None:
    soon, late = Deadline.after(5), Deadline.after(500)
    assert _request(soon, late).call_deadline == soon
    assert _request(late, soon).call_deadline == soon
    assert _request(Deadline.never(), soon).call_deadline == soon
    assert _request(soon, Deadline.never()).call_deadline == soon


def test_a_capella_client_bound_to_a_deadline_ends_a_slow_call_there(capella_sim) -> None:
    capella_sim.faults.add("GET /v2/projects", delay=5.0, times=None)
    with CapellaClient(
        capella_sim.url,
        (capella_sim.access_key, capella_sim.secret_key),
        retry=RetryPolicy(max_attempts=1),
        deadline=Deadline.after(1),
    ) as client:
        started = time.monotonic()
        with pytest.raises(ApiConnectionError, match="timed out"):
            client.list_projects(deadline=Deadline.after(60))
    assert time.monotonic() - started < 2.5


def test_a_service_deadline_already_past_leaves_the_invocations() -> None:
    soon = Deadline.after(5)
    assert _request(soon, Deadline.after(0)).call_deadline == soon
