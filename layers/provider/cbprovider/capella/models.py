"""Typed views of Capella API objects.

``from_json`` is tolerant: unknown fields are ignored, missing optional fields get defaults and only
the identifying fields are required. A body that is not an object, or lacks an identifying field,
raises ``ModelError``, which the client turns into a ``ResponseFormatError`` naming the operation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from cbprovider.capella.fields import ModelError as ModelError
from cbprovider.capella.fields import array as _list
from cbprovider.capella.fields import integer as _int
from cbprovider.capella.fields import mapping as _mapping
from cbprovider.capella.fields import obj as _obj
from cbprovider.capella.fields import optional_text as _optional_text
from cbprovider.capella.fields import required as _required
from cbprovider.capella.fields import strings as _strings
from cbprovider.capella.fields import text as _text


class Project(msgspec.Struct, frozen=True):
    id: str
    name: str
    tenant_id: str = ""
    created_at: str = ""

    @classmethod
    def from_json(cls, data: object) -> Project:
        obj = _obj(data, "project")
        return cls(
            id=_required(obj, "id", "project"),
            name=_text(obj, "name"),
            tenant_id=_text(obj, "tenantId"),
            created_at=_text(obj, "createdAt"),
        )


class ClusterSummary(msgspec.Struct, frozen=True):
    """An item of ``GET /v3/clusters`` (hosted and in-VPC clusters alike)."""

    id: str
    name: str
    project_id: str = ""
    environment: str = ""
    cloud_id: str | None = None

    @classmethod
    def from_json(cls, data: object) -> ClusterSummary:
        obj = _obj(data, "cluster list item")
        return cls(
            id=_required(obj, "id", "cluster list item"),
            name=_text(obj, "name"),
            project_id=_text(obj, "projectId"),
            environment=_text(obj, "environment"),
            cloud_id=_optional_text(obj, "cloudId"),
        )


class Storage(msgspec.Struct, frozen=True):
    type: str
    size: int
    iops: int | None = None
    """``IOPS`` for ``GP3``/``IO2``; omitted for ``PD-SSD``."""

    @classmethod
    def from_json(cls, data: object) -> Storage:
        obj = _obj(data, "storage")
        return cls(type=_text(obj, "type"), size=_int(obj, "size") or 0, iops=_int(obj, "IOPS"))

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "size": self.size}
        if self.iops is not None:
            body["IOPS"] = self.iops
        return body


class ServerGroup(msgspec.Struct, frozen=True):
    size: int
    compute: str
    services: tuple[str, ...]
    storage: Storage

    @classmethod
    def from_json(cls, data: object) -> ServerGroup:
        obj = _obj(data, "server group")
        return cls(
            size=_int(obj, "size") or 0,
            compute=_text(obj, "compute"),
            services=_strings(obj, "services"),
            storage=Storage.from_json(obj.get("storage") or {}),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "compute": self.compute,
            "services": list(self.services),
            "storage": self.storage.to_json(),
        }


class SupportPackage(msgspec.Struct, frozen=True):
    type: str
    timezone: str | None = None

    @classmethod
    def from_json(cls, data: object) -> SupportPackage:
        """Accepts ``{type, timezone}`` and the bare package name that ``GET /v3/clusters/{id}`` returns."""
        if isinstance(data, str):
            return cls(type=data)
        obj = _obj(data, "support package")
        return cls(type=_text(obj, "type"), timezone=_optional_text(obj, "timezone"))

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type}
        if self.timezone is not None:
            body["timezone"] = self.timezone
        return body


class Cluster(msgspec.Struct, frozen=True):
    """``GET /v3/clusters/{id}`` (a hosted cluster). ``endpoints_srv`` is absent until it is deployed."""

    id: str
    name: str
    status: str
    project_id: str = ""
    tenant_id: str = ""
    environment: str = ""
    provider: str = ""
    region: str = ""
    cidr: str = ""
    servers: tuple[ServerGroup, ...] = ()
    availability_zones: tuple[str, ...] = ()
    support: SupportPackage | None = None
    version: str = ""
    created_at: str = ""
    updated_at: str = ""
    endpoints_srv: str | None = None

    @classmethod
    def from_json(cls, data: object) -> Cluster:
        obj = _obj(data, "cluster")
        place = _mapping(obj, "place")
        support = obj.get("support", obj.get("supportPackage"))
        return cls(
            id=_required(obj, "id", "cluster"),
            name=_text(obj, "name"),
            status=_text(obj, "status"),
            project_id=_text(obj, "projectId"),
            tenant_id=_text(obj, "tenantId"),
            environment=_text(obj, "environment"),
            provider=_text(place, "provider"),
            region=_text(place, "region"),
            cidr=_text(place, "CIDR"),
            servers=tuple(ServerGroup.from_json(s) for s in _list(obj, "servers")),
            availability_zones=_strings(obj, "availabilityZones"),
            support=SupportPackage.from_json(support) if isinstance(support, str | Mapping) else None,
            version=_text(_mapping(obj, "version"), "name"),
            created_at=_text(obj, "createdAt"),
            updated_at=_text(obj, "updatedAt"),
            endpoints_srv=_optional_text(obj, "endpointsSrv"),
        )


class VpcCluster(msgspec.Struct, frozen=True):
    """``GET /v2/clusters/{id}`` (an in-VPC cluster)."""

    id: str
    name: str
    status: str
    project_id: str = ""
    cloud_id: str = ""
    version: str = ""
    endpoints_srv: str | None = None
    endpoints_url: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: object) -> VpcCluster:
        obj = _obj(data, "in-VPC cluster")
        return cls(
            id=_required(obj, "id", "in-VPC cluster"),
            name=_text(obj, "name"),
            status=_text(obj, "status"),
            project_id=_text(obj, "projectId"),
            cloud_id=_text(obj, "cloudId"),
            version=_text(_mapping(obj, "version"), "name"),
            endpoints_srv=_optional_text(obj, "endpointsSrv"),
            endpoints_url=_strings(obj, "endpointsURL"),
        )


class BucketAccess(msgspec.Struct, frozen=True):
    """One entry of a v3 database user's ``buckets``."""

    name: str
    scope: str
    access: str

    @classmethod
    def from_json(cls, data: object) -> BucketAccess:
        obj = _obj(data, "bucket access")
        return cls(name=_text(obj, "name"), scope=_text(obj, "scope", "*"), access=_text(obj, "access"))

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "scope": self.scope, "access": self.access}


