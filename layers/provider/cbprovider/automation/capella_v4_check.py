"""The monitor's look at one Capella API v4 organisation: every cluster of every project, with its state.

A v4 cluster list carries each cluster's ``currentState``, so listing the organisation's projects and
each project's clusters (all pages of each) is the whole check: no call per cluster. The lists are read
one after another: the requests of one API key are paced (``CAPELLA_REQUESTS_PER_MINUTE``, as the
provider paces them), so reading them concurrently would not be faster, only more likely to meet a 429.
A cluster is ``ok`` when ``healthy``; any other state (``degraded``, ``deploying``, a ``*Failed`` one) is
``unhealthy`` with the state as the reason.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import msgspec

from cbprovider.automation.report import ClusterReport, Status
from cbprovider.automation.settings import CapellaTarget, MonitorSettings
from cbprovider.deadline import Deadline

if TYPE_CHECKING:
    from cbprovider.capella.v4 import CapellaV4Client, Cluster

HEALTHY = "healthy"


class V4Clusters(msgspec.Struct, frozen=True):
    """What phase one found in a v4 organisation: the report of every cluster, already checked."""

    reports: list[ClusterReport] = msgspec.field(default_factory=list)


def v4_client(target: CapellaTarget, token: str | None, settings: MonitorSettings) -> CapellaV4Client:
    from cbprovider.capella.v4 import CapellaV4Client
    from cbprovider.capella.v4.ratelimit import pacing_from_environment

    return CapellaV4Client(
        target.api_url,
        token,
        organization_id=str(target.organization_id),
        timeouts=settings.timeouts,
        retry=settings.retry,
        **pacing_from_environment(os.environ),
    )


def list_v4_clusters(client: CapellaV4Client, deadline: Deadline) -> V4Clusters:
    """Every cluster of every project of the client's organisation (all pages of each list)."""
    found = V4Clusters()
    for project in client.list_projects(deadline=deadline):
        for cluster in client.list_clusters(project.id, deadline=deadline):
            found.reports.append(cluster_report(project.id, cluster))
    return found


def cluster_report(project_id: str, cluster: Cluster) -> ClusterReport:
    healthy = cluster.current_state == HEALTHY
    return ClusterReport(
        cluster_id=cluster.id,
        status=Status.OK if healthy else Status.UNHEALTHY,
        reason=None if healthy else f"cluster state is {cluster.current_state}",
        name=cluster.name or None,
        project_id=project_id,
        cluster_status=cluster.current_state,
    )
