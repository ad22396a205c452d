"""v4 optimistic concurrency (ETag/If-Match, one re-apply on 412), request rates and cluster waits."""

from __future__ import annotations

import time

import msgspec
import pytest
from cbprovider.capella.errors import ClusterFailedError
from cbprovider.capella.v4 import (
    Cluster,
    ClusterUpdate,
    ConcurrentChangeError,
    CredentialUpdate,
    RateLimiter,
    ServiceGroup,
)
from cbprovider.capella.v4.client import CLUSTER, PROJECT
from cbprovider.deadline import Deadline
from cbprovider.errors import DeadlineExceeded

from tests.capella.v4_support import cluster_spec, healthy_cluster, v4_client


def _statuses(sim, since: int, key: str) -> list[int]:
    return [c.status for c in sim.calls_since(since) if c.key == key]


def test_a_concurrent_change_is_re_read_and_the_update_applied_once_more(v4_sim, v4, v4_project):
    stale = v4.get_project(v4_project).etag
    with v4_client(v4_sim) as other:
        other.update_project(v4_project, "renamed elsewhere")
    before = len(v4_sim.calls)
    v4.update_project(v4_project, "ours", "applied on the new version", if_match=stale)
    assert _statuses(v4_sim, before, f"PUT {PROJECT}") == [412, 204]
    project = v4.get_project(v4_project)
    assert (project.name, project.etag) == ("ours", "Version: 3")


def test_a_second_412_fails_naming_the_concurrent_change(v4_sim, v4, v4_project):
    cluster_id = healthy_cluster(v4, v4_project)
    v4_sim.faults.fail_times(f"PUT {CLUSTER}", 2, status=412)
    current = v4.get_cluster(v4_project, cluster_id)
    before = len(v4_sim.calls)
    with pytest.raises(ConcurrentChangeError) as caught:
        v4.update_cluster(
            v4_project, cluster_id, msgspec.structs.replace(ClusterUpdate.of(current), name="x")
        )
    assert _statuses(v4_sim, before, f"PUT {CLUSTER}") == [412, 412]
    error = caught.value
    assert (error.kind, error.object_id, error.sent, error.current) == (
        "cluster",
        cluster_id,
        "Version: 1",
        "Version: 1",
    )
    assert "changed by someone else" in str(error)
    assert "apikey-sim" in str(error)
    assert v4.get_cluster(v4_project, cluster_id).name == "orders"


def test_database_credential_updates_use_if_match_too(v4_sim, v4, v4_project):
    from cbprovider.capella.v4 import Access, CredentialSpec

    cluster_id = healthy_cluster(v4, v4_project)
    created = v4.create_database_credential(
        v4_project, cluster_id, CredentialSpec("app", [Access(("read",))])
    )
    v4_sim.faults.fail_times("PUT " + CLUSTER + "/users/{userId}", 1, status=412)
    v4.update_database_credential(v4_project, cluster_id, created.id, CredentialUpdate([Access(("write",))]))
    assert v4.get_database_credential(v4_project, cluster_id, created.id).access[0].privileges == ("write",)


def test_429_retry_after_is_honoured_past_the_servers_per_key_rate():
    from simulators.capella import CapellaSimulator

    with CapellaSimulator(rate_limit=3, rate_window=1.0) as sim, v4_client(sim) as client:
        started = time.monotonic()
        for _ in range(5):
            client.get_organization()
        elapsed = time.monotonic() - started
        statuses = [c.status for c in sim.calls]
    assert statuses.count(429) >= 1
    assert statuses.count(200) == 5
    assert elapsed >= 0.9  # the Retry-After second was waited, not hammered through


def test_the_client_paces_itself_to_the_configured_rate():
    clock = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: clock[0], sleep=sleep)
    assert [limiter.acquire() for _ in range(2)] == [0.0, 0.0]
    assert limiter.acquire() == pytest.approx(1.0)
    assert slept == [pytest.approx(1.0)]
    with pytest.raises(DeadlineExceeded, match="60/minute"):
        limiter.acquire(Deadline.after(0.1))


def test_a_slow_rate_delays_real_requests(v4_sim):
    with v4_client(v4_sim, rate_per_minute=600, burst=1) as client:
        started = time.monotonic()
        for _ in range(3):
            client.get_organization()
    assert time.monotonic() - started >= 0.2  # 3 requests at 10/s with no burst: two waits of 0.1s


def test_a_failed_deploy_ends_the_wait_with_the_cluster_id(v4_sim, v4, v4_project):
    v4_sim.v4.next_deploy_ends("deploymentFailed")
    cluster_id = v4.create_cluster(v4_project, cluster_spec())
    with pytest.raises(ClusterFailedError) as caught:
        v4.wait_for_cluster(v4_project, cluster_id, deadline=Deadline.after(10), interval=0.05)
    assert (caught.value.cluster_id, caught.value.status) == (cluster_id, "deploymentFailed")


def test_a_failed_scale_ends_the_wait(v4_sim, v4, v4_project):
    cluster_id = healthy_cluster(v4, v4_project)
    v4_sim.v4.next_scale_ends("scaleFailed")
    current = v4.get_cluster(v4_project, cluster_id)
    v4.update_cluster(
        v4_project,
        cluster_id,
        msgspec.structs.replace(ClusterUpdate.of(current), service_groups=_bigger(current)),
    )
    with pytest.raises(ClusterFailedError, match="scaleFailed"):
        v4.wait_for_cluster(v4_project, cluster_id, deadline=Deadline.after(10), interval=0.05)


def _bigger(current: Cluster) -> list[ServiceGroup]:
    return [msgspec.structs.replace(current.service_groups[0], num_of_nodes=4)]


def test_degraded_settles_the_wait_unless_refused(v4_sim, v4, v4_project):
    v4_sim.v4.next_deploy_ends("degraded")
    cluster_id = v4.create_cluster(v4_project, cluster_spec())
    assert (
        v4.wait_for_cluster(v4_project, cluster_id, deadline=Deadline.after(10), interval=0.05) == "degraded"
    )
    with pytest.raises(DeadlineExceeded, match="degraded"):
        v4.wait_for_cluster(
            v4_project, cluster_id, deadline=Deadline.after(0.3), interval=0.05, accept_degraded=False
        )


def test_a_failed_destroy_ends_the_wait_for_gone(v4_sim, v4, v4_project):
    cluster_id = healthy_cluster(v4, v4_project)
    v4_sim.v4.next_destroy_ends("destroyFailed")
    v4.delete_cluster(v4_project, cluster_id)
    with pytest.raises(ClusterFailedError, match="destroyFailed"):
        v4.wait_for_cluster_gone(v4_project, cluster_id, deadline=Deadline.after(10), interval=0.05)


def test_the_wait_rides_out_server_errors(v4_sim, v4, v4_project):
    cluster_id = v4.create_cluster(v4_project, cluster_spec())
    v4_sim.faults.fail_times(f"GET {CLUSTER}", 8, status=500)
    assert (
        v4.wait_for_cluster(v4_project, cluster_id, deadline=Deadline.after(10), interval=0.05) == "healthy"
    )
