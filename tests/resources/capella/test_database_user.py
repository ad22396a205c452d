"""Custom::CapellaDatabaseUser through the real handler, against the Capella simulator over HTTP."""

from __future__ import annotations

import json
from typing import Any

from tests.evidence.killed import killed_create
from tests.resources import capella_fixtures
from tests.resources.capella_fixtures import (
    OTHER_PASSWORD,
    PASSWORD,
    SHORT_CONTEXT,
    USER,
    CapellaWorld,
    fails_without_adopting,
    nothing_left,
    slow_create,
)

world = capella_fixtures.world
logged = capella_fixtures.logged

USERS = "POST /v3/clusters/{id}/users"


def _props(world: CapellaWorld, cluster_id: str, **overrides: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "ClusterId": cluster_id,
        "UserName": "app",
        "PasswordSecretArn": world.secret(json.dumps({"password": PASSWORD})),
        "AllBucketsAccess": "data_reader",
    }
    props.update(overrides)
    return {k: v for k, v in props.items() if v is not None}


def _user_calls(world: CapellaWorld) -> list[str]:
    return [c.key for c in world.sim.calls if "/users" in c.key]


def test_create_update_in_place_replace_and_delete(world: CapellaWorld) -> None:
    cluster_id = world.healthy_cluster()
    props = _props(world, cluster_id)
    created = world.stack.send("Create", USER, "User", props)
    assert created.status == "SUCCESS", created.reason
    assert created.physical_id == f"{cluster_id}/app"
    assert created.data == {"UserName": "app", "ClusterId": cluster_id}
    user = world.sim.cluster_users[cluster_id]["app"]
    assert (user.password, user.all_buckets_access) == (PASSWORD, "data_reader")

    # A new password (a plain-text secret this time) and per-bucket access: deleted and created again.
    new = _props(
        world,
        cluster_id,
        PasswordSecretArn=world.secret(OTHER_PASSWORD),
        AllBucketsAccess=None,
        Buckets=[
            {"Name": "orders", "Access": "data_writer"},
            {"Name": "audit", "Scope": "logs", "Access": "data_reader"},
        ],
    )
    updated = world.stack.send(
        "Update", USER, "User", new, physical_id=created.physical_id, old_properties=props
    )
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id == created.physical_id
    user = world.sim.cluster_users[cluster_id]["app"]
    assert user.password == OTHER_PASSWORD
    assert user.all_buckets_access is None
    assert user.buckets == [
        {"name": "orders", "scope": "*", "access": "data_writer"},
        {"name": "audit", "scope": "logs", "access": "data_reader"},
    ]

    renamed = {**new, "UserName": "app2"}
    replaced = world.stack.send(
        "Update", USER, "User", renamed, physical_id=created.physical_id, old_properties=new
    )
    assert replaced.status == "SUCCESS", replaced.reason
    assert replaced.physical_id == f"{cluster_id}/app2"
    assert set(world.sim.cluster_users[cluster_id]) == {"app", "app2"}, "CloudFormation deletes the old one"

    deleted = world.stack.send("Delete", USER, "User", new, physical_id=created.physical_id)
    assert deleted.status == "SUCCESS", deleted.reason
    assert set(world.sim.cluster_users[cluster_id]) == {"app2"}
    again = world.stack.send("Delete", USER, "User", new, physical_id=created.physical_id)
    assert again.status == "SUCCESS", again.reason


def test_an_update_of_the_connection_only_leaves_the_user_alone(world: CapellaWorld) -> None:
    cluster_id = world.healthy_cluster()
    props = _props(world, cluster_id)
    physical_id = world.stack.send("Create", USER, "User", props).physical_id
    world.sim.calls.clear()
    moved = {**props, "Endpoint": "default"}  # the default written out
    updated = world.stack.send("Update", USER, "User", moved, physical_id=physical_id, old_properties=props)
    assert updated.status == "SUCCESS", updated.reason
    assert _user_calls(world) == []


def test_delete_acts_on_the_cluster_in_the_id(world: CapellaWorld) -> None:
    """The id names the cluster: a Delete whose properties point elsewhere still removes the right user."""
    first, second = world.healthy_cluster(), world.healthy_cluster()
    physical_id = world.stack.send("Create", USER, "User", _props(world, first)).physical_id
    world.stack.send("Create", USER, "Other", _props(world, second))
    deleted = world.stack.send("Delete", USER, "User", _props(world, second), physical_id=physical_id)
    assert deleted.status == "SUCCESS", deleted.reason
    assert world.sim.cluster_users[first] == {}
    assert set(world.sim.cluster_users[second]) == {"app"}


