"""Buckets: ``.../clusters/{clusterId}/buckets[/{bucketId}]``; the id is the name in base64.

Creating, changing and deleting need a healthy or degraded cluster (422 otherwise); a second bucket of
the same name is a 422. ``PUT`` needs memoryAllocationInMb, durabilityLevel, replicas and
timeToLiveInSeconds together. The list has no cursor (one ``data`` array), as the specification says.
"""

from __future__ import annotations

import base64
from typing import Any

from simulators.capella import fields
from simulators.capella.routes import Router
from simulators.capella.v4.clusters import CLUSTER, find_cluster, settled_cluster
from simulators.capella.v4.context import KeySchema, V4Context
from simulators.capella.v4.problems import not_found, unprocessable
from simulators.capella.v4.state import Bucket
from simulators.server import Response

BUCKETS = CLUSTER + "/buckets"
BUCKET = BUCKETS + "/{bucketId}"
DURABILITY = frozenset({"none", "majority", "majorityAndPersistActive", "persistToMajority"})
CHANGEABLE = (
    "memoryAllocationInMb",
    "durabilityLevel",
    "replicas",
    "timeToLiveInSeconds",
    "flush",
    "flushEnabled",
)
CREATE_KEYS: KeySchema = dict.fromkeys(
    (
        "name",
        "type",
        "storageBackend",
        "bucketConflictResolution",
        "evictionPolicy",
        "priority",
        "vbuckets",
        *CHANGEABLE,
    )
)
UPDATE_KEYS: KeySchema = dict.fromkeys((*CHANGEABLE, "priority", "enableCrossClusterVersioning"))
REQUIRED_UPDATE = ("memoryAllocationInMb", "durabilityLevel", "replicas", "timeToLiveInSeconds")


def bucket_view(bucket: Bucket) -> dict[str, Any]:
    view = {"id": bucket.id, "name": bucket.name, **bucket.settings}
    view["flush"] = view["flushEnabled"]
    view["stats"] = {"itemCount": 0, "opsPerSecond": 0, "diskUsedInMib": 0, "memoryUsedInMib": 0}
    return view


def _flush(body: dict[str, Any], default: bool) -> bool:
    for key in ("flushEnabled", "flush"):
        if key in body:
            return fields.boolean(body, key, key)
    return default


def _changeable(body: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    return {
        "memoryAllocationInMb": fields.integer(
            body, "memoryAllocationInMb", "memoryAllocationInMb", 100, 1_000_000
        ),
        "durabilityLevel": fields.choice(body, "durabilityLevel", "durabilityLevel", DURABILITY),
        "replicas": fields.integer(body, "replicas", "replicas", 1, 3),
        "timeToLiveInSeconds": fields.integer(
            body, "timeToLiveInSeconds", "timeToLiveInSeconds", 0, 2**31 - 1
        ),
        "flushEnabled": _flush(body, bool(settings.get("flushEnabled", False))),
    }


def create_bucket(ctx: V4Context) -> Response:
    cluster = settled_cluster(ctx, "creating a bucket")
    body = ctx.body(CREATE_KEYS)
    name = fields.text(body, "name", "name", max_len=100)
    if name.startswith(".") or not all(ch.isalnum() or ch in "_.-%" for ch in name):
        raise unprocessable("name: only A-Z, a-z, 0-9, '_', '.', '-' and '%', not starting with '.'")
    kind = fields.optional_choice(body, "type", "type", {"couchbase", "ephemeral"}) or "couchbase"
    backend = fields.optional_choice(body, "storageBackend", "storageBackend", {"couchstore", "magma"})
    if kind == "ephemeral" and backend is not None:
        raise unprocessable("storageBackend: not applicable to ephemeral buckets")
    defaults = {
        "memoryAllocationInMb": 1024 if backend == "magma" else 100,
        "durabilityLevel": "none",
        "replicas": 1,
        "timeToLiveInSeconds": 0,
    }
    settings = {
        "type": kind,
        "storageBackend": backend or ("couchstore" if kind == "couchbase" else ""),
        "bucketConflictResolution": fields.optional_choice(
            body, "bucketConflictResolution", "bucketConflictResolution", {"seqno", "lww"}
        )
        or "seqno",
        "evictionPolicy": fields.optional_choice(
            body, "evictionPolicy", "evictionPolicy", {"fullEviction", "noEviction", "nruEviction"}
        )
        or ("fullEviction" if kind == "couchbase" else "noEviction"),
        **_changeable({**defaults, **body}, {}),
    }
    bucket_id = base64.b64encode(name.encode()).decode()
    table = ctx.store.buckets[cluster.id]
    if bucket_id in table:
        raise unprocessable(f"name: a bucket named {name!r} already exists in cluster {cluster.id}")
    table[bucket_id] = Bucket(bucket_id, name, settings)
    return Response.json(201, {"id": bucket_id})


def find_bucket(ctx: V4Context) -> tuple[str, Bucket]:
    cluster, _ = find_cluster(ctx)
    bucket = ctx.store.buckets[cluster.id].get(ctx.params["bucketId"])
    if bucket is None:
        raise not_found(f"bucket {ctx.params['bucketId']}")
    return cluster.id, bucket


def list_buckets(ctx: V4Context) -> Response:
    cluster, _ = find_cluster(ctx)
    return Response.json(200, {"data": [bucket_view(b) for b in ctx.store.buckets[cluster.id].values()]})


def get_bucket(ctx: V4Context) -> Response:
    return Response.json(200, bucket_view(find_bucket(ctx)[1]))


def put_bucket(ctx: V4Context) -> Response:
    _, bucket = find_bucket(ctx)
    body = ctx.body(UPDATE_KEYS)
    missing = [key for key in REQUIRED_UPDATE if key not in body]
    if missing:
        raise unprocessable(
            f"the update must carry {', '.join(REQUIRED_UPDATE)}; missing: {', '.join(missing)}"
        )
    changes = _changeable(body, bucket.settings)
    settled_cluster(ctx, "changing a bucket")
    bucket.settings.update(changes)
    return Response(204)


def delete_bucket(ctx: V4Context) -> Response:
    cluster_id, bucket = find_bucket(ctx)
    settled_cluster(ctx, "deleting a bucket")
    del ctx.store.buckets[cluster_id][bucket.id]
    return Response(204)


def register(router: Router) -> None:
    router.add("GET", BUCKETS, list_buckets)
    router.add("POST", BUCKETS, create_bucket)
    router.add("GET", BUCKET, get_bucket)
    router.add("PUT", BUCKET, put_bucket)
    router.add("DELETE", BUCKET, delete_bucket)
