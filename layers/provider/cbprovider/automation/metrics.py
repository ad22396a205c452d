"""A monitoring pass as CloudWatch metrics in embedded metric format, priced by what it is worth.

Metrics come in a fixed number per run and per endpoint, whatever the number of replications; each
replication and Capella cluster is one structured log line (its fields are EMF properties, queryable with
Logs Insights), which becomes a metric document only when the operator opts in (``MONITOR_ITEM_METRICS``,
the template's ``MonitorReplicationMetrics``): 1,000 replications are about 5,000 custom metrics when
opted in and none otherwise (see the README's cost table).

Every document is written here, one JSON line each on stdout: the EMF metadata (``_aws``: timestamp,
namespace, the dimension names, each metric's name and unit), then the dimensions' values, the metrics'
values and the metadata. No ``service`` dimension is added, so that alarms and dashboards need only the
dimensions listed here. (Powertools Metrics wrote the run and endpoint documents before; the lines are
the same, and the functions no longer load Powertools at all.)

| document | dimensions | metrics |
| --- | --- | --- |
| run | (none) | MonitorRuns (1 per completed run), MonitoredItems, UnhealthyItems, SkippedItems, MonitorCoverage (%), MonitorDuration, MaxReplicationLatency |
| CloudBasic endpoint | Endpoint | EndpointReachable, ServiceRunning, RemoteServiceRunning (a cluster peer's), Replications, ReplicationsNotOk, MaxReplicationLatency |
| Capella endpoint | CapellaEndpoint | EndpointReachable, Clusters, ClustersNotOk |
| replication (opt-in) | Endpoint, ReplicationId | ReplicationHealthy, ReplicationCheckFailed, ReplicationLatency, TimeSinceLastDataSync, TimeSinceLastTransfer |
| Capella cluster (opt-in) | ClusterId | ClusterHealthy, ClusterCheckFailed |
"""  # noqa: E501

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cbprovider.automation.report import (
    CapellaReport,
    ClusterReport,
    EndpointReport,
    MonitorReport,
    ReplicationReport,
    Status,
)
from cbprovider.automation.totals import RunTotals

DEFAULT_NAMESPACE = "CfnReplicationProvider"
CHECK_FAILURES = frozenset({Status.ERROR, Status.UNREACHABLE, Status.SKIPPED})


class MetricUnit:
    """The CloudWatch units these documents use."""

    Count = "Count"
    Percent = "Percent"
    Seconds = "Seconds"


class _Document:
    """One EMF document: metrics (name, unit, value) and metadata under fixed ``dimensions``."""

    def __init__(self, namespace: str, dimensions: dict[str, str]) -> None:
        self._namespace = namespace
        self._dimensions = dimensions
        self._metrics: dict[str, tuple[str, float]] = {}
        self._metadata: dict[str, str] = {}

    def add_metric(self, *, name: str, unit: str, value: float) -> None:
        self._metrics[name] = (unit, float(value))

    def add_metadata(self, *, key: str, value: str) -> None:
        self._metadata[key] = value

    def write(self) -> None:
        if not self._metrics:
            raise ValueError("an EMF document needs at least one metric")
        declared = [{"Name": name, "Unit": unit} for name, (unit, _) in self._metrics.items()]
        dimensions = [list(self._dimensions)]
        definition = {"Namespace": self._namespace, "Dimensions": dimensions, "Metrics": declared}
        document: dict[str, Any] = {
            "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [definition]},
            **self._dimensions,
            **{name: value for name, (_, value) in self._metrics.items()},
            **self._metadata,
        }
        sys.stdout.write(json.dumps(document, separators=(",", ":")) + "\n")


@contextmanager
def _document(namespace: str, **dimensions: str) -> Iterator[_Document]:
    """A document with ``dimensions``, written (one EMF line) on exit."""
    document = _Document(namespace, dimensions)
    yield document
    document.write()


def _flag(value: bool) -> float:
    return 1.0 if value else 0.0


def publish(report: MonitorReport, *, namespace: str = DEFAULT_NAMESPACE, item_metrics: bool = False) -> int:
    """Print a whole single-function pass: its run document, then ``publish_unit``; return the lines."""
    publish_run(RunTotals.of(report), report.duration_seconds, namespace=namespace)
    return 1 + publish_unit(report, namespace=namespace, item_metrics=item_metrics)


def publish_run(totals: RunTotals, seconds: float, *, namespace: str = DEFAULT_NAMESPACE) -> None:
    """The run document: what the template's heartbeat, unhealthy-items and lag alarms read."""
    with _document(namespace) as run:
        run.add_metric(name="MonitoredItems", unit=MetricUnit.Count, value=totals.items)
        run.add_metric(name="UnhealthyItems", unit=MetricUnit.Count, value=totals.not_ok)
        run.add_metric(name="SkippedItems", unit=MetricUnit.Count, value=totals.skipped)
        run.add_metric(name="MonitorCoverage", unit=MetricUnit.Percent, value=totals.coverage)
        run.add_metric(name="MonitorDuration", unit=MetricUnit.Seconds, value=seconds)
        # The heartbeat alarm reads MonitorRuns (no run, no data: ALARM) and the lag alarm the worst
        # latency, one metric whatever the number of replications.
        run.add_metric(name="MonitorRuns", unit=MetricUnit.Count, value=1)
        if totals.max_latency is not None:
            run.add_metric(name="MaxReplicationLatency", unit=MetricUnit.Seconds, value=totals.max_latency)