def test_deletes_of_ids_this_type_never_makes_touch_nothing(world: CapellaWorld) -> None:
    props = _props(world, world.healthy_cluster())
    world.sim.calls.clear()
    for physical_id in ("failed-create-User-0123abcd", "app", "not-a-uuid/app"):
        outcome = world.stack.send("Delete", USER, "User", props, physical_id=physical_id)
        assert outcome.status == "SUCCESS"
        assert outcome.physical_id == physical_id
    assert world.sim.calls == []


def test_access_must_be_given_one_way(world: CapellaWorld) -> None:
    cluster_id = world.healthy_cluster()
    world.sim.calls.clear()
    both = _props(world, cluster_id, Buckets=[{"Name": "b", "Access": "data_reader"}])
    neither = _props(world, cluster_id, AllBucketsAccess=None)
    for props in (both, neither):
        outcome = world.stack.send("Create", USER, "User", props)
        assert outcome.status == "FAILED"
        assert "AllBucketsAccess, Buckets: give exactly one" in outcome.reason
    wrong = world.stack.send("Create", USER, "User", _props(world, cluster_id, AllBucketsAccess="admin"))
    assert "AllBucketsAccess:" in wrong.reason
    bad_cluster = world.stack.send("Create", USER, "User", _props(world, "cluster-1"))
    assert "ClusterId:" in bad_cluster.reason
    assert world.sim.calls == []


def test_a_weak_or_unreadable_password_fails_before_anything_changes(world: CapellaWorld, logged) -> None:
    cluster_id = world.healthy_cluster()
    props = _props(world, cluster_id)
    physical_id = world.stack.send("Create", USER, "User", props).physical_id
    world.sim.calls.clear()

    weak = world.secret(json.dumps({"password": "weakpass"}))
    refused = world.stack.send(
        "Update",
        USER,
        "User",
        {**props, "PasswordSecretArn": weak},
        physical_id=physical_id,
        old_properties=props,
    )
    assert refused.status == "FAILED"
    assert "PasswordSecretArn: the password in secret" in refused.reason
    assert weak in refused.reason
    assert "weakpass" not in refused.reason
    assert "weakpass" not in logged()
    assert _user_calls(world) == [], "the user was not deleted"

    wrong_shape = world.secret(json.dumps({"username": "app"}))
    unreadable = world.stack.send("Create", USER, "Second", {**props, "PasswordSecretArn": wrong_shape})
    assert "PasswordSecretArn:" in unreadable.reason


def test_an_existing_user_is_a_readable_failure(world: CapellaWorld) -> None:
    cluster_id = world.healthy_cluster()
    props = _props(world, cluster_id)
    world.stack.send("Create", USER, "User", props)
    clash = world.stack.send("Create", USER, "Copy", props)
    assert clash.status == "FAILED"
    assert "[ApiError 409]" in clash.reason
    assert "already exists" in clash.reason
    assert clash.physical_id.startswith("failed-create-Copy-"), "a rollback must not delete the other's user"


def test_the_password_never_reaches_logs_or_responses(world: CapellaWorld, logged) -> None:
    cluster_id = world.healthy_cluster()
    props = _props(world, cluster_id)
    created = world.stack.send("Create", USER, "User", props)
    new = {**props, "PasswordSecretArn": world.secret(json.dumps({"password": OTHER_PASSWORD}))}
    world.stack.send("Update", USER, "User", new, physical_id=created.physical_id, old_properties=props)
    world.stack.send("Delete", USER, "User", new, physical_id=created.physical_id)
    text = logged()
    assert "Request received" in text, "the provider's log was captured"
    for secret in (PASSWORD, OTHER_PASSWORD, world.sim.secret_key):
        assert secret not in text
        assert secret not in world.everything_sent()


def test_a_create_that_times_out_is_found_at_the_next_poll_and_adopted(world: CapellaWorld) -> None:
    cluster_id = world.healthy_cluster()
    props = _props(world, cluster_id)
    slow_create(world.stack, world.sim, USERS)
    created = world.stack.send("Create", USER, "User", props, context_seconds=SHORT_CONTEXT)
    assert created.status == "SUCCESS", created.reason
    assert created.physical_id == f"{cluster_id}/app"
    assert created.data == {"UserName": "app", "ClusterId": cluster_id}
    assert created.invocations > 1, "found by a poll, not by the request's own invocation"
    assert set(world.sim.cluster_users[cluster_id]) == {"app"}
    assert _user_calls(world).count(USERS) == 1
    assert nothing_left()


