"""The properties of ``Custom::CapellaCluster``, their local checks and the v3 request bodies built from them.

What Capella's v3 documentation specifies for a hosted cluster is checked before any API call, each
failure naming the property path (``Servers[0].Storage.Iops``): the enums, cluster name 2-128 characters
(letters, digits, space, ``.``, ``-``, ``_``, starting with a letter or digit: the console/Terraform
rule), server group sizes (2-27, at least 3 for a group running ``data``), at most 27 nodes in total,
storage 50-16384 GB, IOPS 3000-16000 for ``GP3`` and 1000-64000 for ``IO2`` (and none for ``PD-SSD``),
storage types by provider, and ``SingleAZ`` true with the ``Basic`` support package. What it leaves
open (the region list, CIDR prefix sizes and overlaps, instance types) is left to the API, whose 422
reaches the stack event.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from cbprovider.resources.capella.connection import CapellaConnection, is_capella_id
from cbprovider.runtime import PropertiesModel, ValidationFailed
from cbprovider.runtime.properties import Check

MAX_NODES = 27
IOPS_RANGES = {"GP3": (3000, 16000), "IO2": (1000, 64000)}
STORAGE_PROVIDERS = {"GP3": "aws", "IO2": "aws", "PD-SSD": "gcp"}
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$")

Service = Literal["data", "index", "query", "search", "eventing", "analytics"]


class StorageProperties(PropertiesModel):
    type: Literal["GP3", "IO2", "PD-SSD"]
    size: Annotated[int, Meta(ge=50, le=16384)]
    """GB."""
    iops: int | None = None


class ServerGroupProperties(PropertiesModel):
    size: Annotated[int, Meta(ge=2, le=MAX_NODES)]
    compute: Annotated[str, Meta(min_length=1, max_length=64)]
    services: Annotated[tuple[Service, ...], Meta(min_length=1)]
    storage: StorageProperties


class SupportPackageProperties(PropertiesModel):
    type: Literal["Basic", "DeveloperPro", "Enterprise"]
    timezone: Literal["ET", "GMT", "IST", "PT"]


def _project_id(value: str) -> str:
    if not is_capella_id(value):
        raise ValueError("must be a Capella project id (a UUID)")
    return value


def _name(value: str) -> str:
    if not NAME_PATTERN.match(value):
        raise ValueError(
            "may hold letters, digits, spaces, '.', '-' and '_' and must start with a letter or digit"
        )
    return value


def _cidr(value: str) -> str:
    try:
        ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        raise ValueError("must be an IPv4 network in CIDR notation, such as 10.0.0.0/20") from None
    return value


class CapellaClusterProperties(CapellaConnection):
    project_id: Annotated[str, Check(_project_id)]
    name: Annotated[str, Meta(min_length=2, max_length=128), Check(_name)]
    description: str | None = None
    environment: Literal["hosted"] = "hosted"
    provider: Literal["aws", "azure", "gcp"]
    region: Annotated[str, Meta(min_length=1, max_length=64)]
    cidr: Annotated[str, Check(_cidr)]
    single_az: bool = msgspec.field(name="SingleAZ")
    servers: Annotated[tuple[ServerGroupProperties, ...], Meta(min_length=1)]
    support_package: SupportPackageProperties


def check(props: CapellaClusterProperties) -> None:
    """The rules that span several properties; ``ValidationFailed`` naming the first broken one."""
    problems: list[str] = []
    for i, group in enumerate(props.servers):
        path = f"Servers[{i}]"
        if len(set(group.services)) != len(group.services):
            problems.append(f"{path}.Services: must not repeat a service")
        if "data" in group.services and group.size < 3:
            problems.append(f"{path}.Size: a group running the data service needs at least 3 nodes")
        storage = group.storage
        wanted = STORAGE_PROVIDERS[storage.type]
        if props.provider != "azure" and wanted != props.provider:
            problems.append(f"{path}.Storage.Type: {storage.type} is for {wanted}, not {props.provider}")
        limits = IOPS_RANGES.get(storage.type)
        if limits is None and storage.iops is not None:
            problems.append(f"{path}.Storage.Iops: must be omitted for {storage.type} storage")
        elif limits is not None and storage.iops is None:
            problems.append(f"{path}.Storage.Iops: required for {storage.type} storage")
        elif limits is not None and storage.iops is not None and not limits[0] <= storage.iops <= limits[1]:
            problems.append(
                f"{path}.Storage.Iops: must be {limits[0]} to {limits[1]} for {storage.type} "
                f"(got {storage.iops})"
            )
    total = sum(group.size for group in props.servers)
    if total > MAX_NODES:
        problems.append(f"Servers: at most {MAX_NODES} nodes in total (got {total})")
    if props.support_package.type == "Basic" and not props.single_az:
        problems.append("SingleAZ: must be true with the Basic support package")
    if problems:
        raise ValidationFailed("Invalid Properties: " + "; ".join(problems))


def servers_body(props: CapellaClusterProperties) -> list[dict[str, Any]]:
    """``servers`` as v3 spells it (``IOPS`` upper case, omitted when not set)."""
    result = []
    for group in props.servers:
        storage: dict[str, Any] = {"type": group.storage.type, "size": group.storage.size}
        if group.storage.iops is not None:
            storage["IOPS"] = group.storage.iops
        result.append(
            {
                "size": group.size,
                "compute": group.compute,
                "services": list(group.services),
                "storage": storage,
            }
        )
    return result


def create_body(props: CapellaClusterProperties) -> dict[str, Any]:
    """The ``POST /v3/clusters`` body (V3CreateClusterRequest)."""
    body: dict[str, Any] = {
        "environment": props.environment,
        "clusterName": props.name,
        "projectId": props.project_id,
        "place": {
            "singleAZ": props.single_az,
            "hosted": {"provider": props.provider, "region": props.region, "CIDR": props.cidr},
        },
        "servers": servers_body(props),
        "supportPackage": {
            "type": props.support_package.type,
            "timezone": props.support_package.timezone,
        },
    }
    if props.description is not None:
        body["description"] = props.description
    return body
