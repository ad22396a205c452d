"""Hosted clusters, ``/v3/clusters``: asynchronous create, scale and delete; meta and support updates.

Choices where the documentation is silent:
- ``meta``, ``servers`` and ``support`` need a ``healthy`` cluster, else 422 naming its status;
- ``DELETE`` is accepted in a settled status (``healthy``, ``degraded`` or any ``...Failed``), is a 422 while
  the cluster is deploying or scaling, and is answered 202 again while it is already ``destroying``;
- the certificate is available once the cluster has been deployed (422 before);
- ``/v3/clusters/{id}`` endpoints other than the list answer 422 for an in-VPC cluster (use ``/v2``);
- a malformed cluster id is a 404 like an unknown one.
"""

from __future__ import annotations

import uuid

from simulators.capella import fields, hosted_validation, views
from simulators.capella.listing import items_page
from simulators.capella.problems import ApiProblem, invalid, not_found
from simulators.capella.routes import Context, Router
from simulators.capella.state import HostedCluster
from simulators.server import Response

SETTLED_FOR_DELETE = frozenset({"healthy", "degraded"})


def hosted_cluster(ctx: Context) -> tuple[HostedCluster, str]:
    """The cluster named by the path and its current status; 404 when unknown or destroyed."""
    cluster_id = ctx.params["id"]
    cluster = ctx.store.clusters.get(cluster_id)
    status = cluster.status(ctx.now) if cluster is not None else None
    if cluster is None or status is None:
        raise not_found(f"cluster {cluster_id}")
    if not isinstance(cluster, HostedCluster):
        raise ApiProblem(422, f"cluster {cluster_id} is an in-VPC cluster; use /v2/clusters/{cluster_id}")
    return cluster, status


def require_healthy(cluster: HostedCluster, status: str, action: str) -> None:
    if status != "healthy":
        raise ApiProblem(422, f"cluster {cluster.id} is {status}; {action} needs a healthy cluster")


def _location(cluster_id: str) -> dict[str, str]:
    return {"Location": f"/v3/clusters/{cluster_id}"}


def list_clusters(ctx: Context) -> Response:
    """Hosted and in-VPC clusters (as the real list does), oldest first, filtered by project or cloud."""
    project_id = ctx.query_value("projectId")
    cloud_id = ctx.query_value("cloudId")
    if project_id is not None:
        fields.uuid_text(project_id, "projectId")
    if cloud_id is not None:
        fields.uuid_text(cloud_id, "cloudId")
    items = []
    for cluster in ctx.store.clusters.values():
        item = views.cluster_list_item(cluster)
        if project_id is not None and cluster.project_id != project_id:
            continue
        if cloud_id is not None and item.get("cloudId") != cloud_id:
            continue
        items.append(item)
    return items_page(ctx, items)


def create_cluster(ctx: Context) -> Response:
    spec = hosted_validation.create_request(ctx.body())
    if spec.project_id not in ctx.store.projects:
        raise invalid("projectId", f"project {spec.project_id} does not exist")
    timeline, deployed_after = ctx.store.deploy_timeline(ctx.now)
    cluster = HostedCluster(
        id=str(uuid.uuid4()),
        name=spec.name,
        project_id=spec.project_id,
        timeline=timeline,
        deployed_after=deployed_after,
        description=spec.description,
        provider=spec.provider,
        region=spec.region,
        cidr=spec.cidr,
        single_az=spec.single_az,
        servers=spec.servers,
        support_type=spec.support_type,
        support_timezone=spec.support_timezone,
    )
    ctx.store.add_cluster(cluster)
    return Response(202, headers=_location(cluster.id))


def get_cluster(ctx: Context) -> Response:
    cluster, status = hosted_cluster(ctx)
    return Response.json(200, views.hosted_cluster(cluster, status, cluster.deployed(ctx.now)))


def get_status(ctx: Context) -> Response:
    _, status = hosted_cluster(ctx)
    return Response.json(200, {"status": status})


def put_meta(ctx: Context) -> Response:
    cluster, status = hosted_cluster(ctx)
    body = ctx.body()
    name = hosted_validation.cluster_name(body, "name", "name") if body.get("name") is not None else None
    description = fields.optional_text(body, "description", "description")
    if name is None and description is None:
        raise invalid("name", "at least one of name or description is required")
    require_healthy(cluster, status, "updating the name or description")
    if name is not None:
        cluster.name = name
    if description is not None:
        cluster.description = description
    cluster.touch()
    return Response(204)


def put_servers(ctx: Context) -> Response:
    cluster, status = hosted_cluster(ctx)
    servers = hosted_validation.server_groups(ctx.body(), cluster.provider)
    require_healthy(cluster, status, "scaling")
    cluster.servers = servers
    cluster.timeline = ctx.store.scale_timeline(ctx.now)
    cluster.touch()
    return Response(202, headers=_location(cluster.id))


def put_support(ctx: Context) -> Response:
    cluster, status = hosted_cluster(ctx)
    support_type, timezone = hosted_validation.support_package(ctx.body(), timezone_required=False)
    if support_type == "Basic" and not cluster.single_az:
        raise invalid("supportPackage.type", "Basic is only available for single-AZ clusters")
    require_healthy(cluster, status, "changing the support package")
    cluster.support_type = support_type
    if timezone is not None:
        cluster.support_timezone = timezone
    cluster.touch()
    return Response(204)


def delete_cluster(ctx: Context) -> Response:
    cluster, status = hosted_cluster(ctx)
    if status == "destroying":
        return Response(202, headers=_location(cluster.id))
    if status not in SETTLED_FOR_DELETE and not status.endswith("Failed"):
        raise ApiProblem(422, f"cluster {cluster.id} is {status}; wait for it to settle before deleting it")
    cluster.timeline = ctx.store.destroy_timeline(ctx.now)
    cluster.touch()
    return Response(202, headers=_location(cluster.id))


def get_certificate(ctx: Context) -> Response:
    cluster, status = hosted_cluster(ctx)
    if not cluster.deployed(ctx.now):
        raise ApiProblem(422, f"cluster {cluster.id} is {status}; its certificate exists once it is deployed")
    return Response.json(200, {"certificate": cluster.certificate})


def register(router: Router) -> None:
    router.add("GET", "/v3/clusters", list_clusters)
    router.add("POST", "/v3/clusters", create_cluster)
    router.add("GET", "/v3/clusters/{id}", get_cluster)
    router.add("DELETE", "/v3/clusters/{id}", delete_cluster)
    router.add("GET", "/v3/clusters/{id}/status", get_status)
    router.add("PUT", "/v3/clusters/{id}/meta", put_meta)
    router.add("PUT", "/v3/clusters/{id}/servers", put_servers)
    router.add("PUT", "/v3/clusters/{id}/support", put_support)
    router.add("GET", "/v3/clusters/{id}/certificate", get_certificate)
