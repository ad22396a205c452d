"""The run document: what the template's heartbeat and lag alarms read (MonitorRuns,
MaxReplicationLatency)."""

from __future__ import annotations

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