def publish_unit(
    report: MonitorReport, *, namespace: str = DEFAULT_NAMESPACE, item_metrics: bool = False
) -> int:
    """One document per endpoint and one line per replication and cluster; return how many lines."""
    printed = 0
    for endpoint in report.endpoints:
        _endpoint(endpoint, namespace)
        printed += 1
        for replication in endpoint.replications:
            _line(_replication(replication), namespace, ("Endpoint", "ReplicationId"), item_metrics)
            printed += 1
    for org in report.capella:
        _capella(org, namespace)
        printed += 1
        for cluster in org.clusters:
            _line(_cluster(cluster, org.name), namespace, ("ClusterId",), item_metrics)
            printed += 1
    return printed


def _endpoint(endpoint: EndpointReport, namespace: str) -> None:
    with _document(namespace, Endpoint=endpoint.name) as doc:
        reachable = endpoint.status not in CHECK_FAILURES
        doc.add_metric(name="EndpointReachable", unit=MetricUnit.Count, value=_flag(reachable))
        if endpoint.service_status is not None:
            running = endpoint.service_status.lower() == "running"
            doc.add_metric(name="ServiceRunning", unit=MetricUnit.Count, value=_flag(running))
        if endpoint.remote_status is not None:
            running = endpoint.remote_status.lower() == "running"
            doc.add_metric(name="RemoteServiceRunning", unit=MetricUnit.Count, value=_flag(running))
        if reachable:
            replications = endpoint.replications
            doc.add_metric(name="Replications", unit=MetricUnit.Count, value=len(replications))
            not_ok = sum(1 for r in replications if r.status is not Status.OK)
            doc.add_metric(name="ReplicationsNotOk", unit=MetricUnit.Count, value=not_ok)
            known = [r.latency_seconds for r in replications if r.latency_seconds is not None]
            if known:
                doc.add_metric(name="MaxReplicationLatency", unit=MetricUnit.Seconds, value=max(known))
        doc.add_metadata(key="Status", value=str(endpoint.status))
        if endpoint.reason:
            doc.add_metadata(key="Reason", value=endpoint.reason)


def _capella(org: CapellaReport, namespace: str) -> None:
    with _document(namespace, CapellaEndpoint=org.name) as doc:
        reachable = org.status not in CHECK_FAILURES
        doc.add_metric(name="EndpointReachable", unit=MetricUnit.Count, value=_flag(reachable))
        if reachable:
            doc.add_metric(name="Clusters", unit=MetricUnit.Count, value=len(org.clusters))
            not_ok = sum(1 for c in org.clusters if c.status is not Status.OK)
            doc.add_metric(name="ClustersNotOk", unit=MetricUnit.Count, value=not_ok)
        doc.add_metadata(key="Status", value=str(org.status))
        if org.reason:
            doc.add_metadata(key="Reason", value=org.reason)


Field = tuple[str, Any, str | None]
"""A line's field: name, value, and the CloudWatch unit when it is a metric (``None``: a property)."""


def _replication(replication: ReplicationReport) -> list[Field]:
    failed = replication.status in CHECK_FAILURES
    return [
        ("MonitorItem", "replication", None),
        ("Endpoint", replication.endpoint, None),
        ("ReplicationId", replication.replication_id, None),
        ("ReplicationName", replication.name, None),
        ("Status", str(replication.status), None),
        ("Reason", replication.reason, None),
        ("Enabled", replication.enabled, None),
        ("DataReplicationOn", replication.data_replication_on, None),
        ("LastSuccessfulTransfer", replication.last_successful_transfer, None),
        ("ReplicationHealthy", _flag(replication.status is Status.OK), "Count"),
        ("ReplicationCheckFailed", _flag(failed), "Count"),
        ("ReplicationLatency", replication.latency_seconds, "Seconds"),
        ("TimeSinceLastDataSync", replication.time_since_last_data_sync_seconds, "Seconds"),
        ("TimeSinceLastTransfer", replication.seconds_since_last_transfer, "Seconds"),
    ]


def _cluster(cluster: ClusterReport, endpoint: str) -> list[Field]:
    return [
        ("MonitorItem", "cluster", None),
        ("CapellaEndpoint", endpoint, None),
        ("ClusterId", cluster.cluster_id, None),
        ("ClusterName", cluster.name, None),
        ("ClusterStatus", cluster.cluster_status, None),
        ("Status", str(cluster.status), None),
        ("Reason", cluster.reason, None),
        ("ClusterHealthy", _flag(cluster.status is Status.OK), "Count"),
        ("ClusterCheckFailed", _flag(cluster.status in CHECK_FAILURES), "Count"),
    ]


def _line(fields: list[Field], namespace: str, dimensions: tuple[str, ...], metrics: bool) -> None:
    """One item as a JSON line of its fields (``None`` values left out); with ``metrics`` also an EMF
    document whose metrics are the fields that have a unit, under ``dimensions``."""
    line: dict[str, Any] = {name: value for name, value, _ in fields if value is not None}
    if metrics:
        declared = [{"Name": n, "Unit": u} for n, v, u in fields if u is not None and v is not None]
        line["_aws"] = {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {"Namespace": namespace, "Dimensions": [list(dimensions)], "Metrics": declared}
            ],
        }
    sys.stdout.write(json.dumps(line, separators=(",", ":")) + "\n")
