"""What one monitoring pass found: per endpoint, replication and cluster, and the run as a whole.

Every item has a ``status``: ``ok``; ``unhealthy`` (answered, but stopped, disabled, degraded, ...);
``error`` (the API answered with an error or an unreadable body); ``unreachable`` (no answer in time);
``skipped`` (not checked: the run's deadline came first). ``reason`` says why for everything but ``ok``.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from enum import StrEnum
from typing import Any

import msgspec

MAX_PROBLEMS_IN_LINE = 5


class Status(StrEnum):
    OK = "ok"
    UNHEALTHY = "unhealthy"
    ERROR = "error"
    UNREACHABLE = "unreachable"
    SKIPPED = "skipped"


DEADLINE_REASON = "deadline"


class ReplicationReport(msgspec.Struct):
    endpoint: str
    replication_id: str
    status: Status
    reason: str | None = None
    name: str | None = None
    """The destination database (the list carries no replication name)."""
    enabled: bool | None = None
    data_replication_on: bool | None = None
    latency_seconds: float | None = None
    time_since_last_data_sync_seconds: float | None = None
    seconds_since_last_transfer: float | None = None
    last_successful_transfer: str | None = None

    @property
    def label(self) -> str:
        return f"{self.endpoint}/{self.name or self.replication_id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "replicationId": self.replication_id,
            "name": self.name,
            "status": str(self.status),
            "reason": self.reason,
            "enabled": self.enabled,
            "dataReplicationOn": self.data_replication_on,
            "latencySeconds": self.latency_seconds,
            "timeSinceLastDataSyncSeconds": self.time_since_last_data_sync_seconds,
            "secondsSinceLastTransfer": self.seconds_since_last_transfer,
            "lastSuccessfulTransfer": self.last_successful_transfer,
        }


class EndpointReport(msgspec.Struct):
    name: str
    api_url: str
    status: Status
    reason: str | None = None
    service_status: str | None = None
    remote_status: str | None = None
    replications: list[ReplicationReport] = msgspec.field(default_factory=list)
    replication_total: int | None = None
    """How many replications the endpoint listed (``replications`` holds those this check covered)."""

    @property
    def label(self) -> str:
        return self.name

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "apiUrl": self.api_url,
            "status": str(self.status),
            "reason": self.reason,
            "serviceStatus": self.service_status,
            "remoteStatus": self.remote_status,
            "replicationCount": len(self.replications),
            "replications": [r.to_dict() for r in self.replications],
        }


class ClusterReport(msgspec.Struct):
    cluster_id: str
    status: Status
    reason: str | None = None
    name: str | None = None
    project_id: str | None = None
    environment: str | None = None
    cluster_status: str | None = None

    @property
    def label(self) -> str:
        return f"capella/{self.name or self.cluster_id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "clusterId": self.cluster_id,
            "name": self.name,
            "projectId": self.project_id,
            "environment": self.environment,
            "status": str(self.status),
            "reason": self.reason,
            "clusterStatus": self.cluster_status,
        }


class CapellaReport(msgspec.Struct):
    api_url: str
    status: Status
    reason: str | None = None
    clusters: list[ClusterReport] = msgspec.field(default_factory=list)
    name: str = "default"
    """The registered endpoint's name."""
    cluster_total: int | None = None
    """How many clusters the organisation listed (``clusters`` holds those this check covered)."""

    @property
    def label(self) -> str:
        return f"capella endpoint {self.name}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "apiUrl": self.api_url,
            "status": str(self.status),
            "reason": self.reason,
            "clusterCount": len(self.clusters),
            "clusters": [c.to_dict() for c in self.clusters],
        }


Item = EndpointReport | ReplicationReport | CapellaReport | ClusterReport


class MonitorReport(msgspec.Struct):
    started_at: datetime
    duration_seconds: float = 0.0
    deadline_reached: bool = False
    endpoints: list[EndpointReport] = msgspec.field(default_factory=list)
    capella: list[CapellaReport] = msgspec.field(default_factory=list)

    def items(self) -> list[Item]:
        """Every reported item: endpoints, their replications, the Capella orgs and their clusters."""
        found: list[Item] = []
        for endpoint in self.endpoints:
            found.append(endpoint)
            found.extend(endpoint.replications)
        for org in self.capella:
            found.append(org)
            found.extend(org.clusters)
        return found

    def counts(self) -> dict[str, int]:
        counted = Counter(str(item.status) for item in self.items())
        return {str(s): counted.get(str(s), 0) for s in Status}

    @property
    def healthy(self) -> bool:
        return all(item.status is Status.OK for item in self.items())

    def summary_line(self) -> str:
        """One readable line for the log: totals, then the first few problems with their reasons
        (line breaks in API messages are folded into spaces)."""
        replications = sum(len(e.replications) for e in self.endpoints)
        clusters = sum(len(org.clusters) for org in self.capella)
        counts = ", ".join(f"{name} {number}" for name, number in self.counts().items() if number)
        line = (
            f"replication monitor: {len(self.endpoints)} CloudBasic endpoint(s), {replications} "
            f"replication(s), {clusters} Capella cluster(s) in {self.duration_seconds:.1f}s: "
            f"{counts or 'nothing'}"
        )
        if self.deadline_reached:
            line += " (deadline reached)"
        problems = [item for item in self.items() if item.status is not Status.OK]
        if problems:
            shown = "; ".join(
                f"{item.label} {item.status}: {item.reason}" for item in problems[:MAX_PROBLEMS_IN_LINE]
            )
            more = len(problems) - MAX_PROBLEMS_IN_LINE
            line += f" | problems: {shown}" + (f"; and {more} more" if more > 0 else "")
        return " ".join(line.split())

    def to_dict(self) -> dict[str, Any]:
        return {
            "startedAt": self.started_at.isoformat(),
            "durationSeconds": round(self.duration_seconds, 3),
            "deadlineReached": self.deadline_reached,
            "healthy": self.healthy,
            "counts": self.counts(),
            "cloudbasic": [e.to_dict() for e in self.endpoints],
            "capella": [org.to_dict() for org in self.capella],
        }
