"""Authentication failures, retries with fresh signatures, Retry-After, and create-safe retries."""

from __future__ import annotations

import pytest
from cbprovider.capella import CapellaClient, CapellaHmacAuth
from cbprovider.capella.signing import epoch_millis
from cbprovider.errors import ApiConnectionError, ApiError
from cbprovider.transport import RetryPolicy

from simulators.capella import CapellaSimulator
from tests.capella.conftest import FAST_RETRY, RecordingAuth, hosted_spec


def client_with(sim, auth, **kwargs) -> CapellaClient:
    return CapellaClient(sim.url, auth=auth, retry=kwargs.pop("retry", FAST_RETRY), **kwargs)


def test_wrong_secret_is_a_401(capella_sim):
    client = client_with(capella_sim, CapellaHmacAuth(capella_sim.access_key, "wrong-secret"))
    with client, pytest.raises(ApiError) as caught:
        client.list_projects()
    assert caught.value.status == 401
    assert caught.value.error_type == "Unauthorized"
    assert "signature" in caught.value.message
    assert len(capella_sim.calls) == 1


def test_stale_timestamp_is_a_401(capella_sim):
    stale = CapellaHmacAuth(
        capella_sim.access_key, capella_sim.secret_key, clock=lambda: epoch_millis() - 600_000
    )
    with client_with(capella_sim, stale) as client, pytest.raises(ApiError) as caught:
        client.get_cluster_status("0b5b5d2c-0000-4000-8000-000000000001")
    assert caught.value.status == 401
    assert "window" in caught.value.message


def test_seconds_timestamp_is_a_401(capella_sim):
    seconds = CapellaHmacAuth(
        capella_sim.access_key, capella_sim.secret_key, clock=lambda: epoch_millis() // 1000
    )
    with client_with(capella_sim, seconds) as client, pytest.raises(ApiError) as caught:
        client.list_clusters()
    assert caught.value.status == 401


def test_unsigned_client_is_refused(capella_sim):
    with CapellaClient(capella_sim.url) as client, pytest.raises(ApiError) as caught:
        client.list_projects()
    assert caught.value.status == 401


def test_create_retried_on_503_with_fresh_signatures(capella_sim, project_id):
    capella_sim.faults.add("POST /v3/clusters", status=503, times=2)
    auth = RecordingAuth(capella_sim.access_key, capella_sim.secret_key)
    with client_with(capella_sim, auth) as client:
        cluster_id = client.create_cluster(hosted_spec(project_id))
    assert cluster_id in capella_sim.clusters
    assert [c.status for c in capella_sim.calls] == [503, 503, 202]
    assert len(auth.timestamps) == 3
    assert len(set(auth.timestamps)) == 3


def test_reads_retry_5xx_with_fresh_signatures(capella_sim, project_id):
    capella_sim.faults.add("GET /v2/projects/{id}", status=500, times=2)
    auth = RecordingAuth(capella_sim.access_key, capella_sim.secret_key)
    with client_with(capella_sim, auth) as client:
        assert client.get_project(project_id).id == project_id
    assert [c.status for c in capella_sim.calls] == [500, 500, 200]
    assert len(set(auth.timestamps)) == 3


def test_429_retry_after_is_honoured_for_reads_and_creates(capella_sim, project_id):
    capella_sim.faults.add("GET /v3/clusters", status=429, headers={"Retry-After": "1"})
    capella_sim.faults.add("POST /v2/projects", status=429, headers={"Retry-After": "2"})
    slept: list[float] = []
    auth = CapellaHmacAuth(capella_sim.access_key, capella_sim.secret_key)
    with client_with(capella_sim, auth, sleep=slept.append) as client:
        assert client.list_clusters() == []
        assert client.create_project("after-429").name == "after-429"
    assert slept == [1.0, 2.0]


def test_create_not_retried_after_a_5xx_that_may_have_been_processed(capella_sim, project_id):
    capella_sim.faults.add("POST /v3/clusters", status=500)
    client = client_with(capella_sim, RecordingAuth(capella_sim.access_key, capella_sim.secret_key))
    with client, pytest.raises(ApiError) as caught:
        client.create_cluster(hosted_spec(project_id))
    assert caught.value.status == 500
    assert caught.value.messages == ("injected fault: HTTP 500 Internal Server Error",)
    assert len(capella_sim.calls) == 1


def test_create_not_retried_after_a_dropped_connection(capella_sim):
    capella_sim.faults.add("POST /v2/projects", drop=True)
    client = client_with(capella_sim, CapellaHmacAuth(capella_sim.access_key, capella_sim.secret_key))
    with client, pytest.raises(ApiConnectionError):
        client.create_project("maybe-made")
    assert len(capella_sim.calls) == 1


def test_create_retried_while_the_connection_is_refused():
    with CapellaSimulator() as sim:
        url, keys = sim.url, (sim.access_key, sim.secret_key)
    slept: list[float] = []
    policy = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02)
    client = CapellaClient(url, keys, retry=policy, sleep=slept.append)
    with client, pytest.raises(ApiConnectionError, match="connection refused"):
        client.create_project("never-delivered")
    assert len(slept) == 2


def test_5xx_that_persists_becomes_an_api_error(capella_sim):
    capella_sim.faults.add("GET /v2/users", status=502, times=None)
    auth = CapellaHmacAuth(capella_sim.access_key, capella_sim.secret_key)
    with client_with(capella_sim, auth) as client, pytest.raises(ApiError) as caught:
        client.list_org_users()
    assert caught.value.status == 502
    assert len(capella_sim.calls) == FAST_RETRY.max_attempts
