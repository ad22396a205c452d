"""The run document: what the template's heartbeat and lag alarms read (MonitorRuns,
MaxReplicationLatency)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cbprovider.automation.metrics import publish
from cbprovider.automation.report import EndpointReport, MonitorReport, ReplicationReport, Status

from tests.automation.conftest import dimensions, emf_documents, emf_value, metric_names


def _run_document(report: MonitorReport, capsys) -> dict[str, Any]:
    capsys.readouterr()
    publish(report)
    docs = emf_documents(capsys.readouterr().out)
    runs = [d for d in docs if dimensions(d) == []]
    assert len(runs) == 1
    return runs[0]


def _replication(replication_id: str, latency: float | None, status: Status = Status.OK) -> ReplicationReport:
    return ReplicationReport(
        endpoint="primary", replication_id=replication_id, status=status, latency_seconds=latency
    )


def test_every_run_counts_one_run_even_with_nothing_to_check(capsys):
    run = _run_document(MonitorReport(started_at=datetime.now(UTC)), capsys)

    assert emf_value(run, "MonitorRuns") == 1
    assert emf_value(run, "MonitoredItems") == 0
    assert "MaxReplicationLatency" not in metric_names(run)


def test_the_run_carries_the_worst_replication_latency(capsys):
    endpoint = EndpointReport(
        name="primary",
        api_url="http://127.0.0.1:1",
        status=Status.OK,
        replications=[
            _replication("a", 12.5),
            _replication("b", 901.0),
            _replication("c", None, Status.ERROR),
        ],
    )
    run = _run_document(MonitorReport(started_at=datetime.now(UTC), endpoints=[endpoint]), capsys)

    assert emf_value(run, "MonitorRuns") == 1
    assert emf_value(run, "MaxReplicationLatency") == 901.0
    assert run["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "CfnReplicationProvider"


def _endpoint_with(count: int, *, slow: int | None = None) -> EndpointReport:
    replications = [_replication(f"r{i:05d}", float(i % 7)) for i in range(count)]
    if slow is not None:
        replications[slow].latency_seconds = 600.0
    replications[0].status, replications[0].reason = Status.UNHEALTHY, "replication is disabled"
    return EndpointReport(
        name="primary",
        api_url="http://127.0.0.1:1",
        status=Status.OK,
        service_status="Running",
        replications=replications,
    )


def _metrics_of(report: MonitorReport, capsys, **options: Any) -> tuple[set[tuple[str, ...]], str]:
    """Every (dimension names..., metric name) published, and the printed text."""
    capsys.readouterr()
    publish(report, **options)
    out = capsys.readouterr().out
    found = set()
    for doc in emf_documents(out):
        for name in metric_names(doc):
            found.add((*dimensions(doc), name))
    return found, out


def test_metrics_are_a_fixed_number_per_endpoint_whatever_its_replication_count(capsys):
    small, _ = _metrics_of(MonitorReport(datetime.now(UTC), endpoints=[_endpoint_with(10)]), capsys)
    large, out = _metrics_of(MonitorReport(datetime.now(UTC), endpoints=[_endpoint_with(1000)]), capsys)

    assert small == large
    assert all(dims[:-1] in ((), ("Endpoint",)) for dims in large)
    assert len(emf_documents(out)) == 2  # the run and the endpoint
    [endpoint] = [d for d in emf_documents(out) if dimensions(d) == ["Endpoint"]]
    assert emf_value(endpoint, "Replications") == 1000
    assert emf_value(endpoint, "ReplicationsNotOk") == 1
    assert emf_value(endpoint, "MaxReplicationLatency") == 6.0


def test_each_replication_is_a_structured_log_line_and_a_metric_only_when_opted_in(capsys):
    report = MonitorReport(datetime.now(UTC), endpoints=[_endpoint_with(3, slow=2)])
    _, out = _metrics_of(report, capsys)
    detail = [json.loads(line) for line in out.splitlines() if '"MonitorItem":"replication"' in line]
    assert [d["ReplicationId"] for d in detail] == ["r00000", "r00001", "r00002"]
    assert all("_aws" not in d for d in detail)
    assert detail[0]["Status"] == "unhealthy"
    assert detail[0]["Reason"] == "replication is disabled"
    assert detail[2]["ReplicationLatency"] == 600.0
    assert detail[2]["ReplicationHealthy"] == 1

    opted, out = _metrics_of(report, capsys, item_metrics=True)
    replication_docs = [d for d in emf_documents(out) if dimensions(d) == ["Endpoint", "ReplicationId"]]
    assert len(replication_docs) == 3
    assert ("Endpoint", "ReplicationId", "ReplicationLatency") in opted
    assert emf_value(replication_docs[2], "ReplicationLatency") == 600.0
    # The opted-in line has the same fields as the plain one, so Logs Insights queries work either way.
    plain = {k for k in detail[2]}
    assert plain <= set(replication_docs[2])


def test_the_run_reports_its_coverage(capsys):
    endpoint = _endpoint_with(4)
    endpoint.replications[3].status = Status.SKIPPED
    run = _run_document(MonitorReport(started_at=datetime.now(UTC), endpoints=[endpoint]), capsys)
    assert emf_value(run, "SkippedItems") == 1
    assert emf_value(run, "MonitorCoverage") == 80.0
