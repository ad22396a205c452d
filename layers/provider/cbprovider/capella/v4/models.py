"""Typed v4 objects: what the API answers (``from_json``) and what requests carry (``to_json``).

Parsing is tolerant in the style of the v3 models: unknown fields are ignored, missing optional ones get
defaults, only identifying fields are required (``ModelError`` otherwise, which the client turns into a
``ResponseFormatError``). Request bodies leave out optional fields that are ``None`` so the API applies
its own defaults; update bodies are whole (the v4 PUTs replace every field they name).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from cbprovider.capella.fields import (
    array,
    integer,
    mapping,
    obj,
    optional_text,
    required,
    strings,
    text,
)
from cbprovider.hidden_repr import repr_hiding


def _flag(data: Mapping[str, Any], *keys: str) -> bool | None:
    """The first boolean among ``keys`` (``flushEnabled`` replaced the deprecated ``flush``)."""
    for key in keys:
        value = data.get(key)
        if isinstance(value, bool):
            return value
    return None


def _without_none(body: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None}


class Audit(msgspec.Struct, frozen=True):
    created_at: str = ""
    created_by: str = ""
    modified_at: str = ""
    modified_by: str = ""
    version: int | None = None

    @classmethod
    def from_json(cls, data: object) -> Audit:
        o = data if isinstance(data, Mapping) else {}
        return cls(
            created_at=text(o, "createdAt"),
            created_by=text(o, "createdBy"),
            modified_at=text(o, "modifiedAt"),
            modified_by=text(o, "modifiedBy"),
            version=integer(o, "version"),
        )


class Organization(msgspec.Struct, frozen=True):
    id: str
    name: str
    description: str = ""
    audit: Audit = msgspec.field(default_factory=Audit)

    @classmethod
    def from_json(cls, data: object) -> Organization:
        o = obj(data, "organization")
        return cls(
            id=required(o, "id", "organization"),
            name=text(o, "name"),
            description=text(o, "description"),
            audit=Audit.from_json(o.get("audit")),
        )


class Project(msgspec.Struct, frozen=True):
    id: str
    name: str
    description: str = ""
    audit: Audit = msgspec.field(default_factory=Audit)
    etag: str | None = None
    """The ``ETag`` header of a single GET (``None`` in list items)."""

    @classmethod
    def from_json(cls, data: object, etag: str | None = None) -> Project:
        o = obj(data, "project")
        return cls(
            id=required(o, "id", "project"),
            name=text(o, "name"),
            description=text(o, "description"),
            audit=Audit.from_json(o.get("audit")),
            etag=etag,
        )


class Compute(msgspec.Struct, frozen=True):
    cpu: int
    ram: int

    def to_json(self) -> dict[str, Any]:
        return {"cpu": self.cpu, "ram": self.ram}


class Disk(msgspec.Struct, frozen=True):
    """``type`` per provider (``gp3``/``io2`` on AWS, ``pd-ssd`` on GCP, ``P6``..``Ultra`` on Azure)."""

    type: str
    storage: int | None = None
    iops: int | None = None
    autoexpansion: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return _without_none(
            {
                "type": self.type,
                "storage": self.storage,
                "iops": self.iops,
                "autoexpansion": self.autoexpansion,
            }
        )


class ServiceGroup(msgspec.Struct, frozen=True):
    node: Compute
    disk: Disk
    num_of_nodes: int
    services: tuple[str, ...]

    @classmethod
    def from_json(cls, data: object) -> ServiceGroup:
        o = obj(data, "service group")
        node = mapping(o, "node")
        compute, disk = mapping(node, "compute"), mapping(node, "disk")
        return cls(
            node=Compute(cpu=integer(compute, "cpu") or 0, ram=integer(compute, "ram") or 0),
            disk=Disk(
                type=text(disk, "type"),
                storage=integer(disk, "storage"),
                iops=integer(disk, "iops"),
                autoexpansion=_flag(disk, "autoexpansion"),
            ),
            num_of_nodes=integer(o, "numOfNodes") or 0,
            services=strings(o, "services"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "node": {"compute": self.node.to_json(), "disk": self.disk.to_json()},
            "numOfNodes": self.num_of_nodes,
            "services": list(self.services),
        }


class CloudProvider(msgspec.Struct, frozen=True):
    type: str
    region: str
    cidr: str | None = None

    @classmethod
    def from_json(cls, data: object) -> CloudProvider:
        o = data if isinstance(data, Mapping) else {}
        return cls(type=text(o, "type"), region=text(o, "region"), cidr=optional_text(o, "cidr"))

    def to_json(self) -> dict[str, Any]:
        return _without_none({"type": self.type, "region": self.region, "cidr": self.cidr})


class Support(msgspec.Struct, frozen=True):
    """``plan`` is ``basic``, ``developer pro`` or ``enterprise`` (the API's spellings)."""

    plan: str
    timezone: str | None = None

    @classmethod
    def from_json(cls, data: object) -> Support:
        o = data if isinstance(data, Mapping) else {}
        return cls(plan=text(o, "plan"), timezone=optional_text(o, "timezone"))

    def to_json(self) -> dict[str, Any]:
        return _without_none({"plan": self.plan, "timezone": self.timezone})


def _service_groups(groups: Sequence[ServiceGroup | Mapping[str, Any]]) -> list[Any]:
    return [g.to_json() if isinstance(g, ServiceGroup) else dict(g) for g in groups]


class Cluster(msgspec.Struct, frozen=True):
    id: str
    name: str
    current_state: str
    description: str = ""
    connection_string: str = ""
    """Empty until the cluster has been deployed."""
    cloud_provider: CloudProvider = msgspec.field(default_factory=lambda: CloudProvider("", ""))
    availability_type: str = ""
    support: Support = msgspec.field(default_factory=lambda: Support(""))
    couchbase_version: str = ""
    configuration_type: str = ""
    service_groups: tuple[ServiceGroup, ...] = ()
    audit: Audit = msgspec.field(default_factory=Audit)
    etag: str | None = None

    @classmethod
    def from_json(cls, data: object, etag: str | None = None) -> Cluster:
        o = obj(data, "cluster")
        return cls(
            id=required(o, "id", "cluster"),
            name=text(o, "name"),
            current_state=required(o, "currentState", "cluster"),
            description=text(o, "description"),
            connection_string=text(o, "connectionString"),
            cloud_provider=CloudProvider.from_json(o.get("cloudProvider")),
            availability_type=text(mapping(o, "availability"), "type"),
            support=Support.from_json(o.get("support")),
            couchbase_version=text(mapping(o, "couchbaseServer"), "version"),
            configuration_type=text(o, "configurationType"),
            service_groups=tuple(ServiceGroup.from_json(g) for g in array(o, "serviceGroups")),
            audit=Audit.from_json(o.get("audit")),
            etag=etag,
        )


class ClusterSpec(msgspec.Struct, frozen=True):
    """A ``POST .../clusters`` body."""

    name: str
    cloud_provider: CloudProvider
    service_groups: Sequence[ServiceGroup | Mapping[str, Any]]
    availability_type: str
    support: Support
    description: str | None = None
    couchbase_version: str | None = None
    zones: Sequence[str] = ()
    configuration_type: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "cloudProvider": self.cloud_provider.to_json(),
            "serviceGroups": _service_groups(self.service_groups),
            "availability": {"type": self.availability_type},
            "support": self.support.to_json(),
            "configurationType": self.configuration_type,
        }
        if self.couchbase_version is not None:
            body["couchbaseServer"] = {"version": self.couchbase_version}
        if self.zones:
            body["zones"] = list(self.zones)
        return _without_none(body)


