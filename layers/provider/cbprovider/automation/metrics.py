"""A monitoring pass as CloudWatch metrics in embedded metric format (Powertools Metrics).

Each item has its own dimension values, and an EMF document carries one value per dimension, so every
item gets its own document (a handful of metrics, far below the 100-per-document limit; two dimensions at
most, far below Powertools' 29). Each document is built on a fresh ``AmazonCloudWatchEMFProvider`` handed to
``Metrics``: the default ``Metrics()`` instances share one class-wide metric set, which would mix the
items. Documents are printed to stdout, one JSON line each, from the calling thread.

Powertools' automatic ``service`` dimension is left out so that alarms and dashboards need only the
dimensions listed here.

| document | dimensions | metrics |
| --- | --- | --- |
| run | (none) | MonitoredItems, UnhealthyItems, SkippedItems, MonitorDuration |
| CloudBasic endpoint | Endpoint | EndpointReachable, ServiceRunning, RemoteServiceRunning, Replications, ReplicationsNotOk |
| replication | Endpoint, ReplicationId | ReplicationHealthy, ReplicationCheckFailed, ReplicationLatency, TimeSinceLastDataSync, TimeSinceLastTransfer |
| Capella cluster | ClusterId | ClusterHealthy, ClusterCheckFailed |
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aws_lambda_powertools.metrics import Metrics, MetricUnit
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider

from cbprovider.automation.report import (
    CapellaReport,
    ClusterReport,
    EndpointReport,
    MonitorReport,
    ReplicationReport,
    Status,
)

DEFAULT_NAMESPACE = "CfnReplicationProvider"
CHECK_FAILURES = frozenset({Status.ERROR, Status.UNREACHABLE, Status.SKIPPED})


@contextmanager
def _document(namespace: str, **dimensions: str) -> Iterator[Metrics]:
    """A ``Metrics`` with its own metric set and ``dimensions``, flushed (one EMF line) on exit."""
    provider = AmazonCloudWatchEMFProvider(
        namespace=namespace,
        service="",
        metric_set={},
        dimension_set={},
        metadata_set={},
        default_dimensions={},
    )
    metrics = Metrics(namespace=namespace, provider=provider)
    for name, value in dimensions.items():
        metrics.add_dimension(name=name, value=value)
    yield metrics
    metrics.flush_metrics(raise_on_empty_metrics=True)


def _flag(value: bool) -> float:
    return 1.0 if value else 0.0


def publish(report: MonitorReport, *, namespace: str = DEFAULT_NAMESPACE) -> int:
    """Print the pass as EMF documents; return how many were printed."""
    printed = 0
    items = report.items()
    with _document(namespace) as run:
        run.add_metric(name="MonitoredItems", unit=MetricUnit.Count, value=len(items))
        not_ok = sum(1 for i in items if i.status is not Status.OK)
        run.add_metric(name="UnhealthyItems", unit=MetricUnit.Count, value=not_ok)
        skipped = sum(1 for i in items if i.status is Status.SKIPPED)
        run.add_metric(name="SkippedItems", unit=MetricUnit.Count, value=skipped)
        run.add_metric(name="MonitorDuration", unit=MetricUnit.Seconds, value=report.duration_seconds)
    printed += 1
    for endpoint in report.endpoints:
        _endpoint(endpoint, namespace)
        printed += 1
        for replication in endpoint.replications:
            _replication(replication, namespace)
            printed += 1
    for org in report.capella:
        printed += _capella(org, namespace)
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
            doc.add_metric(name="Replications", unit=MetricUnit.Count, value=len(endpoint.replications))
            not_ok = sum(1 for r in endpoint.replications if r.status is not Status.OK)
            doc.add_metric(name="ReplicationsNotOk", unit=MetricUnit.Count, value=not_ok)
        doc.add_metadata(key="Status", value=str(endpoint.status))
        if endpoint.reason:
            doc.add_metadata(key="Reason", value=endpoint.reason)


def _replication(replication: ReplicationReport, namespace: str) -> None:
    with _document(namespace, Endpoint=replication.endpoint, ReplicationId=replication.replication_id) as doc:
        healthy = replication.status is Status.OK
        doc.add_metric(name="ReplicationHealthy", unit=MetricUnit.Count, value=_flag(healthy))
        failed = replication.status in CHECK_FAILURES
        doc.add_metric(name="ReplicationCheckFailed", unit=MetricUnit.Count, value=_flag(failed))
        values = (
            ("ReplicationLatency", replication.latency_seconds),
            ("TimeSinceLastDataSync", replication.time_since_last_data_sync_seconds),
            ("TimeSinceLastTransfer", replication.seconds_since_last_transfer),
        )
        for name, value in values:
            if value is not None:
                doc.add_metric(name=name, unit=MetricUnit.Seconds, value=value)
        if replication.name:
            doc.add_metadata(key="ReplicationName", value=replication.name)
        doc.add_metadata(key="Status", value=str(replication.status))
        if replication.reason:
            doc.add_metadata(key="Reason", value=replication.reason)


def _capella(capella: CapellaReport, namespace: str) -> int:
    for cluster in capella.clusters:
        _cluster(cluster, namespace)
    return len(capella.clusters)


def _cluster(cluster: ClusterReport, namespace: str) -> None:
    with _document(namespace, ClusterId=cluster.cluster_id) as doc:
        doc.add_metric(name="ClusterHealthy", unit=MetricUnit.Count, value=_flag(cluster.status is Status.OK))
        failed = cluster.status in CHECK_FAILURES
        doc.add_metric(name="ClusterCheckFailed", unit=MetricUnit.Count, value=_flag(failed))
        if cluster.name:
            doc.add_metadata(key="ClusterName", value=cluster.name)
        if cluster.cluster_status:
            doc.add_metadata(key="ClusterStatus", value=cluster.cluster_status)
        doc.add_metadata(key="Status", value=str(cluster.status))
        if cluster.reason:
            doc.add_metadata(key="Reason", value=cluster.reason)
