"""Custom::CapellaProject through the real handler, against the Capella simulator over HTTP."""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping
from typing import Any

from simulators.stack import register_endpoint
from tests.resources import capella_fixtures
from tests.resources.capella_fixtures import (
    PROJECT,
    SHORT_CONTEXT,
    CapellaWorld,
    nothing_left,
    slow_create,
)

world = capella_fixtures.world


def test_create_update_in_place_and_delete(world: CapellaWorld) -> None:
    created = world.stack.send("Create", PROJECT, "Project", {"Name": "analytics"})
    assert created.status == "SUCCESS", created.reason
    project_id = created.physical_id
    assert world.sim.projects[project_id].name == "analytics"
    assert created.data == {"ProjectId": project_id}

    props = {"Name": "analytics", "Endpoint": "default"}
    updated = world.stack.send(
        "Update", PROJECT, "Project", props, physical_id=project_id, old_properties={"Name": "analytics"}
    )
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id == project_id
    assert list(world.sim.projects) == [project_id]

    deleted = world.stack.send("Delete", PROJECT, "Project", props, physical_id=project_id)
    assert deleted.status == "SUCCESS", deleted.reason
    assert world.sim.projects == {}
    assert nothing_left()


def test_a_new_name_replaces_the_project(world: CapellaWorld) -> None:
    old = world.stack.send("Create", PROJECT, "Project", {"Name": "one"}).physical_id
    new = world.stack.send(
        "Update", PROJECT, "Project", {"Name": "two"}, physical_id=old, old_properties={"Name": "one"}
    )
    assert new.status == "SUCCESS", new.reason
    assert new.physical_id != old
    assert {p.name for p in world.sim.projects.values()} == {"one", "two"}, "CloudFormation deletes the old"


def test_delete_of_a_project_already_gone_succeeds(world: CapellaWorld) -> None:
    project_id = world.project()
    del world.sim.projects[project_id]
    deleted = world.stack.send("Delete", PROJECT, "Project", {"Name": "x"}, physical_id=project_id)
    assert deleted.status == "SUCCESS", deleted.reason


def test_delete_of_a_project_with_clusters_fails_readably(world: CapellaWorld) -> None:
    project_id = world.project()
    world.sim.add_clusters(project_id, 1)
    world.stack.own(PROJECT, "Project", project_id)
    deleted = world.stack.send("Delete", PROJECT, "Project", {"Name": "x"}, physical_id=project_id)
    assert deleted.status == "FAILED"
    assert deleted.physical_id == project_id
    assert "[ProjectNotEmpty]" in deleted.reason
    assert project_id in deleted.reason
    assert "still has 1 cluster" in deleted.reason
    assert project_id in world.sim.projects


def test_placeholder_and_foreign_ids_are_not_touched(world: CapellaWorld) -> None:
    for physical_id in ("failed-create-Project-0123abcd", "some-made-up-id"):
        deleted = world.stack.send("Delete", PROJECT, "Project", {"Name": "x"}, physical_id=physical_id)
        assert deleted.status == "SUCCESS"
        assert deleted.physical_id == physical_id
    assert world.sim.calls == []


def test_duplicate_delivery_creates_one_project(world: CapellaWorld) -> None:
    event = world.stack.event("Create", PROJECT, "Project", {"Name": "once"})
    first = world.stack.run(event)
    world.stack.run(event)
    assert first.status == "SUCCESS"
    assert len(world.sim.projects) == 1


def test_api_errors_and_bad_input_are_readable(world: CapellaWorld) -> None:
    world.sim.faults.add(
        "POST /v2/projects",
        status=403,
        body=json.dumps({"errorType": "Forbidden", "message": "the key may not create projects"}),
    )
    refused = world.stack.send("Create", PROJECT, "Project", {"Name": "denied"})
    assert refused.status == "FAILED"
    assert refused.physical_id.startswith("failed-create-Project-")
    assert "HTTP 403 Forbidden: the key may not create projects" in refused.reason

    invalid = world.stack.send("Create", PROJECT, "Project", {"Name": "n" * 129})
    assert invalid.status == "FAILED"
    assert "Name:" in invalid.reason
    unknown = world.stack.send("Create", PROJECT, "Project", {"Name": "ok", "Nmae": "typo"})
    assert "Nmae: unknown property" in unknown.reason


def test_credentials_are_required_and_checked(world: CapellaWorld) -> None:
    register_endpoint("capella", "nokeys", world.sim.url)
    missing = world.stack.send("Create", PROJECT, "Project", {"Name": "a", "Endpoint": "nokeys"})
    assert missing.status == "FAILED"
    assert "[EndpointInvalid] capella endpoint 'nokeys': CredentialsSecretArn: is required" in missing.reason

    wrong_shape = world.secret(json.dumps({"AccessKeyId": "x"}))
    register_endpoint("capella", "wrong", world.sim.url, credentials_secret_arn=wrong_shape)
    bad = world.stack.send("Create", PROJECT, "Project", {"Name": "a", "Endpoint": "wrong"})
    assert "endpoint wrong CredentialsSecretArn" in bad.reason
    assert "AccessKey" in bad.reason

    good = world.stack.send("Create", PROJECT, "Project", {"Name": "a"})
    assert good.status == "SUCCESS", good.reason
    assert world.sim.secret_key not in json.dumps([r.body for r in world.stack.receiver.responses])


