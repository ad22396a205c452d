"""The shared transport: retries, Retry-After, deadlines, fresh preparation per attempt."""

from __future__ import annotations

import time

import pytest
import requests
from cbprovider.deadline import Deadline
from cbprovider.errors import ApiConnectionError
from cbprovider.transport import RetryPolicy, Timeouts, Transport

from simulators.server import Request, Response, Simulator


class CountingSimulator(Simulator):
    """Answers 200 with the number of requests seen and the X-Attempt header it was sent."""

    name = "counting"

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def handle(self, request: Request) -> Response:
        self.seen.append(request.headers.get("x-attempt", ""))
        return Response.json(200, {"count": len(self.seen)})


class AttemptAuth(requests.auth.AuthBase):
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        self.count += 1
        r.headers["X-Attempt"] = str(self.count)
        return r


@pytest.fixture
def sim():
    with CountingSimulator() as s:
        yield s


def fast_transport(origin: str, **kwargs) -> Transport:
    return Transport(
        service="Test", origin=origin, policy=RetryPolicy(base_delay=0.01, max_delay=0.05), **kwargs
    )


def test_retries_5xx_then_succeeds_and_reprepares_each_attempt(sim):
    sim.faults.fail_times("/op", 2, status=503)
    auth = AttemptAuth()
    response = fast_transport(sim.url).send(
        requests.Request("POST", sim.url + "/op", auth=auth), operation="Op"
    )
    assert response.status_code == 200
    assert auth.count == 3
    assert sim.seen == ["3"]
    assert [c.status for c in sim.calls] == [503, 503, 200]


def test_4xx_is_not_retried(sim):
    sim.faults.fail_times("/op", 1, status=400)
    response = fast_transport(sim.url).send(requests.Request("GET", sim.url + "/op"), operation="Op")
    assert response.status_code == 400
    assert len(sim.calls) == 1


def test_retry_after_is_honoured(sim):
    sim.faults.add("/op", status=429, headers={"Retry-After": "1"})
    slept: list[float] = []
    transport = fast_transport(sim.url, sleep=slept.append)
    response = transport.send(requests.Request("GET", sim.url + "/op"), operation="Op")
    assert response.status_code == 200
    assert slept == [1.0]


def test_retry_after_beyond_deadline_returns_the_error_response(sim):
    sim.faults.add("/op", status=429, headers={"Retry-After": "30"})
    response = fast_transport(sim.url).send(
        requests.Request("GET", sim.url + "/op"), operation="Op", deadline=Deadline.after(2)
    )
    assert response.status_code == 429


def test_5xx_forever_returns_last_response_after_max_attempts(sim):
    sim.faults.add("/op", status=500, times=None)
    response = fast_transport(sim.url).send(requests.Request("GET", sim.url + "/op"), operation="Op")
    assert response.status_code == 500
    assert len(sim.calls) == RetryPolicy().max_attempts


def test_dropped_connection_is_retried(sim):
    sim.faults.add("/op", drop=True)
    response = fast_transport(sim.url).send(requests.Request("GET", sim.url + "/op"), operation="Op")
    assert response.json() == {"count": 1}


def test_unreachable_raises_connection_error_within_deadline():
    with CountingSimulator() as s:
        url = s.url
    started = time.monotonic()
    with pytest.raises(ApiConnectionError, match="could not reach"):
        fast_transport(url).send(
            requests.Request("GET", url + "/op"), operation="Op", deadline=Deadline.after(1)
        )
    assert time.monotonic() - started < 3


def test_slow_response_times_out_at_the_deadline(sim):
    sim.faults.add("/op", delay=2.0, times=None)
    transport = fast_transport(sim.url, timeouts=Timeouts(connect=1, read=10))
    started = time.monotonic()
    with pytest.raises(ApiConnectionError, match="timed out"):
        transport.send(requests.Request("GET", sim.url + "/op"), operation="Op", deadline=Deadline.after(0.5))
    assert time.monotonic() - started < 2


def test_a_create_is_not_repeated_after_a_dropped_connection(sim):
    sim.faults.add("/op", drop=True)
    with pytest.raises(ApiConnectionError):
        fast_transport(sim.url).send(
            requests.Request("POST", sim.url + "/op"), operation="Create", idempotent=False
        )
    assert len(sim.calls) == 1


def test_a_create_is_repeated_after_503_but_not_after_500(sim):
    sim.faults.fail_times("/op", 1, status=503)
    ok = fast_transport(sim.url).send(
        requests.Request("POST", sim.url + "/op"), operation="Create", idempotent=False
    )
    assert ok.status_code == 200
    sim.faults.fail_times("/op", 1, status=500)
    failed = fast_transport(sim.url).send(
        requests.Request("POST", sim.url + "/op"), operation="Create", idempotent=False
    )
    assert failed.status_code == 500
    assert [c.status for c in sim.calls] == [503, 200, 500]
