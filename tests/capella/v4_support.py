"""Shared pieces of the v4 client tests: a strict simulator, a fast client and a cluster spec."""

from __future__ import annotations

from cbprovider.capella.v4 import (
    CapellaV4Client,
    CloudProvider,
    ClusterSpec,
    Compute,
    Disk,
    ServiceGroup,
    Support,
)
from cbprovider.deadline import Deadline
from cbprovider.transport import RetryPolicy

FAST_RETRY = RetryPolicy(base_delay=0.01, max_delay=0.05)
UNPACED = 60_000.0
"""Requests a minute for test clients: the simulator answers in microseconds, pacing would only slow tests."""


def v4_client(sim, *, token: str | None = None, anonymous: bool = False, **kwargs) -> CapellaV4Client:
    """A fast client of ``sim``: its own token, ``token``, or none at all (``anonymous``)."""
    kwargs.setdefault("retry", FAST_RETRY)
    kwargs.setdefault("rate_per_minute", UNPACED)
    kwargs.setdefault("burst", 1000)
    return CapellaV4Client(
        sim.url,
        None if anonymous else (token or sim.v4.token),
        organization_id=sim.v4.organization_id,
        **kwargs,
    )


def group(
    nodes: int = 3, cpu: int = 4, services: tuple[str, ...] = ("data", "index", "query")
) -> ServiceGroup:
    return ServiceGroup(Compute(cpu, cpu * 4), Disk("gp3", 50, 3000), nodes, services)


def cluster_spec(name: str = "orders") -> ClusterSpec:
    return ClusterSpec(
        name=name,
        cloud_provider=CloudProvider("aws", "us-east-1", "10.0.0.0/23"),
        service_groups=[group()],
        availability_type="single",
        support=Support("developer pro", "GMT"),
        description="test cluster",
        couchbase_version="7.6",
    )


def healthy_cluster(client: CapellaV4Client, project_id: str, name: str = "orders") -> str:
    cluster_id = client.create_cluster(project_id, cluster_spec(name))
    client.wait_for_cluster(project_id, cluster_id, deadline=Deadline.after(10), interval=0.05)
    return cluster_id