def _posts(world: CapellaWorld) -> int:
    return sum(call.key == "POST /v2/projects" for call in world.sim.calls)


def test_a_create_that_times_out_is_found_at_the_next_poll_and_adopted(world: CapellaWorld) -> None:
    slow_create(world.stack, world.sim, "POST /v2/projects")
    created = world.stack.send("Create", PROJECT, "Project", {"Name": "late"}, context_seconds=SHORT_CONTEXT)
    assert created.status == "SUCCESS", created.reason
    assert list(world.sim.projects) == [created.physical_id]
    assert created.data == {"ProjectId": created.physical_id}
    assert created.invocations > 1, "found by a poll, not by the request's own invocation"
    assert _posts(world) == 1
    assert nothing_left()


def test_a_create_answered_with_an_unreadable_body_is_adopted(world: CapellaWorld) -> None:
    world.sim.faults.add("POST /v2/projects", malformed=True)
    created = world.stack.send("Create", PROJECT, "Project", {"Name": "garbled"})
    assert created.status == "SUCCESS", created.reason
    assert list(world.sim.projects) == [created.physical_id]
    assert world.sim.projects[created.physical_id].name == "garbled"
    assert nothing_left()


def test_a_create_that_did_not_take_effect_fails_with_the_placeholder(world: CapellaWorld) -> None:
    world.sim.faults.add("POST /v2/projects", drop=True)
    failed = world.stack.send("Create", PROJECT, "Project", {"Name": "lost"})
    assert failed.status == "FAILED"
    assert failed.physical_id.startswith("failed-create-Project-")
    assert "[CreateNotCarriedOut]" in failed.reason
    assert "no project named 'lost' appeared" in failed.reason
    assert "did not take effect" in failed.reason
    assert failed.invocations >= 3, "absence is concluded only after two look-ups"
    assert world.sim.projects == {}
    assert nothing_left()

    calls = len(world.sim.calls)
    rollback = world.stack.send(
        "Delete", PROJECT, "Project", {"Name": "lost"}, physical_id=failed.physical_id
    )
    assert rollback.status == "SUCCESS"
    assert len(world.sim.calls) == calls


def test_an_older_namesake_is_not_adopted_and_two_new_ones_are_refused(world: CapellaWorld) -> None:
    old = world.sim.add_project("shared")
    world.sim.projects[old].created_at = "2020-01-01T00:00:00.000Z"
    world.sim.faults.add("POST /v2/projects", malformed=True)
    adopted = world.stack.send("Create", PROJECT, "Project", {"Name": "shared"})
    assert adopted.status == "SUCCESS", adopted.reason
    assert adopted.physical_id != old
    assert adopted.physical_id in world.sim.projects

    with world.client() as client:
        other = client.create_project("shared").id
    world.sim.faults.add("POST /v2/projects", malformed=True)
    twin = world.stack.send("Create", PROJECT, "Twin", {"Name": "shared"})
    assert twin.status == "FAILED"
    assert twin.physical_id.startswith("failed-create-Twin-"), "none is adopted: the rollback touches none"
    assert "[ProjectAmbiguous] Name:" in twin.reason
    assert other in twin.reason
    assert adopted.physical_id in twin.reason
    assert old not in twin.reason
    assert len(world.sim.projects) == 4
    assert nothing_left()


def test_clear_refusals_fail_at_once_without_looking(world: CapellaWorld) -> None:
    world.sim.faults.add("POST /v2/projects", status=503, times=None)
    busy = world.stack.send("Create", PROJECT, "Project", {"Name": "busy"}, context_seconds=SHORT_CONTEXT)
    assert busy.status == "FAILED"
    assert "[ApiError 503]" in busy.reason
    assert busy.invocations == 1
    world.sim.faults.clear()

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    register_endpoint(
        "capella", "nowhere", f"http://127.0.0.1:{closed_port}", credentials_secret_arn=world.credentials_arn
    )
    props = {"Name": "nowhere", "Endpoint": "nowhere"}
    refused = world.stack.send("Create", PROJECT, "Project", props, context_seconds=SHORT_CONTEXT)
    assert refused.status == "FAILED"
    assert "connection refused" in refused.reason
    assert refused.invocations == 1
    assert world.sim.projects == {}
    assert nothing_left()


def test_a_look_up_that_fails_is_tried_again_at_the_next_poll(world: CapellaWorld) -> None:
    polls: list[str] = []

    def on_invoke(kind: str, event: Mapping[str, Any]) -> None:
        if kind == "poll":
            polls.append(kind)
            if len(polls) == 2:
                world.sim.faults.clear()

    world.stack.on_invoke = on_invoke
    world.sim.faults.add("POST /v2/projects", malformed=True)
    world.sim.faults.add("GET /v2/projects", status=500, times=None)
    created = world.stack.send("Create", PROJECT, "Project", {"Name": "x"}, context_seconds=SHORT_CONTEXT)
    assert created.status == "SUCCESS", created.reason
    assert len(polls) == 2
    assert list(world.sim.projects) == [created.physical_id]
    assert nothing_left()
