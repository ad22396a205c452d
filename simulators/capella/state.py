"""The simulator's state: projects, clusters (hosted and in-VPC), database users, clouds, org users.

Statuses are not stored but computed from a monotonic clock when read: each cluster carries a
``Timeline`` (a status per step until a deadline, then a final status, or ``None`` for "gone").
All access goes through ``Store.lock`` (re-entrant); the simulator holds it for a whole request.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

PRE_DEPLOY_STATUSES = frozenset({"draft", "deploying", "deploymentFailed", "job_scheduled", "deploy_failed"})


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Timeline:
    """``steps``: (status, monotonic deadline) in order; after the last deadline the status is ``final``."""

    steps: list[tuple[str, float]]
    final: str | None
    """``None``: the object no longer exists (every endpoint answers 404)."""

    @classmethod
    def fixed(cls, status: str) -> Timeline:
        return cls([], status)

    def status(self, now: float) -> str | None:
        for status, until in self.steps:
            if now < until:
                return status
        return self.final


@dataclass
class Timings:
    deploy_seconds: float = 2.0
    destroy_seconds: float = 1.0
    scale_seconds: float = 1.0


@dataclass
class Project:
    id: str
    name: str
    tenant_id: str
    created_at: str


@dataclass
class Cloud:
    """An in-VPC cloud (customer account connection); the simulator starts with one."""

    id: str
    name: str
    provider: str
    region: str
    virtual_network_id: str
    virtual_network_cidr: str
    status: str = "ready"


@dataclass
class OrgUser:
    id: str
    name: str
    email: str


@dataclass
class Cluster:
    """Fields common to hosted (``/v3``) and in-VPC (``/v2``) clusters."""

    id: str
    name: str
    project_id: str
    timeline: Timeline
    deployed_after: float | None
    """Monotonic time from which the cluster counts as deployed; ``None`` if it never will be."""
    tenant_id: str = ""
    created_at: str = field(default_factory=utc_now)
    updated_at: str = field(default_factory=utc_now)
    endpoints_srv: str = field(default_factory=lambda: f"cb.{secrets.token_hex(8)}.cloud.couchbase.com")
    certificate: str = field(default_factory=lambda: _fake_certificate(), repr=False)

    environment = "hosted"

    def status(self, now: float) -> str | None:
        return self.timeline.status(now)

    def deployed(self, now: float) -> bool:
        return self.deployed_after is not None and now >= self.deployed_after and self.status(now) is not None

    def touch(self) -> None:
        self.updated_at = utc_now()


@dataclass
class HostedCluster(Cluster):
    description: str = ""
    provider: str = "aws"
    region: str = "us-east-1"
    cidr: str = "10.0.0.0/20"
    single_az: bool = True
    servers: list[dict[str, Any]] = field(default_factory=list)
    support_type: str = "DeveloperPro"
    support_timezone: str = "GMT"


@dataclass
class VpcCluster(Cluster):
    cloud_id: str = ""
    servers: list[dict[str, Any]] = field(default_factory=list)
    support_package: dict[str, str] = field(default_factory=dict)
    version: str = "latest"

    environment = "inVpc"


@dataclass
class ClusterUser:
    username: str
    password: str = field(repr=False)
    all_buckets_access: str | None = None
    buckets: list[dict[str, str]] = field(default_factory=list)


def _fake_certificate() -> str:
    body = base64.b64encode(secrets.token_bytes(600)).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


class Store:
    def __init__(self, timings: Timings, clock: Callable[[], float] = time.monotonic) -> None:
        self.lock = threading.RLock()
        self.timings = timings
        self.clock = clock
        self.tenant_id = str(uuid.uuid4())
        self.projects: dict[str, Project] = {}
        self.clusters: dict[str, Cluster] = {}
        self.cluster_users: dict[str, dict[str, ClusterUser]] = {}
        """cluster id -> username -> user."""
        self.clouds: dict[str, Cloud] = {}
        self.org_users: list[OrgUser] = [OrgUser(str(uuid.uuid4()), "Sim Operator", "operator@example.com")]
        self.failed_deploys: deque[str] = deque()
        cloud = Cloud(
            str(uuid.uuid4()), "sim-cloud", "aws", "us-east-1", "vpc-0sim00000000000", "10.21.0.0/16"
        )
        self.clouds[cloud.id] = cloud

    def now(self) -> float:
        return self.clock()

    def purge(self) -> None:
        """Forget clusters whose destruction has finished (and their users)."""
        with self.lock:
            now = self.now()
            for cluster_id in [cid for cid, c in self.clusters.items() if c.status(now) is None]:
                del self.clusters[cluster_id]
                self.cluster_users.pop(cluster_id, None)

    def add_project(self, name: str) -> Project:
        with self.lock:
            project = Project(str(uuid.uuid4()), name, self.tenant_id, utc_now())
            self.projects[project.id] = project
            return project

    def add_cluster(self, cluster: Cluster) -> Cluster:
        with self.lock:
            cluster.tenant_id = self.tenant_id
            self.clusters[cluster.id] = cluster
            self.cluster_users.setdefault(cluster.id, {})
            return cluster

    def deploy_timeline(self, now: float) -> tuple[Timeline, float | None]:
        """Timeline of a new hosted cluster and when it counts as deployed (honours ``fail_next_deploy``)."""
        until = now + self.timings.deploy_seconds
        if self.failed_deploys:
            return Timeline([("deploying", until)], self.failed_deploys.popleft()), None
        return Timeline([("deploying", until)], "healthy"), until

    def vpc_deploy_timeline(self, now: float) -> tuple[Timeline, float]:
        """In-VPC: ``job_scheduled`` for the first third of the deploy time, ``deploying``, then ``ready``."""
        until = now + self.timings.deploy_seconds
        scheduled = now + self.timings.deploy_seconds / 3
        return Timeline([("job_scheduled", scheduled), ("deploying", until)], "ready"), until

    def destroy_timeline(self, now: float) -> Timeline:
        return Timeline([("destroying", now + self.timings.destroy_seconds)], None)

    def scale_timeline(self, now: float) -> Timeline:
        return Timeline([("scaling", now + self.timings.scale_seconds)], "healthy")
