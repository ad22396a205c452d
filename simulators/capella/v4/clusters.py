"""Clusters: ``.../projects/{projectId}/clusters[/{clusterId}]``.

- ``POST`` answers 202 with ``{"id"}``; the cluster is ``draft``, then ``deploying``, then ``healthy``
  (or the queued outcome: ``degraded``, ``deploymentFailed``...). ``connectionString`` is empty until
  the cluster has been deployed.
- ``PUT`` needs name, description, support and serviceGroups together (422 naming what is missing) and
  a settled cluster (``healthy`` or ``degraded``); ``If-Match`` must match the ETag (412). New service
  groups start ``scaling``; other changes apply at once. 204.
- ``DELETE`` answers 202 in a settled or failed state (and again while ``destroying``); 422 while the
  cluster is deploying or scaling. After ``destroying`` every path of the cluster is a 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from simulators.capella import fields
from simulators.capella.routes import Router
from simulators.capella.v4.context import KeySchema, V4Context, check_if_match
from simulators.capella.v4.problems import not_found, unprocessable
from simulators.capella.v4.projects import PROJECT, find_project
from simulators.capella.v4.state import PRE_DEPLOY, Cluster
from simulators.server import Response

CLUSTERS = PROJECT + "/clusters"
CLUSTER = CLUSTERS + "/{clusterId}"
SETTLED = frozenset({"healthy", "degraded"})
PROVIDERS = frozenset({"aws", "gcp", "azure"})
PLANS = frozenset({"basic", "developer pro", "enterprise"})
SERVICES = frozenset({"data", "index", "query", "search", "analytics", "eventing"})
SERVICE_GROUP: KeySchema = {
    "node": {
        "compute": {"cpu": None, "ram": None},
        "disk": {"type": None, "storage": None, "iops": None, "autoexpansion": None},
    },
    "numOfNodes": None,
    "services": None,
}
SUPPORT: KeySchema = {"plan": None, "timezone": None}
CREATE_KEYS: KeySchema = {
    "name": None,
    "description": None,
    "cloudProvider": {"type": None, "region": None, "cidr": None},
    "serviceGroups": [SERVICE_GROUP],
    "availability": {"type": None},
    "support": SUPPORT,
    "couchbaseServer": {"version": None},
    "zones": None,
    "configurationType": None,
    "enablePrivateDNSResolution": None,
    "cmekId": None,
}
UPDATE_KEYS: KeySchema = {
    "name": None,
    "description": None,
    "support": SUPPORT,
    "serviceGroups": [SERVICE_GROUP],
}


def find_cluster(ctx: V4Context) -> tuple[Cluster, str]:
    """The cluster of the path (in the path's project) and its state; 404 when unknown or destroyed."""
    project = find_project(ctx)
    cluster = ctx.store.clusters.get(ctx.params["clusterId"])
    state = cluster.state(ctx.now) if cluster is not None else None
    if cluster is None or state is None or cluster.project_id != project.id:
        raise not_found(f"cluster {ctx.params['clusterId']}")
    return cluster, state


def require_settled(cluster: Cluster, state: str, action: str) -> None:
    if state not in SETTLED:
        raise unprocessable(f"cluster {cluster.id} is {state}; {action} needs a healthy or degraded cluster")


def cluster_view(cluster: Cluster, state: str) -> dict[str, Any]:
    deployed = state not in PRE_DEPLOY
    return {
        "id": cluster.id,
        "name": cluster.name,
        "description": cluster.description,
        "cloudProvider": cluster.cloud_provider,
        "availability": {"type": cluster.availability},
        "support": cluster.support,
        "couchbaseServer": {"version": cluster.server_version},
        "serviceGroups": cluster.service_groups,
        "configurationType": cluster.configuration_type,
        "currentState": state,
        "connectionString": f"couchbases://{cluster.host}" if deployed else "",
        "audit": cluster.audit(),
    }


def _service_groups(body: dict[str, Any]) -> list[dict[str, Any]]:
    groups = fields.array(body, "serviceGroups", "serviceGroups")
    has_data = False
    for i, group in enumerate(groups):
        where = f"serviceGroups[{i}]"
        if not isinstance(group, dict):
            raise unprocessable(f"{where}: must be an object")
        node = fields.obj(group, "node", f"{where}.node")
        compute = fields.obj(node, "compute", f"{where}.node.compute")
        fields.integer(compute, "cpu", f"{where}.node.compute.cpu", 2, 256)
        fields.integer(compute, "ram", f"{where}.node.compute.ram", 4, 2048)
        disk = fields.obj(node, "disk", f"{where}.node.disk")
        fields.text(disk, "type", f"{where}.node.disk.type", max_len=32)
        fields.integer(group, "numOfNodes", f"{where}.numOfNodes", 3 if i == 0 else 2, 27)
        services = fields.array(group, "services", f"{where}.services")
        for service in services:
            if service not in SERVICES:
                raise unprocessable(
                    f"{where}.services: {service!r} is not one of {', '.join(sorted(SERVICES))}"
                )
        has_data = has_data or "data" in services
    if not has_data:
        raise unprocessable("serviceGroups: at least one service group must run the data service")
    return groups


def _support(body: dict[str, Any]) -> dict[str, Any]:
    support = fields.obj(body, "support", "support")
    plan = fields.choice(support, "plan", "support.plan", PLANS)
    timezone = fields.optional_text(support, "timezone", "support.timezone", min_len=2, max_len=8)
    return {"plan": plan, "timezone": timezone or "GMT"}


def create_cluster(ctx: V4Context) -> Response:
    project = find_project(ctx)
    body = ctx.body(CREATE_KEYS)
    name = fields.text(body, "name", "name", max_len=256)
    description = fields.optional_text(body, "description", "description", max_len=1024) or ""
    cloud = fields.obj(body, "cloudProvider", "cloudProvider")
    provider = fields.choice(cloud, "type", "cloudProvider.type", PROVIDERS)
    region = fields.text(cloud, "region", "cloudProvider.region", max_len=64)
    cidr = fields.optional_text(cloud, "cidr", "cloudProvider.cidr", max_len=18) or "10.0.0.0/23"
    availability = fields.choice(
        fields.obj(body, "availability", "availability"), "type", "availability.type", {"single", "multi"}
    )
    support = _support(body)
    if support["plan"] == "basic" and availability != "single":
        raise unprocessable("support.plan: basic is only available for single-availability clusters")
    groups = _service_groups(body)
    server = fields.optional_obj(body, "couchbaseServer", "couchbaseServer") or {}
    cluster = Cluster(
        id=str(uuid.uuid4()),
        org_id=ctx.org_id,
        project_id=project.id,
        name=name,
        description=description,
        cloud_provider={"type": provider, "region": region, "cidr": cidr},
        availability=availability,
        support=support,
        server_version=fields.optional_text(server, "version", "couchbaseServer.version", max_len=16)
        or "7.6",
        service_groups=groups,
        configuration_type=str(body.get("configurationType") or "multiNode"),
        timeline=ctx.store.deploy_timeline(ctx.now),
    )
    ctx.store.add_cluster(cluster)
    return Response.json(202, {"id": cluster.id})


def list_clusters(ctx: V4Context) -> Response:
    project = find_project(ctx)
    items = []
    for cluster in ctx.store.clusters.values():
        state = cluster.state(ctx.now)
        if cluster.project_id == project.id and state is not None:
            items.append(cluster_view(cluster, state))
    return ctx.page(items)


def get_cluster(ctx: V4Context) -> Response:
    cluster, state = find_cluster(ctx)
    return Response.json(200, cluster_view(cluster, state), {"ETag": cluster.etag})


def put_cluster(ctx: V4Context) -> Response:
    cluster, state = find_cluster(ctx)
    body = ctx.body(UPDATE_KEYS)
    missing = [key for key in UPDATE_KEYS if key not in body]
    if missing:
        raise unprocessable(
            f"the update must carry name, description, support and serviceGroups; missing: "
            f"{', '.join(missing)}"
        )
    name = fields.text(body, "name", "name", max_len=256)
    description = fields.text(body, "description", "description", min_len=0, max_len=1024)
    support = _support(body)
    groups = _service_groups(body)
    check_if_match(ctx, cluster.etag, f"cluster {cluster.id}")
    require_settled(cluster, state, "an update")
    cluster.name, cluster.description, cluster.support = name, description, support
    if groups != cluster.service_groups:
        cluster.service_groups = groups
        cluster.timeline = ctx.store.scale_timeline(ctx.now)
    cluster.bump()
    return Response(204)


def delete_cluster(ctx: V4Context) -> Response:
    cluster, state = find_cluster(ctx)
    if state == "destroying":
        return Response(202)
    if state not in SETTLED and not state.endswith("Failed"):
        raise unprocessable(f"cluster {cluster.id} is {state}; wait for it to settle before deleting it")
    cluster.timeline = ctx.store.destroy_timeline(ctx.now)
    cluster.bump()
    return Response(202)


def settled_cluster(ctx: V4Context, action: str) -> Cluster:
    """The path's cluster, which must be healthy or degraded for ``action`` (buckets, CIDRs, users)."""
    cluster, state = find_cluster(ctx)
    require_settled(cluster, state, action)
    return cluster


def register(router: Router) -> None:
    router.add("GET", CLUSTERS, list_clusters)
    router.add("POST", CLUSTERS, create_cluster)
    router.add("GET", CLUSTER, get_cluster)
    router.add("PUT", CLUSTER, put_cluster)
    router.add("DELETE", CLUSTER, delete_cluster)