class ClusterUpdate(msgspec.Struct, frozen=True):
    """A ``PUT .../clusters/{id}`` body: the API wants all four fields together."""

    name: str
    description: str
    support: Support
    service_groups: Sequence[ServiceGroup | Mapping[str, Any]]

    @classmethod
    def of(cls, cluster: Cluster) -> ClusterUpdate:
        """The update that leaves ``cluster`` as it is (change fields with ``msgspec.structs.replace``)."""
        return cls(cluster.name, cluster.description, cluster.support, cluster.service_groups)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "support": self.support.to_json(),
            "serviceGroups": _service_groups(self.service_groups),
        }


class Bucket(msgspec.Struct, frozen=True):
    """A bucket; ``id`` is the name in base64 and is unique only within its cluster."""

    id: str
    name: str
    type: str = ""
    storage_backend: str = ""
    memory_allocation_in_mb: int | None = None
    bucket_conflict_resolution: str = ""
    durability_level: str = ""
    replicas: int | None = None
    flush_enabled: bool | None = None
    time_to_live_in_seconds: int | None = None
    eviction_policy: str = ""

    @classmethod
    def from_json(cls, data: object) -> Bucket:
        o = obj(data, "bucket")
        return cls(
            id=required(o, "id", "bucket"),
            name=text(o, "name"),
            type=text(o, "type"),
            storage_backend=text(o, "storageBackend"),
            memory_allocation_in_mb=integer(o, "memoryAllocationInMb"),
            bucket_conflict_resolution=text(o, "bucketConflictResolution"),
            durability_level=text(o, "durabilityLevel"),
            replicas=integer(o, "replicas"),
            flush_enabled=_flag(o, "flushEnabled", "flush"),
            time_to_live_in_seconds=integer(o, "timeToLiveInSeconds"),
            eviction_policy=text(o, "evictionPolicy"),
        )


