"""The monitor against the simulators: healthy pass, failing and slow items, unreachable endpoints,
Capella pagination, deadlines, and the EMF metrics it prints."""

from __future__ import annotations

import time

import pytest
from cbprovider.automation.metrics import publish
from cbprovider.automation.monitor import Monitor
from cbprovider.automation.report import Status
from cbprovider.automation.settings import CloudBasicTarget
from cbprovider.deadline import Deadline

from tests.automation.conftest import (
    capella_target,
    closed_port_url,
    cloudbasic_target,
    dimensions,
    emf_documents,
    emf_value,
    metric_names,
    settings,
)


def test_healthy_pass_reports_every_item_and_prints_emf(cloudbasic_sim, capella_sim, capsys):
    ids = cloudbasic_sim.add_replications(5)
    project = capella_sim.add_project("orders")
    cluster_ids = capella_sim.add_clusters(project, 3)

    report = Monitor(settings(cloudbasic_target(cloudbasic_sim), capella=capella_target(capella_sim))).run(
        Deadline.after(20)
    )

    assert report.healthy, report.summary_line()
    endpoint = report.endpoints[0]
    assert endpoint.service_status == "Running"
    assert sorted(r.replication_id for r in endpoint.replications) == sorted(ids)
    for replication in endpoint.replications:
        assert replication.status is Status.OK
        assert replication.latency_seconds is not None
        assert replication.latency_seconds >= 0
        assert replication.seconds_since_last_transfer is not None
        assert 0 <= replication.seconds_since_last_transfer < 120
        assert replication.name
        assert replication.name.startswith("db")
    [org] = report.capella
    assert sorted(c.cluster_id for c in org.clusters) == sorted(cluster_ids)
    assert {c.cluster_status for c in org.clusters} == {"healthy"}
    summary = report.to_dict()
    assert summary["counts"]["ok"] == 1 + 5 + 1 + 3
    assert summary["cloudbasic"][0]["replicationCount"] == 5

    capsys.readouterr()
    printed = publish(report, item_metrics=True)
    docs = emf_documents(capsys.readouterr().out)
    assert len(docs) == printed == 1 + 1 + 5 + 1 + 3
    run = next(d for d in docs if dimensions(d) == [])
    assert emf_value(run, "MonitoredItems") == 10
    assert emf_value(run, "UnhealthyItems") == 0
    replication_docs = [d for d in docs if dimensions(d) == ["Endpoint", "ReplicationId"]]
    assert sorted(d["ReplicationId"] for d in replication_docs) == sorted(ids)
    for doc in replication_docs:
        assert doc["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "CfnReplicationProvider"
        assert doc["Endpoint"] == "primary"
        assert emf_value(doc, "ReplicationHealthy") == 1
        assert {"ReplicationLatency", "TimeSinceLastTransfer"} <= metric_names(doc)
    cluster_docs = [d for d in docs if dimensions(d) == ["ClusterId"]]
    assert sorted(d["ClusterId"] for d in cluster_docs) == sorted(cluster_ids)
    assert all(emf_value(d, "ClusterHealthy") == 1 for d in cluster_docs)


def test_one_failing_get_latency_is_reported_and_the_others_are_fine(cloudbasic_sim, capsys):
    ids = cloudbasic_sim.add_replications(6)
    cloudbasic_sim.faults.add("GetLatency", status=400, times=1)

    report = Monitor(settings(cloudbasic_target(cloudbasic_sim), concurrency=3)).run(Deadline.after(20))

    replications = report.endpoints[0].replications
    assert len(replications) == len(ids)
    failed = [r for r in replications if r.status is not Status.OK]
    assert len(failed) == 1
    assert failed[0].status is Status.ERROR
    assert "GetLatency" in (failed[0].reason or "")
    assert "400" in (failed[0].reason or "")
    assert report.counts()["error"] == 1
    assert "error" in report.summary_line()
    assert failed[0].label in report.summary_line()

    capsys.readouterr()
    publish(report, item_metrics=True)
    docs = [d for d in emf_documents(capsys.readouterr().out) if "ReplicationId" in d]
    bad = next(d for d in docs if d["ReplicationId"] == failed[0].replication_id)
    assert emf_value(bad, "ReplicationHealthy") == 0
    assert emf_value(bad, "ReplicationCheckFailed") == 1
    assert "ReplicationLatency" not in metric_names(bad)
    assert sum(emf_value(d, "ReplicationHealthy") for d in docs) == len(ids) - 1


def test_slow_item_is_reported_and_the_run_ends_by_its_deadline(cloudbasic_sim):
    cloudbasic_sim.add_replications(8)
    cloudbasic_sim.faults.add("GetLatency", delay=5.0, times=1)

    started = time.monotonic()
    report = Monitor(settings(cloudbasic_target(cloudbasic_sim), concurrency=4)).run(Deadline.after(1.5))
    elapsed = time.monotonic() - started

    assert elapsed < 4.0
    replications = report.endpoints[0].replications
    assert len(replications) == 8
    slow = [r for r in replications if r.status is not Status.OK]
    assert len(slow) == 1
    assert slow[0].status is Status.UNREACHABLE
    assert slow[0].reason


def test_items_not_reached_before_the_deadline_are_skipped(cloudbasic_sim):
    cloudbasic_sim.latency = 0.05
    cloudbasic_sim.add_replications(40)

    report = Monitor(settings(cloudbasic_target(cloudbasic_sim), concurrency=1)).run(Deadline.after(0.8))

    replications = report.endpoints[0].replications
    assert len(replications) == 40
    skipped = [r for r in replications if r.status is Status.SKIPPED]
    assert skipped
    assert all(r.reason == "deadline" for r in skipped)
    assert any(r.status is Status.OK for r in replications)
    assert report.deadline_reached
    assert "skipped" in report.summary_line()
    assert "deadline reached" in report.summary_line()


def test_unreachable_endpoint_does_not_stop_the_other(cloudbasic_sim):
    cloudbasic_sim.add_replications(3)
    dead = CloudBasicTarget(name="dead", api_url=closed_port_url(), credentials=("AKIDEXAMPLE", "x" * 40))

    report = Monitor(settings(dead, cloudbasic_target(cloudbasic_sim))).run(Deadline.after(20))

    by_name = {e.name: e for e in report.endpoints}
    assert by_name["dead"].status is Status.UNREACHABLE
    assert by_name["dead"].reason
    assert by_name["dead"].replications == []
    assert by_name["primary"].status is Status.OK
    assert [r.status for r in by_name["primary"].replications] == [Status.OK] * 3


def test_stopped_service_is_unhealthy(cloudbasic_sim):
    cloudbasic_sim.state.service_running = False

    report = Monitor(settings(cloudbasic_target(cloudbasic_sim))).run(Deadline.after(10))

    assert report.endpoints[0].status is Status.UNHEALTHY
    assert "Stopped" in (report.endpoints[0].reason or "")


def test_capella_clusters_across_several_pages(capella_sim):
    project = capella_sim.add_project("big")
    ids = capella_sim.add_clusters(project, 230)
    capella_sim.add_clusters(project, 2, status="deploymentFailed")

    report = Monitor(settings(capella=capella_target(capella_sim), concurrency=16)).run(Deadline.after(20))

    [org] = report.capella
    assert org.status is Status.OK
    clusters = org.clusters
    assert len(clusters) == 232
    assert set(ids) <= {c.cluster_id for c in clusters}
    unhealthy = [c for c in clusters if c.status is Status.UNHEALTHY]
    assert len(unhealthy) == 2
    assert all(c.cluster_status == "deploymentFailed" for c in unhealthy)
    list_calls = [c for c in capella_sim.calls if c.method == "GET" and c.path == "/v3/clusters"]
    assert len(list_calls) == 3


def test_capella_status_failure_is_reported_per_cluster(capella_sim):
    project = capella_sim.add_project("p")
    capella_sim.add_clusters(project, 4)
    capella_sim.faults.add("GET /v3/clusters/{id}/status", status=403, times=1)

    report = Monitor(settings(capella=capella_target(capella_sim))).run(Deadline.after(20))

    [org] = report.capella
    statuses = sorted(str(c.status) for c in org.clusters)
    assert statuses == ["error", "ok", "ok", "ok"]


@pytest.mark.slow
def test_a_thousand_replications_finish_inside_the_deadline(cloudbasic_sim):
    cloudbasic_sim.latency = 0.005
    ids = cloudbasic_sim.add_replications(1000)

    started = time.monotonic()
    report = Monitor(settings(cloudbasic_target(cloudbasic_sim), concurrency=32)).run(Deadline.after(25))
    elapsed = time.monotonic() - started

    replications = report.endpoints[0].replications
    assert len(replications) == 1000
    assert {r.replication_id for r in replications} == set(ids)
    assert all(r.status is Status.OK for r in replications)
    assert not report.deadline_reached
    assert elapsed < 25
