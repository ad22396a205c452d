"""Database users of hosted clusters, ``/v3/clusters/{id}/users``.

Choices where the documentation is silent:
- every user operation (list included) needs a ``healthy`` cluster, else 422;
- a username that already exists on the cluster is a 409 ``Conflict`` (not 422), so a retried create
  can tell "already there" from "invalid";
- usernames are 1-128 characters without ``( ) < > @ , ; : " / [ ] ? = { }`` or control characters
  (Couchbase Server's rule); the password needs 8+ characters with a lower-case letter, an upper-case
  letter, a digit and a symbol;
- exactly one of ``allBucketsAccess`` and ``buckets`` is sent;
- ``201`` carries ``Location: /v3/clusters/{id}/users/{username}`` and no body;
- the list is the paginated v2 envelope with ``data`` an array of ``{username, allBucketsAccess}`` or
  ``{username, buckets}`` (never the password).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from simulators.capella import fields, views
from simulators.capella.clusters import hosted_cluster, require_healthy
from simulators.capella.listing import array_page
from simulators.capella.problems import ApiProblem, invalid, not_found
from simulators.capella.routes import Context, Router
from simulators.capella.state import ClusterUser
from simulators.server import Response

ROLES = frozenset({"data_reader", "data_writer"})
FORBIDDEN_USERNAME = re.compile(r'[()<>@,;:"/\[\]?={}\x00-\x1f\x7f]')
PASSWORD_RULES = (
    (re.compile(r"[a-z]"), "a lower-case letter"),
    (re.compile(r"[A-Z]"), "an upper-case letter"),
    (re.compile(r"[0-9]"), "a digit"),
    (re.compile(r"[^A-Za-z0-9]"), "a symbol"),
)


def _password(body: dict[str, Any]) -> str:
    password = fields.text(body, "password", "password", max_len=256)
    missing = [what for pattern, what in PASSWORD_RULES if not pattern.search(password)]
    if len(password) < 8 or missing:
        raise invalid(
            "password",
            "must be at least 8 characters with a lower-case letter, an upper-case letter, "
            "a digit and a symbol",
        )
    return password


def _buckets(body: dict[str, Any]) -> list[dict[str, str]]:
    result = []
    for i, entry in enumerate(fields.array(body, "buckets", "buckets")):
        path = f"buckets[{i}]"
        if not isinstance(entry, dict):
            raise invalid(path, "must be an object")
        result.append(
            {
                "name": fields.text(entry, "name", f"{path}.name", max_len=100),
                "scope": fields.text(entry, "scope", f"{path}.scope", max_len=251),
                "access": fields.choice(entry, "access", f"{path}.access", ROLES),
            }
        )
    return result


def parse_user(body: dict[str, Any]) -> ClusterUser:
    username = fields.text(body, "username", "username", max_len=128)
    if FORBIDDEN_USERNAME.search(username):
        raise invalid("username", 'must not contain ( ) < > @ , ; : " / [ ] ? = { } or control characters')
    password = _password(body)
    has_all = body.get("allBucketsAccess") is not None
    has_buckets = body.get("buckets") is not None
    if has_all == has_buckets:
        raise invalid("allBucketsAccess", "send exactly one of allBucketsAccess and buckets")
    if has_all:
        return ClusterUser(
            username, password, fields.choice(body, "allBucketsAccess", "allBucketsAccess", ROLES)
        )
    return ClusterUser(username, password, buckets=_buckets(body))


def create_user(ctx: Context) -> Response:
    cluster, status = hosted_cluster(ctx)
    user = parse_user(ctx.body())
    require_healthy(cluster, status, "managing database users")
    users = ctx.store.cluster_users.setdefault(cluster.id, {})
    if user.username in users:
        raise ApiProblem(409, f"user {user.username} already exists on cluster {cluster.id}")
    users[user.username] = user
    return Response(
        201, headers={"Location": f"/v3/clusters/{cluster.id}/users/{quote(user.username, safe='')}"}
    )


def list_users(ctx: Context) -> Response:
    cluster, status = hosted_cluster(ctx)
    require_healthy(cluster, status, "managing database users")
    users = ctx.store.cluster_users.get(cluster.id, {})
    return array_page(ctx, [views.cluster_user(u) for u in users.values()], sortable=("username",))


def delete_user(ctx: Context) -> Response:
    cluster, status = hosted_cluster(ctx)
    username = ctx.params["username"]
    users = ctx.store.cluster_users.get(cluster.id, {})
    if username not in users:
        raise not_found(f"user {username} on cluster {cluster.id}")
    require_healthy(cluster, status, "managing database users")
    del users[username]
    return Response(204)


def register(router: Router) -> None:
    router.add("GET", "/v3/clusters/{id}/users", list_users)
    router.add("POST", "/v3/clusters/{id}/users", create_user)
    router.add("DELETE", "/v3/clusters/{id}/users/{username}", delete_user)