class BucketSpec(msgspec.Struct, frozen=True):
    """A ``POST .../buckets`` body; ``None`` leaves a field to the API's default."""

    name: str
    type: str | None = None
    storage_backend: str | None = None
    memory_allocation_in_mb: int | None = None
    bucket_conflict_resolution: str | None = None
    durability_level: str | None = None
    replicas: int | None = None
    flush_enabled: bool | None = None
    time_to_live_in_seconds: int | None = None
    eviction_policy: str | None = None

    def to_json(self) -> dict[str, Any]:
        return _without_none(
            {
                "name": self.name,
                "type": self.type,
                "storageBackend": self.storage_backend,
                "memoryAllocationInMb": self.memory_allocation_in_mb,
                "bucketConflictResolution": self.bucket_conflict_resolution,
                "durabilityLevel": self.durability_level,
                "replicas": self.replicas,
                "flushEnabled": self.flush_enabled,
                "timeToLiveInSeconds": self.time_to_live_in_seconds,
                "evictionPolicy": self.eviction_policy,
            }
        )


class BucketUpdate(msgspec.Struct, frozen=True):
    """A ``PUT .../buckets/{id}`` body: memory, durability, replicas and TTL always go together."""

    memory_allocation_in_mb: int
    durability_level: str
    replicas: int
    time_to_live_in_seconds: int
    flush_enabled: bool | None = None

    @classmethod
    def of(cls, bucket: Bucket) -> BucketUpdate:
        """The update that leaves ``bucket`` as it is (change fields with ``msgspec.structs.replace``)."""
        return cls(
            memory_allocation_in_mb=bucket.memory_allocation_in_mb or 0,
            durability_level=bucket.durability_level or "none",
            replicas=bucket.replicas if bucket.replicas is not None else 1,
            time_to_live_in_seconds=bucket.time_to_live_in_seconds or 0,
            flush_enabled=bucket.flush_enabled,
        )

    def to_json(self) -> dict[str, Any]:
        return _without_none(
            {
                "memoryAllocationInMb": self.memory_allocation_in_mb,
                "durabilityLevel": self.durability_level,
                "replicas": self.replicas,
                "timeToLiveInSeconds": self.time_to_live_in_seconds,
                "flushEnabled": self.flush_enabled,
            }
        )


