"""Allowed CIDRs: ``.../clusters/{clusterId}/allowedcidrs[/{allowedCidrId}]`` (no update in v4).

A CIDR already on the list is a 422; ``expiresAt`` must be an RFC 3339 time in the future. Entries
with ``expiresAt`` are ``temporary`` and turn ``expired`` once it passes; others are ``permanent``.
"""

from __future__ import annotations

import ipaddress
import uuid
from datetime import UTC, datetime
from typing import Any

from simulators.capella import fields
from simulators.capella.routes import Router
from simulators.capella.v4.clusters import CLUSTER, find_cluster, settled_cluster
from simulators.capella.v4.context import KeySchema, V4Context
from simulators.capella.v4.problems import not_found, unprocessable
from simulators.capella.v4.state import AllowedCidr
from simulators.server import Response

CIDRS = CLUSTER + "/allowedcidrs"
CIDR = CIDRS + "/{allowedCidrId}"
CREATE_KEYS: KeySchema = {"cidr": None, "comment": None, "expiresAt": None}


def _parse_time(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise unprocessable(f"expiresAt: {text!r} is not an RFC 3339 time") from None
    if when.tzinfo is None:
        raise unprocessable("expiresAt: the time needs a zone (e.g. 'Z')")
    return when


def cidr_view(entry: AllowedCidr) -> dict[str, Any]:
    expired = entry.expires_at is not None and _parse_time(entry.expires_at) <= datetime.now(UTC)
    view: dict[str, Any] = {
        "id": entry.id,
        "cidr": entry.cidr,
        "comment": entry.comment,
        "status": "expired" if expired else "active",
        "type": "temporary" if entry.expires_at else "permanent",
        "audit": {"createdAt": entry.created_at, "createdBy": "apikey-sim", "version": 1},
    }
    if entry.expires_at:
        view["expiresAt"] = entry.expires_at
    return view


def create_cidr(ctx: V4Context) -> Response:
    cluster = settled_cluster(ctx, "changing the allowed CIDRs")
    body = ctx.body(CREATE_KEYS)
    text = fields.text(body, "cidr", "cidr", max_len=43)
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError:
        raise unprocessable(f"cidr: {text!r} is not a CIDR block (address/prefix, host bits zero)") from None
    comment = fields.optional_text(body, "comment", "comment", max_len=256) or ""
    expires = fields.optional_text(body, "expiresAt", "expiresAt", max_len=64)
    if expires is not None and _parse_time(expires) <= datetime.now(UTC):
        raise unprocessable("expiresAt: must be in the future")
    table = ctx.store.cidrs[cluster.id]
    if any(e.cidr == str(network) for e in table.values()):
        raise unprocessable(f"cidr: {network} is already allowed on cluster {cluster.id}")
    entry = AllowedCidr(str(uuid.uuid4()), str(network), comment, expires)
    table[entry.id] = entry
    return Response.json(201, {"id": entry.id})


def find_cidr(ctx: V4Context) -> tuple[str, AllowedCidr]:
    cluster, _ = find_cluster(ctx)
    entry = ctx.store.cidrs[cluster.id].get(ctx.params["allowedCidrId"])
    if entry is None:
        raise not_found(f"allowed CIDR {ctx.params['allowedCidrId']}")
    return cluster.id, entry


def list_cidrs(ctx: V4Context) -> Response:
    cluster, _ = find_cluster(ctx)
    return ctx.page([cidr_view(e) for e in ctx.store.cidrs[cluster.id].values()])


def get_cidr(ctx: V4Context) -> Response:
    return Response.json(200, cidr_view(find_cidr(ctx)[1]))


def delete_cidr(ctx: V4Context) -> Response:
    cluster_id, entry = find_cidr(ctx)
    del ctx.store.cidrs[cluster_id][entry.id]
    return Response(204)


def register(router: Router) -> None:
    router.add("GET", CIDRS, list_cidrs)
    router.add("POST", CIDRS, create_cidr)
    router.add("GET", CIDR, get_cidr)
    router.add("DELETE", CIDR, delete_cidr)
