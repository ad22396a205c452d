"""Database credentials: ``.../clusters/{clusterId}/users[/{userId}]``.

Names: 2-128 characters, no spaces, none of ``) ( > < , ; : " \\ / ] [ ? = } {``, not starting with
``@``; a second credential of the same name is a 422. Passwords: at least 8 characters with an upper-
and a lower-case letter, a digit and a special character, none of ``< > ; . * & | £``; without one the
simulator generates one and returns it once. ``PUT`` takes ``access`` and optionally ``password`` and
honours ``If-Match`` (412). Reads never return the password.
"""

from __future__ import annotations

import secrets
import string
import uuid
from typing import Any

from simulators.capella import fields
from simulators.capella.routes import Router
from simulators.capella.v4.clusters import CLUSTER, find_cluster, settled_cluster
from simulators.capella.v4.context import KeySchema, V4Context, check_if_match
from simulators.capella.v4.problems import not_found, unprocessable
from simulators.capella.v4.state import Credential
from simulators.server import Response

USERS = CLUSTER + "/users"
USER = USERS + "/{userId}"
ACCESS: KeySchema = {
    "privileges": None,
    "resources": {"buckets": [{"name": None, "scopes": [{"name": None, "collections": None}]}]},
}
CREATE_KEYS: KeySchema = {"name": None, "password": None, "access": [ACCESS]}
UPDATE_KEYS: KeySchema = {"password": None, "access": [ACCESS]}
NAME_FORBIDDEN = set(')(><,;:"\\/][?=}{ ')
PASSWORD_FORBIDDEN = set("<>;.*&|£")
PRIVILEGES = frozenset({"data_reader", "data_writer", "read", "write"})


def credential_view(credential: Credential) -> dict[str, Any]:
    return {
        "id": credential.id,
        "name": credential.name,
        "access": credential.access,
        "audit": credential.audit(),
    }


def _password(body: dict[str, Any]) -> str | None:
    password = fields.optional_text(body, "password", "password", min_len=8, max_len=256)
    if password is None:
        return None
    if any(ch in PASSWORD_FORBIDDEN for ch in password):
        raise unprocessable("password: must not contain any of < > ; . * & | £")
    classes = (str.isupper, str.islower, str.isdigit, lambda ch: not ch.isalnum())
    if not all(any(test(ch) for ch in password) for test in classes):
        raise unprocessable(
            "password: needs an upper-case letter, a lower-case letter, a digit and a special character"
        )
    return password


def _access(body: dict[str, Any]) -> list[dict[str, Any]]:
    entries = fields.array(body, "access", "access")
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise unprocessable(f"access[{i}]: must be an object")
        for privilege in fields.array(entry, "privileges", f"access[{i}].privileges"):
            if privilege not in PRIVILEGES:
                raise unprocessable(
                    f"access[{i}].privileges: {privilege!r} is not one of {', '.join(sorted(PRIVILEGES))}"
                )
    return entries


def _generated_password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(20)) + "aA1#"


def create_credential(ctx: V4Context) -> Response:
    cluster = settled_cluster(ctx, "creating a database credential")
    body = ctx.body(CREATE_KEYS)
    name = fields.text(body, "name", "name", min_len=2, max_len=128)
    if name.startswith("@") or NAME_FORBIDDEN & set(name):
        raise unprocessable(
            'name: no spaces, none of ) ( > < , ; : " \\ / ] [ ? = } {, and not starting with @'
        )
    password = _password(body) or _generated_password()
    access = _access(body)
    table = ctx.store.credentials[cluster.id]
    if any(c.name == name for c in table.values()):
        raise unprocessable(f"name: a database credential named {name!r} already exists")
    credential = Credential(id=str(uuid.uuid4()), name=name, password=password, access=access)
    table[credential.id] = credential
    return Response.json(201, {"id": credential.id, "password": password})


def find_credential(ctx: V4Context) -> tuple[str, Credential]:
    cluster, _ = find_cluster(ctx)
    credential = ctx.store.credentials[cluster.id].get(ctx.params["userId"])
    if credential is None:
        raise not_found(f"database credential {ctx.params['userId']}")
    return cluster.id, credential


def list_credentials(ctx: V4Context) -> Response:
    cluster, _ = find_cluster(ctx)
    return ctx.page([credential_view(c) for c in ctx.store.credentials[cluster.id].values()])


def get_credential(ctx: V4Context) -> Response:
    credential = find_credential(ctx)[1]
    return Response.json(200, credential_view(credential), {"ETag": credential.etag})


def put_credential(ctx: V4Context) -> Response:
    _, credential = find_credential(ctx)
    body = ctx.body(UPDATE_KEYS)
    password = _password(body)
    access = _access(body)
    check_if_match(ctx, credential.etag, f"database credential {credential.id}")
    credential.access = access
    if password is not None:
        credential.password = password
    credential.bump()
    return Response(204)


def delete_credential(ctx: V4Context) -> Response:
    cluster_id, credential = find_credential(ctx)
    del ctx.store.credentials[cluster_id][credential.id]
    return Response(204)


def register(router: Router) -> None:
    router.add("GET", USERS, list_credentials)
    router.add("POST", USERS, create_credential)
    router.add("GET", USER, get_credential)
    router.add("PUT", USER, put_credential)
    router.add("DELETE", USER, delete_credential)
