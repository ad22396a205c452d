"""``Custom::CapellaBucket``: a bucket of a v4 cluster (``.../clusters/{clusterId}/buckets``; v4 only).

Physical id: ``<ProjectId>/<ClusterId>/<BucketId>``. The API's id is the name in base64, unique only
within its cluster, so the parents are part of the id (and of the ownership record): a Delete acts on
exactly the bucket this resource made, whatever its properties say, and an id of another shape is never
acted on. ``BucketId`` (GetAtt) is the API's id.

In place (one ``PUT`` carrying memory, durability, replicas and TTL together, as the API requires; the
values not in the template are those the bucket has): ``MemoryAllocationInMb``, ``DurabilityLevel``,
``Replicas``, ``FlushEnabled``, ``TimeToLiveInSeconds``. The API cannot change the others: ``Name``,
``Type``, ``StorageBackend``, ``BucketConflictResolution``, ``EvictionPolicy``, ``ProjectId`` and
``ClusterId`` replace. A create whose outcome is unknown is verified at later polls by listing the
cluster's buckets for the name. A bucket list has no creation time, so before the create is sent the
request's record keeps the ids of the buckets of that name already there (``in_flight``: the
before-list); the look-up adopts only a bucket that is not among them. That is also what an invocation
killed during the create (out of memory) is answered with: the on-failure destination hands the
in-flight create over to this look-up. A before-list that cannot be read fails the Create before it is
sent.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from msgspec import Meta, structs

from cbprovider.errors import ProviderError
from cbprovider.resources.capella.connection import is_capella_id
from cbprovider.resources.capella.v4_connection import InCluster, v4_client_for
from cbprovider.resources.pending_create import (
    BEFORE_KEY,
    PendingCreate,
    listed_before,
    outcome_unknown,
    verify_named,
)
from cbprovider.runtime import Done, Outcome, Request, ResourceType
from cbprovider.runtime.ids import placeholder_id

if TYPE_CHECKING:
    from cbprovider.capella.v4 import CapellaV4Client


class CapellaBucketProperties(InCluster):
    name: Annotated[str, Meta(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._%-]*$")]
    type: Literal["couchbase", "ephemeral"] | None = None
    storage_backend: Literal["couchstore", "magma"] | None = None
    memory_allocation_in_mb: Annotated[int, Meta(ge=100)] | None = None
    bucket_conflict_resolution: Literal["seqno", "lww"] | None = None
    durability_level: Literal["none", "majority", "majorityAndPersistActive", "persistToMajority"] | None = (
        None
    )
    replicas: Annotated[int, Meta(ge=0, le=3)] | None = None
    flush_enabled: bool | None = None
    time_to_live_in_seconds: Annotated[int, Meta(ge=0, le=2_147_483_647)] | None = None
    eviction_policy: Literal["fullEviction", "valueOnly", "noEviction", "nruEviction"] | None = None


Req = Request[CapellaBucketProperties]
IN_PLACE = (
    "memory_allocation_in_mb",
    "durability_level",
    "replicas",
    "flush_enabled",
    "time_to_live_in_seconds",
)


def physical_id_of(project_id: str, cluster_id: str, bucket_id: str) -> str:
    return f"{project_id}/{cluster_id}/{bucket_id}"


def split_physical_id(physical_id: str) -> tuple[str, str, str] | None:
    """``(project_id, cluster_id, bucket_id)``, or ``None`` for an id this type does not make."""
    parts = physical_id.split("/")
    if len(parts) != 3 or not all(is_capella_id(p) for p in parts[:2]) or not parts[2]:
        return None
    return parts[0], parts[1], parts[2]


class CapellaBucket(ResourceType[CapellaBucketProperties]):
    type_name = "Custom::CapellaBucket"
    properties_model = CapellaBucketProperties
    replacement_properties = frozenset(
        {
            "ProjectId",
            "ClusterId",
            "Name",
            "Type",
            "StorageBackend",
            "BucketConflictResolution",
            "EvictionPolicy",
        }
    )

    def in_flight(self, req: Req) -> Mapping[str, Any] | None:
        """The ids of the buckets of this name already in the cluster (the before-list)."""
        props = req.properties
        with v4_client_for(props, req) as client:
            before = listed_before(
                lambda: self._named(client, req), what=f"the buckets of cluster {props.cluster_id}"
            )
        return PendingCreate.before_call(name=props.name, extra={BEFORE_KEY: before}).to_state()

    def create(self, req: Req) -> Outcome:
        from cbprovider.capella.v4 import BucketSpec

        props = req.properties
        fields = {f: getattr(props, f) for f in (*IN_PLACE, "type", "storage_backend")}
        spec = BucketSpec(
            name=props.name,
            bucket_conflict_resolution=props.bucket_conflict_resolution,
            eviction_policy=props.eviction_policy,
            **fields,
        )
        since = time.time()
        with v4_client_for(props, req) as client:
            try:
                bucket_id = client.create_bucket(
                    props.project_id, props.cluster_id, spec, deadline=req.deadline
                )
            except ProviderError as error:
                if not outcome_unknown(error):
                    raise
                before = PendingCreate.before_in(req.in_flight)
                pending = PendingCreate.after(error, name=props.name, since=since, extra=before)
                return pending.in_progress(placeholder_id(req.logical_id, req.request_id))
        physical_id = physical_id_of(props.project_id, props.cluster_id, bucket_id)
        req.note_physical_id(physical_id)
        return Done(physical_id, {"BucketId": bucket_id})

    def poll(self, req: Req, state: Mapping[str, Any]) -> Outcome:
        """Continues a create whose outcome was unknown (the only operation that polls)."""
        pending = PendingCreate.from_state(state)
        if pending is None:
            raise ProviderError(f"unknown poll state for {self.type_name}")
        props = req.properties
        with v4_client_for(props, req) as client:

            def find(pending: PendingCreate) -> str | None:
                new = [bucket_id for bucket_id in self._named(client, req) if not pending.existed(bucket_id)]
                return physical_id_of(props.project_id, props.cluster_id, new[0]) if new else None

            found = verify_named(
                pending, find, what="bucket", physical_id=str(req.physical_id), foreign=req.owned_elsewhere
            )
        if not isinstance(found, str):
            return found
        req.note_physical_id(found)
        return Done(found, {"BucketId": found.rsplit("/", 1)[1]})

    def update(self, req: Req) -> Outcome:
        from cbprovider.capella.v4 import BucketUpdate

        project_id, cluster_id, bucket_id = self._parts(req)
        new, old = req.properties, req.old_properties
        with v4_client_for(new, req) as client:
            bucket = client.get_bucket(project_id, cluster_id, bucket_id, deadline=req.deadline)
            changed = old is None or any(getattr(new, f) != getattr(old, f) for f in IN_PLACE)
            wanted = {f: getattr(new, f) for f in IN_PLACE if getattr(new, f) is not None}
            if changed and wanted:
                update = structs.replace(BucketUpdate.of(bucket), **wanted)
                client.update_bucket(project_id, cluster_id, bucket_id, update, deadline=req.deadline)
        return Done(str(req.physical_id), {"BucketId": bucket_id})

    def delete(self, req: Req) -> Outcome:
        project_id, cluster_id, bucket_id = self._parts(req)
        with v4_client_for(req.properties, req) as client:
            deleted = client.delete_bucket(project_id, cluster_id, bucket_id, deadline=req.deadline)
        return Done(str(req.physical_id), reason=None if deleted else "already deleted")

    def owns_physical_id(self, physical_id: str) -> bool:
        return split_physical_id(physical_id) is not None

    @staticmethod
    def _named(client: CapellaV4Client, req: Req) -> list[str]:
        """The API ids of the cluster's buckets named like this one."""
        props = req.properties
        buckets = client.list_buckets(props.project_id, props.cluster_id, deadline=req.deadline)
        return [bucket.id for bucket in buckets if bucket.name == props.name]

    @staticmethod
    def _parts(req: Req) -> tuple[str, str, str]:
        parts = split_physical_id(str(req.physical_id))
        assert parts is not None, "owns_physical_id lets only well-formed ids through"
        return parts
