"""The v4 simulator's state: organizations and their tokens, projects, clusters, buckets, allowed
CIDRs and database credentials, each object with an audit record whose ``version`` is its ETag.

Cluster states are computed from the clock like the v3 simulator's (a ``Timeline`` per cluster).
Outcome queues let a test choose how the next deploy, scale or destroy ends (``degraded``,
``deploymentFailed``...). All access happens under ``V4Store.lock``.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulators.capella.state import Timeline, Timings, utc_now

PRE_DEPLOY = frozenset({"draft", "deploying", "deploymentFailed"})


@dataclass
class Versioned:
    """An object with an audit record; every change bumps ``version`` (the ETag is ``Version: N``)."""

    version: int = field(default=1, init=False)
    created_at: str = field(default_factory=utc_now, init=False)
    modified_at: str = field(default_factory=utc_now, init=False)
    modified_by: str = field(default="apikey-sim", init=False)

    @property
    def etag(self) -> str:
        return f"Version: {self.version}"

    def bump(self, by: str = "apikey-sim") -> None:
        self.version += 1
        self.modified_at = utc_now()
        self.modified_by = by

    def audit(self) -> dict[str, Any]:
        return {
            "createdAt": self.created_at,
            "createdBy": "apikey-sim",
            "modifiedAt": self.modified_at,
            "modifiedBy": self.modified_by,
            "version": self.version,
        }


@dataclass
class Organization:
    id: str
    name: str


@dataclass
class Project(Versioned):
    id: str = ""
    org_id: str = ""
    name: str = ""
    description: str = ""


@dataclass
class Cluster(Versioned):
    id: str = ""
    org_id: str = ""
    project_id: str = ""
    name: str = ""
    description: str = ""
    cloud_provider: dict[str, Any] = field(default_factory=dict)
    availability: str = "single"
    support: dict[str, Any] = field(default_factory=dict)
    server_version: str = "7.6"
    service_groups: list[dict[str, Any]] = field(default_factory=list)
    configuration_type: str = "multiNode"
    timeline: Timeline = field(default_factory=lambda: Timeline.fixed("healthy"))
    host: str = field(default_factory=lambda: f"cb.{secrets.token_hex(8)}.cloud.couchbase.com")

    def state(self, now: float) -> str | None:
        return self.timeline.status(now)


@dataclass
class Bucket:
    id: str
    name: str
    settings: dict[str, Any]


@dataclass
class AllowedCidr:
    id: str
    cidr: str
    comment: str
    expires_at: str | None
    created_at: str = field(default_factory=utc_now)


@dataclass
class Credential(Versioned):
    id: str = ""
    name: str = ""
    password: str = field(default="", repr=False)
    access: list[dict[str, Any]] = field(default_factory=list)


class V4Store:
    def __init__(self, timings: Timings, clock: Callable[[], float] = time.monotonic) -> None:
        self.lock = threading.RLock()
        self.timings = timings
        self.clock = clock
        self.organizations: dict[str, Organization] = {}
        self.tokens: dict[str, str] = {}
        """API key token -> organization id."""
        self.projects: dict[str, Project] = {}
        self.clusters: dict[str, Cluster] = {}
        self.buckets: dict[str, dict[str, Bucket]] = {}
        self.cidrs: dict[str, dict[str, AllowedCidr]] = {}
        self.credentials: dict[str, dict[str, Credential]] = {}
        """Cluster id -> object id -> object, for the three above."""
        self.deploy_outcomes: deque[str] = deque()
        self.scale_outcomes: deque[str] = deque()
        self.destroy_outcomes: deque[str] = deque()

    def now(self) -> float:
        return self.clock()

    def add_organization(self, name: str, token: str, org_id: str | None = None) -> Organization:
        with self.lock:
            org = Organization(org_id or str(uuid.uuid4()), name)
            self.organizations[org.id] = org
            self.tokens[token] = org.id
            return org

    def add_project(self, org_id: str, name: str, description: str = "") -> Project:
        with self.lock:
            project = Project(id=str(uuid.uuid4()), org_id=org_id, name=name, description=description)
            self.projects[project.id] = project
            return project

    def add_cluster(self, cluster: Cluster) -> Cluster:
        with self.lock:
            self.clusters[cluster.id] = cluster
            for table in (self.buckets, self.cidrs, self.credentials):
                table.setdefault(cluster.id, {})
            return cluster

    def purge(self) -> None:
        """Forget clusters whose destruction has finished, with everything inside them."""
        with self.lock:
            now = self.now()
            for cluster_id in [cid for cid, c in self.clusters.items() if c.state(now) is None]:
                del self.clusters[cluster_id]
                for table in (self.buckets, self.cidrs, self.credentials):
                    table.pop(cluster_id, None)

    # -- timelines ------------------------------------------------------------------------------------
    def deploy_timeline(self, now: float) -> Timeline:
        """``draft`` for the first fifth of the deploy time, ``deploying``, then ``healthy`` or the queued
        outcome (``degraded``, ``deploymentFailed``...)."""
        deploy = self.timings.deploy_seconds
        final = self.deploy_outcomes.popleft() if self.deploy_outcomes else "healthy"
        return Timeline([("draft", now + deploy / 5), ("deploying", now + deploy)], final)

    def scale_timeline(self, now: float) -> Timeline:
        final = self.scale_outcomes.popleft() if self.scale_outcomes else "healthy"
        return Timeline([("scaling", now + self.timings.scale_seconds)], final)

    def destroy_timeline(self, now: float) -> Timeline:
        final = self.destroy_outcomes.popleft() if self.destroy_outcomes else None
        return Timeline([("destroying", now + self.timings.destroy_seconds)], final)
