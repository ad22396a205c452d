"""Custom::CapellaDatabaseCredential (v4 only) through the real handler, against the simulator over HTTP."""

from __future__ import annotations

import json

from tests.resources import capella_v4_fixtures
from tests.resources.capella_fixtures import SHORT_CONTEXT, nothing_left, slow_create
from tests.resources.capella_v4_fixtures import (
    CLUSTER_PATH,
    CREDENTIAL,
    OTHER_PASSWORD,
    PASSWORD,
    V4World,
)

v4world = capella_v4_fixtures.v4world

USERS = CLUSTER_PATH + "/users"
READ_ALL = [{"Privileges": ["data_reader"]}]


def props_of(project_id: str, cluster_id: str, **overrides: object) -> dict[str, object]:
    return {"ProjectId": project_id, "ClusterId": cluster_id, "Name": "app", "Access": READ_ALL, **overrides}


def test_generated_password_lands_in_an_owned_secret_removed_by_delete(v4world: V4World) -> None:
    project_id, cluster_id = v4world.healthy_cluster()
    props = props_of(project_id, cluster_id)
    created = v4world.stack.send("Create", CREDENTIAL, "Cred", props)
    assert created.status == "SUCCESS", created.reason
    credential_id = created.physical_id
    stored = v4world.store.credentials[cluster_id][credential_id]
    secret = json.loads(
        v4world.secrets.get_secret_value(SecretId=created.data["PasswordSecretArn"])["SecretString"]
    )
    assert secret == {"username": "app", "password": stored.password}
    assert stored.password not in v4world.everything_sent()

    writer = props_of(project_id, cluster_id, Access=[{"Privileges": ["data_writer"]}])
    updated = v4world.stack.send(
        "Update", CREDENTIAL, "Cred", writer, physical_id=credential_id, old_properties=props
    )
    assert updated.status == "SUCCESS", updated.reason
    assert updated.data["PasswordSecretArn"] == created.data["PasswordSecretArn"]
    assert stored.access[0]["privileges"] == ["data_writer"]
    assert v4world.store.credentials[cluster_id][credential_id].password == secret["password"]

    deleted = v4world.stack.send("Delete", CREDENTIAL, "Cred", writer, physical_id=credential_id)
    assert deleted.status == "SUCCESS", deleted.reason
    assert v4world.store.credentials[cluster_id] == {}
    listed = v4world.secrets.list_secrets()["SecretList"]
    assert all("capella-credential" not in s["Name"] or s.get("DeletedDate") for s in listed)
    assert nothing_left()


def test_a_given_password_is_used_and_changed_in_place(v4world: V4World) -> None:
    project_id, cluster_id = v4world.healthy_cluster()
    first, second = v4world.secret(PASSWORD), v4world.secret(json.dumps({"password": OTHER_PASSWORD}))
    props = props_of(project_id, cluster_id, PasswordSecretArn=first)
    created = v4world.stack.send("Create", CREDENTIAL, "Cred", props)
    assert created.status == "SUCCESS", created.reason
    assert created.data["PasswordSecretArn"] == first
    credential_id = created.physical_id
    assert v4world.store.credentials[cluster_id][credential_id].password == PASSWORD

    rotated = props_of(project_id, cluster_id, PasswordSecretArn=second)
    updated = v4world.stack.send(
        "Update", CREDENTIAL, "Cred", rotated, physical_id=credential_id, old_properties=props
    )
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id == credential_id
    assert v4world.store.credentials[cluster_id][credential_id].password == OTHER_PASSWORD
    assert OTHER_PASSWORD not in v4world.everything_sent()


def test_forbidden_characters_are_refused_before_any_call(v4world: V4World) -> None:
    project_id, cluster_id = v4world.healthy_cluster()
    before = len(v4world.sim.calls)
    for needle, props in {
        "a character Capella refuses": props_of(
            project_id, cluster_id, PasswordSecretArn=v4world.secret("Str0ng.Pass!")
        ),
        "8-256 characters": props_of(project_id, cluster_id, PasswordSecretArn=v4world.secret("short")),
        "Name": props_of(project_id, cluster_id, Name="has space"),
        "Access[0].Privileges": props_of(project_id, cluster_id, Access=[{"Privileges": ["admin"]}]),
    }.items():
        failed = v4world.stack.send("Create", CREDENTIAL, "Cred", props)
        assert failed.status == "FAILED"
        assert needle in failed.reason
        assert "Str0ng.Pass!" not in failed.reason
    assert [c for c in v4world.sim.calls[before:] if c.method != "GET"] == []


def test_a_create_that_times_out_is_adopted_with_a_known_password(v4world: V4World) -> None:
    project_id, cluster_id = v4world.healthy_cluster()
    slow_create(v4world.stack, v4world.sim, f"POST {USERS}")
    created = v4world.stack.send(
        "Create", CREDENTIAL, "Cred", props_of(project_id, cluster_id), context_seconds=SHORT_CONTEXT
    )
    assert created.status == "SUCCESS", created.reason
    assert created.invocations > 1
    stored = v4world.store.credentials[cluster_id][created.physical_id]
    secret = json.loads(
        v4world.secrets.get_secret_value(SecretId=created.data["PasswordSecretArn"])["SecretString"]
    )
    assert secret["password"] == stored.password
    assert nothing_left()
