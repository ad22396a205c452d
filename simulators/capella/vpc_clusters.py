"""In-VPC clusters, ``/v2/clusters``: the cheap subset (create, list, read, status, delete).

Statuses: ``job_scheduled`` for the first third of the deploy time, ``deploying``, then ``ready``; delete:
``destroying`` then 404. The request is checked for name (2-128), an existing ``cloudId`` and
``projectId``, and server groups (``size`` 1-27, ``services``, the cloud provider's block with
``instanceSize`` and ``ebsSizeGib`` 50-16384 or ``volumeType``); instance sizes are not checked against the
provider's list. ``DELETE`` is refused (422) while the cluster is not ``ready``, except that a repeat while
``destroying`` is answered 202 again. A hosted cluster's id on these paths is a 422.
"""

from __future__ import annotations

import uuid
from typing import Any

from simulators.capella import fields, views
from simulators.capella.hosted_validation import SERVICES, TIMEZONES
from simulators.capella.listing import array_page
from simulators.capella.problems import ApiProblem, invalid, not_found
from simulators.capella.routes import Context, Router
from simulators.capella.state import VpcCluster
from simulators.server import Response

SUPPORT_TYPES = frozenset({"enterprise", "developerPro", "forumSupport"})
VERSIONS = frozenset({"latest", "enterprise-6.5.0", "enterprise-6.5.1", "enterprise-6.6.0"})
AZURE_VOLUMES = frozenset({"P4", "P6", "P10", "P15", "P20", "P30", "P40", "P50", "P60", "P70"})


def _vpc_cluster(ctx: Context) -> tuple[VpcCluster, str]:
    cluster_id = ctx.params["id"]
    cluster = ctx.store.clusters.get(cluster_id)
    status = cluster.status(ctx.now) if cluster is not None else None
    if cluster is None or status is None:
        raise not_found(f"cluster {cluster_id}")
    if not isinstance(cluster, VpcCluster):
        raise ApiProblem(422, f"cluster {cluster_id} is a hosted cluster; use /v3/clusters/{cluster_id}")
    return cluster, status


def _server_group(group: Any, path: str, provider: str) -> dict[str, Any]:
    if not isinstance(group, dict):
        raise invalid(path, "must be an object")
    size = fields.integer(group, "size", f"{path}.size", 1, 27)
    services = fields.array(group, "services", f"{path}.services")
    for j, service in enumerate(services):
        if service not in SERVICES:
            raise invalid(f"{path}.services[{j}]", f"must be one of {', '.join(sorted(SERVICES))}")
    block = fields.obj(group, provider, f"{path}.{provider}")
    normalised: dict[str, Any] = {"size": size, "services": list(services)}
    instance = fields.text(block, "instanceSize", f"{path}.{provider}.instanceSize", max_len=64)
    if provider == "aws":
        ebs = fields.integer(block, "ebsSizeGib", f"{path}.aws.ebsSizeGib", 50, 16384)
        normalised["aws"] = {"instanceSize": instance, "ebsSizeGib": ebs}
    else:
        volume = fields.choice(block, "volumeType", f"{path}.azure.volumeType", AZURE_VOLUMES)
        normalised["azure"] = {"instanceSize": instance, "volumeType": volume}
    return normalised


def create_cluster(ctx: Context) -> Response:
    body = ctx.body()
    name = fields.text(body, "name", "name", min_len=2, max_len=128)
    cloud_id = fields.text(body, "cloudId", "cloudId")
    project_id = fields.text(body, "projectId", "projectId")
    cloud = ctx.store.clouds.get(cloud_id)
    if cloud is None:
        raise invalid("cloudId", f"cloud {cloud_id} does not exist")
    if project_id not in ctx.store.projects:
        raise invalid("projectId", f"project {project_id} does not exist")
    groups = fields.array(body, "servers", "servers")
    servers = [_server_group(g, f"servers[{i}]", cloud.provider) for i, g in enumerate(groups)]
    support: dict[str, str] = {"type": "developerPro", "timezone": "GMT"}
    package = fields.optional_obj(body, "supportPackage", "supportPackage")
    if package is not None:
        support = {
            "type": fields.choice(package, "type", "supportPackage.type", SUPPORT_TYPES),
            "timezone": fields.choice(package, "timezone", "supportPackage.timezone", TIMEZONES),
        }
    version = fields.optional_choice(body, "version", "version", VERSIONS) or "latest"
    timeline, deployed_after = ctx.store.vpc_deploy_timeline(ctx.now)
    cluster = VpcCluster(
        id=str(uuid.uuid4()),
        name=name,
        project_id=project_id,
        timeline=timeline,
        deployed_after=deployed_after,
        cloud_id=cloud.id,
        servers=servers,
        support_package=support,
        version=version,
    )
    ctx.store.add_cluster(cluster)
    return Response(202, headers={"Location": f"/v2/clusters/{cluster.id}"})


def list_clusters(ctx: Context) -> Response:
    project_id = ctx.query_value("projectId")
    cloud_id = ctx.query_value("cloudId")
    items = [
        views.vpc_cluster_list_item(c)
        for c in ctx.store.clusters.values()
        if isinstance(c, VpcCluster)
        and (project_id is None or c.project_id == project_id)
        and (cloud_id is None or c.cloud_id == cloud_id)
    ]
    return array_page(ctx, items, sortable=("name", "id"))


def get_cluster(ctx: Context) -> Response:
    cluster, status = _vpc_cluster(ctx)
    return Response.json(200, views.vpc_cluster(cluster, status, cluster.deployed(ctx.now)))


def get_status(ctx: Context) -> Response:
    _, status = _vpc_cluster(ctx)
    return Response.json(200, {"status": status})


def delete_cluster(ctx: Context) -> Response:
    cluster, status = _vpc_cluster(ctx)
    if status != "destroying":
        if status != "ready":
            raise ApiProblem(422, f"cluster {cluster.id} is {status}; only a ready cluster can be deleted")
        cluster.timeline = ctx.store.destroy_timeline(ctx.now)
        cluster.touch()
    return Response(202, headers={"Location": f"/v2/clusters/{cluster.id}"})


def register(router: Router) -> None:
    router.add("GET", "/v2/clusters", list_clusters)
    router.add("POST", "/v2/clusters", create_cluster)
    router.add("GET", "/v2/clusters/{id}", get_cluster)
    router.add("DELETE", "/v2/clusters/{id}", delete_cluster)
    router.add("GET", "/v2/clusters/{id}/status", get_status)
