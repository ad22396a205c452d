"""Status waits: success, failure states, clean timeouts, deletion, tolerance of transient poll errors."""

from __future__ import annotations

import pickle
import time

import pytest
from cbprovider.capella import ClusterFailedError
from cbprovider.deadline import Deadline
from cbprovider.errors import ApiError, DeadlineExceeded

from tests.capella.conftest import hosted_spec


def test_wait_for_healthy_succeeds(capella_sim, client, project_id):
    cluster_id = client.create_cluster(hosted_spec(project_id))
    started = time.monotonic()
    assert client.wait_for_cluster_status(cluster_id, deadline=Deadline.after(10), interval=0.1) == "healthy"
    assert time.monotonic() - started < 5
    assert capella_sim.cluster_status(cluster_id) == "healthy"


def test_wait_for_healthy_hits_a_failure_state(capella_sim, client, project_id):
    capella_sim.fail_next_deploy()
    cluster_id = client.create_cluster(hosted_spec(project_id))
    with pytest.raises(ClusterFailedError) as caught:
        client.wait_for_cluster_status(cluster_id, deadline=Deadline.after(10), interval=0.1)
    assert caught.value.status == "deploymentFailed"
    assert caught.value.cluster_id == cluster_id
    assert "deploymentFailed" in str(caught.value)
    assert pickle.loads(pickle.dumps(caught.value)).status == "deploymentFailed"  # noqa: S301 (own bytes)


def test_wait_times_out_cleanly_with_the_last_status(client, project_id):
    cluster_id = client.create_cluster(hosted_spec(project_id))
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match="last status: deploying"):
        client.wait_for_cluster_status(cluster_id, deadline=Deadline.after(0.4), interval=0.1)
    assert time.monotonic() - started < 2


def test_wait_for_a_status_of_a_vanished_cluster_is_a_404(client):
    with pytest.raises(ApiError) as caught:
        client.wait_for_cluster_status(
            "0b5b5d2c-0000-4000-8000-000000000001", deadline=Deadline.after(5), interval=0.1
        )
    assert caught.value.status == 404


def test_wait_survives_polls_that_fail_after_retries(capella_sim, client, project_id):
    (cluster_id,) = capella_sim.add_clusters(project_id, 1, status="healthy")
    capella_sim.faults.add("GET /v3/clusters/{id}/status", status=500, times=6)
    assert client.wait_for_cluster_status(cluster_id, deadline=Deadline.after(10), interval=0.1) == "healthy"
    statuses = [c.status for c in capella_sim.calls]
    assert statuses == [500] * 6 + [200]


def test_wait_for_gone_succeeds(capella_sim, client, project_id):
    (cluster_id,) = capella_sim.add_clusters(project_id, 1)
    client.delete_cluster(cluster_id)
    client.wait_for_cluster_gone(cluster_id, deadline=Deadline.after(10), interval=0.1)
    assert capella_sim.cluster_status(cluster_id) is None


def test_wait_for_gone_times_out_cleanly(client, project_id, capella_sim):
    (cluster_id,) = capella_sim.add_clusters(project_id, 1)
    client.delete_cluster(cluster_id)
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match="last status: destroying"):
        client.wait_for_cluster_gone(cluster_id, deadline=Deadline.after(0.2), interval=0.05)
    assert time.monotonic() - started < 2


def test_wait_for_gone_stops_on_destroy_failed(capella_sim, client, project_id):
    (cluster_id,) = capella_sim.add_clusters(project_id, 1, status="destroyFailed")
    with pytest.raises(ClusterFailedError, match="destroyFailed"):
        client.wait_for_cluster_gone(cluster_id, deadline=Deadline.after(5), interval=0.1)


def test_wait_with_an_expired_deadline_does_not_poll(capella_sim, client, project_id):
    (cluster_id,) = capella_sim.add_clusters(project_id, 1)
    with pytest.raises(DeadlineExceeded, match="not read yet"):
        client.wait_for_cluster_status(cluster_id, deadline=Deadline.after(0), interval=0.1)
    assert capella_sim.calls == []
