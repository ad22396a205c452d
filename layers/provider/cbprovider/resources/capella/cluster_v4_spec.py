"""The properties of ``Custom::CapellaCluster`` on API v4 and the request bodies built from them.

Names are the PascalCase versions of the v4 fields; enums take the API's own spellings (``aws``,
``single``/``multi``, ``basic``/``developer pro``/``enterprise``, ``gp3``...), so what a user reads in
Couchbase's documentation or Terraform provider is what they write. Checked locally (each failure naming
the property path): the enums, node counts (1-27 per group, 27 in all, at least one group running
``data``), CPU/RAM/storage/IOPS positive, the CIDR notation, and ``basic`` support only for ``single``
availability. Region lists, instance sizes and CIDR overlaps are left to the API, whose refusal reaches
the stack event.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Annotated, Literal

from msgspec import Meta

from cbprovider.resources.capella.v4_connection import InProject
from cbprovider.runtime import PropertiesModel, ValidationFailed
from cbprovider.runtime.properties import Check

if TYPE_CHECKING:
    from cbprovider.capella.v4 import ClusterSpec, ClusterUpdate

MAX_NODES = 27
Service = Literal["data", "index", "query", "search", "analytics", "eventing"]


def _cidr(value: str) -> str:
    try:
        ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        raise ValueError("must be an IPv4 network in CIDR notation, such as 10.0.0.0/23") from None
    return value


class CloudProviderProperties(PropertiesModel):
    type: Literal["aws", "gcp", "azure"]
    region: Annotated[str, Meta(min_length=1, max_length=64)]
    cidr: Annotated[str, Check(_cidr)] | None = None


class ComputeProperties(PropertiesModel):
    cpu: Annotated[int, Meta(ge=1, le=1024)]
    ram: Annotated[int, Meta(ge=1, le=8192)]
    """GB."""


class DiskProperties(PropertiesModel):
    type: Annotated[str, Meta(min_length=1, max_length=16)]
    """``gp3``/``io2`` (AWS), ``pd-ssd`` (GCP), ``P6``...``P80``/``Ultra`` (Azure)."""
    storage: Annotated[int, Meta(ge=1, le=65536)] | None = None
    iops: Annotated[int, Meta(ge=1, le=256000)] | None = None


class NodeProperties(PropertiesModel):
    compute: ComputeProperties
    disk: DiskProperties


class ServiceGroupProperties(PropertiesModel):
    node: NodeProperties
    num_of_nodes: Annotated[int, Meta(ge=1, le=MAX_NODES)]
    services: Annotated[tuple[Service, ...], Meta(min_length=1)]


class AvailabilityProperties(PropertiesModel):
    type: Literal["single", "multi"]


class SupportProperties(PropertiesModel):
    plan: Literal["basic", "developer pro", "enterprise"]
    timezone: Literal["ET", "GMT", "IST", "PT"] | None = None


class CouchbaseServerProperties(PropertiesModel):
    version: Annotated[str, Meta(min_length=1, max_length=16)]


class CapellaClusterV4Properties(InProject):
    name: Annotated[str, Meta(min_length=1, max_length=256)]
    description: Annotated[str, Meta(max_length=1024)] = ""
    cloud_provider: CloudProviderProperties
    service_groups: Annotated[tuple[ServiceGroupProperties, ...], Meta(min_length=1)]
    availability: AvailabilityProperties
    support: SupportProperties
    couchbase_server: CouchbaseServerProperties | None = None


def check(props: CapellaClusterV4Properties) -> None:
    """The rules that span several properties; ``ValidationFailed`` naming the first broken one."""
    total = sum(group.num_of_nodes for group in props.service_groups)
    if total > MAX_NODES:
        raise ValidationFailed(
            f"Invalid Properties: ServiceGroups: {total} nodes in all, at most {MAX_NODES}"
        )
    if not any("data" in group.services for group in props.service_groups):
        raise ValidationFailed("Invalid Properties: ServiceGroups: one group must run the data service")
    if props.support.plan == "basic" and props.availability.type != "single":
        raise ValidationFailed("Invalid Properties: Support.Plan: basic is only for Availability.Type single")


def _groups(props: CapellaClusterV4Properties) -> list[dict[str, object]]:
    return [
        {
            "node": {
                "compute": {"cpu": g.node.compute.cpu, "ram": g.node.compute.ram},
                "disk": {
                    k: v
                    for k, v in (
                        ("type", g.node.disk.type),
                        ("storage", g.node.disk.storage),
                        ("iops", g.node.disk.iops),
                    )
                    if v is not None
                },
            },
            "numOfNodes": g.num_of_nodes,
            "services": list(g.services),
        }
        for g in props.service_groups
    ]


def create_spec(props: CapellaClusterV4Properties) -> ClusterSpec:
    from cbprovider.capella.v4 import CloudProvider, ClusterSpec, Support

    cloud = props.cloud_provider
    return ClusterSpec(
        name=props.name,
        description=props.description,
        cloud_provider=CloudProvider(cloud.type, cloud.region, cloud.cidr),
        service_groups=_groups(props),
        availability_type=props.availability.type,
        support=Support(props.support.plan, props.support.timezone),
        couchbase_version=props.couchbase_server.version if props.couchbase_server else None,
    )


def update_body(props: CapellaClusterV4Properties) -> ClusterUpdate:
    """The whole ``PUT`` body (name, description, support and service groups go together)."""
    from cbprovider.capella.v4 import ClusterUpdate, Support

    support = Support(props.support.plan, props.support.timezone)
    return ClusterUpdate(props.name, props.description, support, _groups(props))


def in_place_changes(new: CapellaClusterV4Properties, old: CapellaClusterV4Properties | None) -> bool:
    """Whether an Update changes what ``PUT`` changes (unknown old properties: assume it does)."""
    if old is None:
        return True
    fields = ("name", "description", "support", "service_groups")
    return any(getattr(new, f) != getattr(old, f) for f in fields)