class DatabaseUser(msgspec.Struct, frozen=True):
    """A v3 database user as listed (never with its password)."""

    username: str
    all_buckets_access: str | None = None
    buckets: tuple[BucketAccess, ...] = ()

    @classmethod
    def from_json(cls, data: object) -> DatabaseUser:
        obj = _obj(data, "database user")
        return cls(
            username=_required(obj, "username", "database user"),
            all_buckets_access=_optional_text(obj, "allBucketsAccess"),
            buckets=tuple(BucketAccess.from_json(b) for b in _list(obj, "buckets")),
        )


class Cloud(msgspec.Struct, frozen=True):
    """An in-VPC cloud (``GET /v2/clouds`` item)."""

    id: str
    name: str
    status: str = ""
    provider: str = ""
    region: str = ""

    @classmethod
    def from_json(cls, data: object) -> Cloud:
        obj = _obj(data, "cloud")
        return cls(
            id=_required(obj, "id", "cloud"),
            name=_text(obj, "name"),
            status=_text(obj, "status"),
            provider=_text(obj, "provider"),
            region=_text(obj, "region"),
        )


class OrgUser(msgspec.Struct, frozen=True):
    """An organization user (``GET /v2/users`` item)."""

    id: str
    name: str = ""
    email: str = ""

    @classmethod
    def from_json(cls, data: object) -> OrgUser:
        obj = _obj(data, "organization user")
        return cls(
            id=_required(obj, "id", "organization user"), name=_text(obj, "name"), email=_text(obj, "email")
        )


def server_groups_json(servers: Sequence[ServerGroup | Mapping[str, Any]]) -> list[Any]:
    """Request JSON for ``servers``: models are serialised, mappings passed through as given."""
    return [s.to_json() if isinstance(s, ServerGroup) else dict(s) for s in servers]
