"""Custom::CapellaProject through the real handler, against the Capella simulator over HTTP."""

from __future__ import annotations

import json

from tests.resources import capella_fixtures
from tests.resources.capella_fixtures import PROJECT, CapellaWorld, nothing_left

world = capella_fixtures.world


def test_create_update_in_place_and_delete(world: CapellaWorld) -> None:
    created = world.stack.send("Create", PROJECT, "Project", {"Name": "analytics"})
    assert created.status == "SUCCESS", created.reason
    project_id = created.physical_id
    assert world.sim.projects[project_id].name == "analytics"
    assert created.data == {"ProjectId": project_id}

    props = {"Name": "analytics", "ApiUrl": world.sim.url}
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


def test_credentials_are_required_and_checked(world: CapellaWorld, monkeypatch) -> None:
    monkeypatch.delenv("CAPELLA_CREDENTIALS_SECRET_ARN")
    missing = world.stack.send("Create", PROJECT, "Project", {"Name": "a"})
    assert missing.status == "FAILED"
    assert "CredentialsSecretArn" in missing.reason

    wrong_shape = world.secret(json.dumps({"AccessKeyId": "x"}))
    bad = world.stack.send("Create", PROJECT, "Project", {"Name": "a", "CredentialsSecretArn": wrong_shape})
    assert "CredentialsSecretArn" in bad.reason
    assert "AccessKey" in bad.reason

    good = world.stack.send(
        "Create", PROJECT, "Project", {"Name": "a", "CredentialsSecretArn": world.credentials_arn}
    )
    assert good.status == "SUCCESS", good.reason
    assert world.sim.secret_key not in json.dumps([r.body for r in world.stack.receiver.responses])
