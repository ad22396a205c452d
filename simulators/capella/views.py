"""JSON shapes of the simulator's objects as the API returns them."""

from __future__ import annotations

from typing import Any

from simulators.capella.state import Cloud, Cluster, ClusterUser, HostedCluster, OrgUser, Project, VpcCluster

SERVER_VERSION = {"name": "7.1.3", "components": {"cbServerVersion": "7.1.3-3479"}}


def project(p: Project) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "tenantId": p.tenant_id, "createdAt": p.created_at}


def cloud(c: Cloud) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "provider": c.provider,
        "region": c.region,
        "status": c.status,
        "virtualNetworkCIDR": c.virtual_network_cidr,
        "virtualNetworkID": c.virtual_network_id,
    }


def org_user(u: OrgUser) -> dict[str, Any]:
    return {"id": u.id, "name": u.name, "email": u.email}


def cluster_list_item(c: Cluster) -> dict[str, Any]:
    """An item of ``GET /v3/clusters`` (hosted and in-VPC alike)."""
    item = {"id": c.id, "name": c.name, "projectId": c.project_id, "environment": c.environment}
    if isinstance(c, VpcCluster):
        item["cloudId"] = c.cloud_id
    return item


def availability_zones(c: HostedCluster) -> list[str]:
    """Plausible zone names: one for a single-AZ cluster, three otherwise."""
    count = 1 if c.single_az else 3
    if c.provider == "aws":
        return [f"{c.region}{letter}" for letter in "abc"[:count]]
    return [f"{c.region}-{letter}" for letter in "abc"[:count]]


def hosted_cluster(c: HostedCluster, status: str, deployed: bool) -> dict[str, Any]:
    """``V3Cluster``. ``description`` is settable but not in the documented response: left out."""
    body: dict[str, Any] = {
        "id": c.id,
        "name": c.name,
        "tenantId": c.tenant_id,
        "projectId": c.project_id,
        "createdAt": c.created_at,
        "updatedAt": c.updated_at,
        "status": status,
        "environment": c.environment,
        "version": SERVER_VERSION,
        "place": {"provider": c.provider, "region": c.region, "CIDR": c.cidr},
        "servers": c.servers,
        "availabilityZones": availability_zones(c),
        "support": c.support_type,
    }
    if deployed:
        body["endpointsSrv"] = c.endpoints_srv
    return body


def vpc_cluster(c: VpcCluster, status: str, deployed: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": c.id,
        "name": c.name,
        "tenantId": c.tenant_id,
        "cloudId": c.cloud_id,
        "projectId": c.project_id,
        "status": status,
        "createdAt": c.created_at,
        "updatedAt": c.updated_at,
        "version": {"name": c.version, "components": SERVER_VERSION["components"]},
    }
    if deployed:
        body["endpointsSrv"] = c.endpoints_srv
        body["endpointsURL"] = [f"https://{c.endpoints_srv}:18091"]
    return body


def vpc_cluster_list_item(c: VpcCluster) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "tenantId": c.tenant_id,
        "cloudId": c.cloud_id,
        "projectId": c.project_id,
        "services": sorted({s for group in c.servers for s in group.get("services", [])}),
        "nodes": sum(int(group.get("size", 0)) for group in c.servers),
    }


def cluster_user(u: ClusterUser) -> dict[str, Any]:
    """A database user without its password."""
    if u.all_buckets_access is not None:
        return {"username": u.username, "allBucketsAccess": u.all_buckets_access}
    return {"username": u.username, "buckets": u.buckets}