class AllowedCidr(msgspec.Struct, frozen=True):
    id: str
    cidr: str
    comment: str = ""
    expires_at: str | None = None
    status: str = ""
    """``active`` or ``expired``."""
    type: str = ""
    """``permanent`` or ``temporary``."""
    audit: Audit = msgspec.field(default_factory=Audit)

    @classmethod
    def from_json(cls, data: object) -> AllowedCidr:
        o = obj(data, "allowed CIDR")
        return cls(
            id=required(o, "id", "allowed CIDR"),
            cidr=required(o, "cidr", "allowed CIDR"),
            comment=text(o, "comment"),
            expires_at=optional_text(o, "expiresAt"),
            status=text(o, "status"),
            type=text(o, "type"),
            audit=Audit.from_json(o.get("audit")),
        )


class AllowedCidrSpec(msgspec.Struct, frozen=True):
    """A ``POST .../allowedcidrs`` body; ``expires_at`` is RFC 3339 (omitted: permanent)."""

    cidr: str
    comment: str | None = None
    expires_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return _without_none({"cidr": self.cidr, "comment": self.comment, "expiresAt": self.expires_at})


class ResourceScope(msgspec.Struct, frozen=True):
    name: str
    collections: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name}
        if self.collections:
            body["collections"] = list(self.collections)
        return body


class ResourceBucket(msgspec.Struct, frozen=True):
    name: str
    scopes: tuple[ResourceScope, ...] = ()

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name}
        if self.scopes:
            body["scopes"] = [s.to_json() for s in self.scopes]
        return body


class Access(msgspec.Struct, frozen=True):
    """Privileges (``data_reader``, ``data_writer``, ``read``, ``write``) on some buckets, or all (empty)."""

    privileges: tuple[str, ...]
    buckets: tuple[ResourceBucket, ...] = ()

    @classmethod
    def from_json(cls, data: object) -> Access:
        o = obj(data, "access")
        buckets = []
        for b in array(mapping(o, "resources"), "buckets"):
            bo = obj(b, "access bucket")
            scopes = tuple(
                ResourceScope(
                    text(obj(s, "access scope"), "name"), strings(obj(s, "access scope"), "collections")
                )
                for s in array(bo, "scopes")
            )
            buckets.append(ResourceBucket(text(bo, "name"), scopes))
        return cls(privileges=strings(o, "privileges"), buckets=tuple(buckets))

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"privileges": list(self.privileges)}
        if self.buckets:
            body["resources"] = {"buckets": [b.to_json() for b in self.buckets]}
        return body


class DatabaseCredential(msgspec.Struct, frozen=True):
    """A database credential (the API never returns its password after creation)."""

    id: str
    name: str
    access: tuple[Access, ...] = ()
    audit: Audit = msgspec.field(default_factory=Audit)
    etag: str | None = None

    @classmethod
    def from_json(cls, data: object, etag: str | None = None) -> DatabaseCredential:
        o = obj(data, "database credential")
        return cls(
            id=required(o, "id", "database credential"),
            name=text(o, "name"),
            access=tuple(Access.from_json(a) for a in array(o, "access")),
            audit=Audit.from_json(o.get("audit")),
            etag=etag,
        )


class CreatedCredential(msgspec.Struct, frozen=True):
    """What ``POST .../users`` answers: the id and the password (generated when none was sent)."""

    id: str
    password: str

    __repr__ = repr_hiding("password")


class CredentialSpec(msgspec.Struct, frozen=True):
    """A ``POST .../users`` body; without ``password`` the API generates one."""

    name: str
    access: Sequence[Access]
    password: str | None = None

    __repr__ = repr_hiding("password")

    def to_json(self) -> dict[str, Any]:
        return _without_none(
            {"name": self.name, "password": self.password, "access": [a.to_json() for a in self.access]}
        )


class CredentialUpdate(msgspec.Struct, frozen=True):
    """A ``PUT .../users/{id}`` body: the access list, and a new password if one is given."""

    access: Sequence[Access]
    password: str | None = None

    __repr__ = repr_hiding("password")

    def to_json(self) -> dict[str, Any]:
        return _without_none({"password": self.password, "access": [a.to_json() for a in self.access]})
