"""Validation of the hosted-cluster (``/v3/clusters``) request bodies, each failure a 422 naming the field.

Rules from the documentation plus these choices where it is silent:
- ``clusterName``: 2-128 characters, letters, digits, space, ``.``, ``-``, ``_``, starting with a letter or
  digit (the console and v3 Terraform rule);
- ``place.hosted.CIDR``: an IPv4 network in a private (RFC 1918) range with a prefix from /16 to /23;
- ``place.hosted.region``: any non-empty string (the real list changes over time);
- storage type must suit the provider (``GP3``/``IO2`` on aws, ``PD-SSD`` on gcp); ``IOPS`` is required for
  ``GP3``/``IO2`` and refused for ``PD-SSD``;
- server groups: ``size`` 3-27 for a group running ``data``, 2-27 otherwise; at least one group runs ``data``;
  services are not repeated within a group; total nodes at most 27;
- ``description``: at most 1024 characters.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from simulators.capella import fields
from simulators.capella.problems import invalid

PROVIDERS = frozenset({"aws", "azure", "gcp"})
SERVICES = frozenset({"data", "index", "query", "search", "eventing", "analytics"})
STORAGE_TYPES = frozenset({"GP3", "IO2", "PD-SSD"})
SUPPORT_TYPES = frozenset({"Basic", "DeveloperPro", "Enterprise"})
TIMEZONES = frozenset({"ET", "GMT", "IST", "PT"})
IOPS_RANGES = {"GP3": (3000, 16000), "IO2": (1000, 64000)}
STORAGE_PROVIDERS = {"GP3": {"aws"}, "IO2": {"aws"}, "PD-SSD": {"gcp"}}
MAX_NODES = 27
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$")


@dataclass(frozen=True)
class HostedSpec:
    name: str
    project_id: str
    description: str
    provider: str
    region: str
    cidr: str
    single_az: bool
    servers: list[dict[str, Any]]
    support_type: str
    support_timezone: str


def cluster_name(data: dict[str, Any], key: str, path: str) -> str:
    name = fields.text(data, key, path, min_len=2, max_len=128)
    if not NAME_PATTERN.match(name):
        raise invalid(
            path,
            "may contain letters, digits, spaces, '.', '-' and '_' and must start with a letter or digit",
        )
    return name


def create_request(data: dict[str, Any]) -> HostedSpec:
    """Check a ``POST /v3/clusters`` body (the project's existence is checked by the caller)."""
    environment = data.get("environment")
    if environment != "hosted":
        raise invalid(
            "environment",
            f"must be 'hosted' (got {environment!r}); in-VPC clusters are created with POST /v2/clusters",
        )
    name = cluster_name(data, "clusterName", "clusterName")
    project_id = fields.uuid_text(fields.text(data, "projectId", "projectId"), "projectId")
    description = fields.optional_text(data, "description", "description") or ""
    place = fields.obj(data, "place", "place")
    single_az = fields.boolean(place, "singleAZ", "place.singleAZ")
    hosted = fields.obj(place, "hosted", "place.hosted")
    provider = fields.choice(hosted, "provider", "place.hosted.provider", PROVIDERS)
    region = fields.text(hosted, "region", "place.hosted.region", max_len=64)
    cidr = _cidr(fields.text(hosted, "CIDR", "place.hosted.CIDR", max_len=64), "place.hosted.CIDR")
    servers = server_groups(data, provider)
    support_type, timezone = support_package(data, timezone_required=True)
    if support_type == "Basic" and not single_az:
        raise invalid("place.singleAZ", "must be true when supportPackage.type is Basic")
    return HostedSpec(
        name,
        project_id,
        description,
        provider,
        region,
        cidr,
        single_az,
        servers,
        support_type,
        timezone or "",
    )


def support_package(data: dict[str, Any], *, timezone_required: bool) -> tuple[str, str | None]:
    package = fields.obj(data, "supportPackage", "supportPackage")
    support_type = fields.choice(package, "type", "supportPackage.type", SUPPORT_TYPES)
    if timezone_required:
        return support_type, fields.choice(package, "timezone", "supportPackage.timezone", TIMEZONES)
    return support_type, fields.optional_choice(package, "timezone", "supportPackage.timezone", TIMEZONES)


def _cidr(value: str, path: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        raise invalid(path, f"must be an IPv4 network such as 10.0.0.0/20 (got {value!r})") from None
    if not network.is_private or not 16 <= network.prefixlen <= 23:
        raise invalid(path, "must be a private (RFC 1918) network with a prefix from /16 to /23")
    return str(network)


def server_groups(data: dict[str, Any], provider: str) -> list[dict[str, Any]]:
    """The ``servers`` array, normalised; used by create and by ``PUT .../servers``."""
    groups = fields.array(data, "servers", "servers")
    result = [_server_group(group, f"servers[{i}]", provider) for i, group in enumerate(groups)]
    if sum(group["size"] for group in result) > MAX_NODES:
        raise invalid("servers", f"a cluster has at most {MAX_NODES} nodes in total")
    if not any("data" in group["services"] for group in result):
        raise invalid("servers", "at least one server group must run the data service")
    return result


def _server_group(group: Any, path: str, provider: str) -> dict[str, Any]:
    if not isinstance(group, dict):
        raise invalid(path, "must be an object")
    services = fields.array(group, "services", f"{path}.services")
    for j, service in enumerate(services):
        if service not in SERVICES:
            raise invalid(f"{path}.services[{j}]", f"must be one of {', '.join(sorted(SERVICES))}")
    if len(set(services)) != len(services):
        raise invalid(f"{path}.services", "must not repeat a service")
    low = 3 if "data" in services else 2
    size = fields.integer(group, "size", f"{path}.size", low, MAX_NODES)
    compute = fields.text(group, "compute", f"{path}.compute", max_len=64)
    storage = fields.obj(group, "storage", f"{path}.storage")
    storage_type = fields.choice(storage, "type", f"{path}.storage.type", STORAGE_TYPES)
    if provider != "azure" and provider not in STORAGE_PROVIDERS[storage_type]:
        raise invalid(f"{path}.storage.type", f"{storage_type} is not available on {provider}")
    normalised: dict[str, Any] = {
        "size": size,
        "compute": compute,
        "services": list(services),
        "storage": {
            "type": storage_type,
            "size": fields.integer(storage, "size", f"{path}.storage.size", 50, 16384),
        },
    }
    iops_range = IOPS_RANGES.get(storage_type)
    if iops_range is not None:
        normalised["storage"]["IOPS"] = fields.integer(storage, "IOPS", f"{path}.storage.IOPS", *iops_range)
    elif storage.get("IOPS") is not None:
        raise invalid(f"{path}.storage.IOPS", f"must be omitted for {storage_type} storage")
    return normalised
