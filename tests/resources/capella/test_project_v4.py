"""Custom::CapellaProject on an API v4 endpoint through the real handler, against the simulator over HTTP;
and the version dispatch of the type names v3 and v4 share.
"""

from __future__ import annotations

from tests.resources import capella_v4_fixtures
from tests.resources.capella_fixtures import SHORT_CONTEXT, nothing_left, slow_create
from tests.resources.capella_v4_fixtures import (
    CLUSTER,
    PASSWORD,
    PROJECT,
    PROJECTS,
    V4World,
    cluster_properties,
)

v4world = capella_v4_fixtures.v4world

POST = f"POST {PROJECTS}"


def test_create_update_in_place_and_delete(v4world: V4World) -> None:
    props = {"Name": "analytics", "Description": "first"}
    created = v4world.stack.send("Create", PROJECT, "Project", props)
    assert created.status == "SUCCESS", created.reason
    project_id = created.physical_id
    assert created.data == {"ProjectId": project_id}
    assert v4world.store.projects[project_id].description == "first"

    new = {"Name": "analytics-2", "Description": "second"}
    updated = v4world.stack.send(
        "Update", PROJECT, "Project", new, physical_id=project_id, old_properties=props
    )
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id == project_id, "v4 renames a project in place"
    assert v4world.store.projects[project_id].name == "analytics-2"

    deleted = v4world.stack.send("Delete", PROJECT, "Project", new, physical_id=project_id)
    assert deleted.status == "SUCCESS", deleted.reason
    assert v4world.store.projects == {}
    assert nothing_left()


def test_a_concurrent_change_is_applied_again_on_the_new_version(v4world: V4World) -> None:
    props = {"Name": "shared"}
    created = v4world.stack.send("Create", PROJECT, "Project", props)
    project_id = created.physical_id
    v4world.sim.faults.add(f"PUT {PROJECTS}/{{projectId}}", status=412)
    updated = v4world.stack.send(
        "Update", PROJECT, "Project", {"Name": "renamed"}, physical_id=project_id, old_properties=props
    )
    assert updated.status == "SUCCESS", updated.reason
    assert v4world.store.projects[project_id].name == "renamed"

    v4world.sim.faults.add(f"PUT {PROJECTS}/{{projectId}}", status=412, times=2)
    lost = v4world.stack.send(
        "Update", PROJECT, "Project", {"Name": "again"}, physical_id=project_id, old_properties=props
    )
    assert lost.status == "FAILED"
    assert "[ConcurrentChangeError]" in lost.reason
    assert project_id in lost.reason
    assert v4world.store.projects[project_id].name == "renamed"


def test_a_project_with_clusters_is_not_deleted(v4world: V4World) -> None:
    project_id, _ = v4world.healthy_cluster()
    v4world.stack.own(PROJECT, "Project", project_id, {"Name": "x"})
    deleted = v4world.stack.send("Delete", PROJECT, "Project", {"Name": "x"}, physical_id=project_id)
    assert deleted.status == "FAILED"
    assert "[ProjectNotEmpty]" in deleted.reason
    assert project_id in deleted.reason
    assert project_id in v4world.store.projects


def test_a_create_that_times_out_is_adopted_at_the_next_poll(v4world: V4World) -> None:
    slow_create(v4world.stack, v4world.sim, POST)
    created = v4world.stack.send(
        "Create", PROJECT, "Project", {"Name": "late"}, context_seconds=SHORT_CONTEXT
    )
    assert created.status == "SUCCESS", created.reason
    assert created.invocations > 1, "found by a poll"
    assert list(v4world.store.projects) == [created.physical_id]
    assert v4world.calls(POST) == 1
    assert nothing_left()


def test_a_create_dropped_before_it_took_effect_fails_with_the_placeholder(v4world: V4World) -> None:
    v4world.sim.faults.add(POST, drop=True)
    failed = v4world.stack.send("Create", PROJECT, "Project", {"Name": "lost"})
    assert failed.status == "FAILED"
    assert failed.physical_id.startswith("failed-create-Project-")
    assert "[CreateNotCarriedOut]" in failed.reason
    assert v4world.store.projects == {}
    assert nothing_left()


def test_429_is_waited_out(v4world: V4World) -> None:
    v4world.sim.faults.add(POST, status=429, headers={"Retry-After": "1"})
    created = v4world.stack.send("Create", PROJECT, "Project", {"Name": "paced"})
    assert created.status == "SUCCESS", created.reason
    assert v4world.calls(POST) == 2
    assert list(v4world.store.projects) == [created.physical_id]


def test_properties_of_the_other_version_fail_naming_it(v4world: V4World) -> None:
    project_id = v4world.project()
    v3_cluster = {
        "ProjectId": project_id,
        "Name": "orders",
        "Provider": "aws",
        "Region": "us-east-1",
        "Cidr": "10.0.16.0/20",
        "SingleAZ": "false",
        "Servers": [],
        "SupportPackage": {"Type": "Basic", "Timezone": "GMT"},
    }
    failed = v4world.stack.send("Create", CLUSTER, "Cluster", v3_cluster)
    assert failed.status == "FAILED"
    assert "[ValidationFailed] Endpoint 'default' speaks Capella API v4;" in failed.reason
    assert "Servers" in failed.reason
    assert "v3 properties of Custom::CapellaCluster" in failed.reason
    assert "CloudProvider" in failed.reason, "the v4 properties are listed"

    typo = v4world.stack.send("Create", CLUSTER, "Cluster", cluster_properties(project_id, Nmae="x"))
    assert typo.status == "FAILED"
    assert "[ValidationFailed]" in typo.reason
    assert "Nmae: unknown property" in typo.reason
    assert v4world.store.clusters == {}


def test_a_v3_only_type_on_a_v4_endpoint_points_at_its_successor(v4world: V4World) -> None:
    _, cluster_id = v4world.healthy_cluster()
    props = {"ClusterId": cluster_id, "UserName": "app", "PasswordSecretArn": v4world.secret(PASSWORD)}
    props["AllBucketsAccess"] = "data_reader"
    failed = v4world.stack.send("Create", "Custom::CapellaDatabaseUser", "User", props)
    assert failed.status == "FAILED"
    assert "Endpoint 'default' speaks Capella API v4" in failed.reason
    assert "Custom::CapellaDatabaseCredential" in failed.reason
    assert nothing_left()