def test_a_create_that_did_not_take_effect_fails_and_the_rollback_finds_nothing(world: CapellaWorld) -> None:
    cluster_id = world.healthy_cluster()
    props = _props(world, cluster_id)
    world.sim.faults.add(USERS, drop=True)
    failed = world.stack.send("Create", USER, "User", props)
    assert failed.status == "FAILED"
    assert failed.physical_id == f"{cluster_id}/app", "the id is known: a rollback Delete can act on it"
    assert "[CreateNotCarriedOut]" in failed.reason
    assert "no database user named 'app' appeared" in failed.reason
    assert failed.invocations >= 3, "absence is concluded only after two look-ups"
    assert world.sim.cluster_users.get(cluster_id, {}) == {}
    assert nothing_left()

    rollback = world.stack.send("Delete", USER, "User", props, physical_id=failed.physical_id)
    assert rollback.status == "SUCCESS", rollback.reason
    assert world.sim.cluster_users.get(cluster_id, {}) == {}


def test_a_refused_look_up_ends_the_create_under_the_user_id(world: CapellaWorld) -> None:
    """A look-up answered 404 (the cluster went away): FAILED under ClusterId/UserName, whose rollback
    Delete then finds nothing to remove.
    """
    cluster_id = world.healthy_cluster()
    props = _props(world, cluster_id)
    world.sim.faults.add(USERS, drop=True)
    world.sim.faults.add("GET /v3/clusters/{id}/users")  # the before-list, read before the create: answered
    world.sim.faults.add("GET /v3/clusters/{id}/users", status=404)
    failed = world.stack.send("Create", USER, "User", props)
    assert failed.status == "FAILED"
    assert failed.physical_id == f"{cluster_id}/app"
    assert "[ApiError 404]" in failed.reason
    assert nothing_left()
    rollback = world.stack.send("Delete", USER, "User", props, physical_id=failed.physical_id)
    assert rollback.status == "SUCCESS", rollback.reason


def test_an_unavailable_api_is_a_clear_refusal_with_the_placeholder(world: CapellaWorld) -> None:
    cluster_id = world.healthy_cluster()
    world.sim.faults.add(USERS, status=503, times=None)
    busy = world.stack.send("Create", USER, "User", _props(world, cluster_id), context_seconds=SHORT_CONTEXT)
    assert busy.status == "FAILED"
    assert busy.physical_id.startswith("failed-create-User-"), "503: the server did not act"
    assert "[ApiError 503]" in busy.reason
    assert busy.invocations == 1
    assert nothing_left()


def test_a_create_killed_during_its_call_adopts_the_user_it_made(world: CapellaWorld) -> None:
    """The process is killed right after the API made the user: the on-failure destination hands the
    in-flight create to the look-up, which finds a user that was not there before the call."""
    cluster_id = world.healthy_cluster()
    props = _props(world, cluster_id)
    created = killed_create(world.stack, USER, "User", props, function="capella_provider", operation=USERS)
    assert created.status == "SUCCESS", created.reason
    assert created.physical_id == f"{cluster_id}/app"
    assert set(world.sim.cluster_users[cluster_id]) == {"app"}
    assert _user_calls(world).count(USERS) == 1
    assert nothing_left()


def test_a_same_named_user_made_before_the_create_is_never_adopted(world: CapellaWorld) -> None:
    """Someone else's user of the name exists; the create's answer is lost: the look-up must not take
    that user for the one the call made, and the FAILED names the placeholder, so that no rollback
    Delete removes it."""
    cluster_id = world.healthy_cluster()
    with world.client() as client:
        client.create_database_user(cluster_id, "app", OTHER_PASSWORD, all_buckets_access="data_writer")
    world.sim.faults.add(USERS, drop=True)
    fails_without_adopting(world.stack, USER, _props(world, cluster_id), sought="database user named 'app'")
    assert set(world.sim.cluster_users[cluster_id]) == {"app"}, "their user is kept"


def test_a_before_list_that_cannot_be_read_fails_before_the_create(world: CapellaWorld) -> None:
    cluster_id = world.healthy_cluster()
    world.sim.faults.add("GET /v3/clusters/{id}/users", status=500, times=None)
    failed = world.stack.send("Create", USER, "User", _props(world, cluster_id))
    assert failed.status == "FAILED"
    assert failed.physical_id.startswith("failed-create-User-")
    assert "[BeforeListUnavailable]" in failed.reason
    assert USERS not in _user_calls(world)
    assert nothing_left()
