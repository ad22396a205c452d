"""Custom::CapellaCluster on an API v4 endpoint through the real handler, against the simulator over HTTP."""

from __future__ import annotations

import pytest

from tests.resources import capella_v4_fixtures
from tests.resources.capella_fixtures import SHORT_CONTEXT, logged, nothing_left, slow_create
from tests.resources.capella_v4_fixtures import (
    CLUSTER,
    CLUSTER_PATH,
    CLUSTERS,
    V4World,
    cluster_properties,
)

v4world = capella_v4_fixtures.v4world
logged = logged


def test_create_scale_in_place_replace_and_delete(v4world: V4World) -> None:
    project_id = v4world.project()
    props = cluster_properties(project_id)
    created = v4world.stack.send("Create", CLUSTER, "Cluster", props)
    assert created.status == "SUCCESS", created.reason
    cluster_id = created.physical_id
    assert created.invocations > 1, "the deploy is waited for across polls"
    assert created.data["ClusterId"] == cluster_id
    assert created.data["CurrentState"] == "healthy"
    assert created.data["ConnectionString"].startswith("couchbases://")

    bigger = cluster_properties(project_id, Support={"Plan": "enterprise", "Timezone": "PT"})
    bigger["ServiceGroups"] = [{**props["ServiceGroups"][0], "NumOfNodes": "5"}]
    scaled = v4world.stack.send(
        "Update", CLUSTER, "Cluster", bigger, physical_id=cluster_id, old_properties=props
    )
    assert scaled.status == "SUCCESS", scaled.reason
    assert scaled.physical_id == cluster_id
    stored = v4world.store.clusters[cluster_id]
    assert stored.service_groups[0]["numOfNodes"] == 5
    assert stored.support["plan"] == "enterprise"
    assert v4world.sim.v4.cluster_state(cluster_id) == "healthy", "the update waited for the scaling"

    moved = cluster_properties(project_id, CloudProvider={"Type": "aws", "Region": "eu-west-1"})
    replaced = v4world.stack.send(
        "Update", CLUSTER, "Cluster", moved, physical_id=cluster_id, old_properties=bigger
    )
    assert replaced.status == "SUCCESS", replaced.reason
    assert replaced.physical_id != cluster_id, "CloudProvider replaces"

    for physical_id, old in ((cluster_id, bigger), (replaced.physical_id, moved)):
        deleted = v4world.stack.send("Delete", CLUSTER, "Cluster", old, physical_id=physical_id)
        assert deleted.status == "SUCCESS", deleted.reason
        assert v4world.sim.v4.cluster_state(physical_id) is None, "Delete waited for the 404"
    assert nothing_left()


def test_degraded_ends_the_wait_with_success_and_a_warning(v4world: V4World, logged) -> None:
    v4world.sim.v4.next_deploy_ends("degraded")
    created = v4world.stack.send("Create", CLUSTER, "Cluster", cluster_properties(v4world.project()))
    assert created.status == "SUCCESS", created.reason
    assert created.data["CurrentState"] == "degraded"
    assert "degraded" in logged()
    assert created.physical_id in v4world.store.clusters


@pytest.mark.parametrize("state", ["deploymentFailed", "rebalanceFailed"])
def test_a_failed_state_fails_with_the_cluster_id_for_the_rollback(v4world: V4World, state: str) -> None:
    v4world.sim.v4.next_deploy_ends(state)
    props = cluster_properties(v4world.project())
    failed = v4world.stack.send("Create", CLUSTER, "Cluster", props)
    assert failed.status == "FAILED"
    cluster_id = failed.physical_id
    assert cluster_id in v4world.store.clusters
    assert state in failed.reason
    assert cluster_id in failed.reason

    rollback = v4world.stack.send("Delete", CLUSTER, "Cluster", props, physical_id=cluster_id)
    assert rollback.status == "SUCCESS", rollback.reason
    assert v4world.sim.v4.cluster_state(cluster_id) is None
    assert nothing_left()


def test_a_concurrent_change_during_an_update_is_applied_again(v4world: V4World) -> None:
    project_id, cluster_id = v4world.healthy_cluster()
    props = cluster_properties(project_id)
    v4world.stack.own(CLUSTER, "Cluster", cluster_id, props)
    v4world.sim.faults.add(f"PUT {CLUSTER_PATH}", status=412)
    renamed = cluster_properties(project_id, Name="renamed")
    updated = v4world.stack.send(
        "Update", CLUSTER, "Cluster", renamed, physical_id=cluster_id, old_properties=props
    )
    assert updated.status == "SUCCESS", updated.reason
    assert v4world.store.clusters[cluster_id].name == "renamed"
    assert v4world.calls(f"PUT {CLUSTER_PATH}") == 2


def test_a_create_that_times_out_is_adopted_and_followed(v4world: V4World) -> None:
    slow_create(v4world.stack, v4world.sim, f"POST {CLUSTERS}")
    created = v4world.stack.send(
        "Create", CLUSTER, "Cluster", cluster_properties(v4world.project()), context_seconds=SHORT_CONTEXT
    )
    assert created.status == "SUCCESS", created.reason
    assert list(v4world.store.clusters) == [created.physical_id]
    assert created.data["CurrentState"] == "healthy"
    assert v4world.calls(f"POST {CLUSTERS}") == 1
    assert nothing_left()


def test_429_and_5xx_while_waiting_are_tried_again(v4world: V4World) -> None:
    v4world.sim.faults.add(f"GET {CLUSTER_PATH}", status=429, headers={"Retry-After": "0"}, times=2)
    v4world.sim.faults.add(f"GET {CLUSTER_PATH}", status=503, times=8)
    created = v4world.stack.send("Create", CLUSTER, "Cluster", cluster_properties(v4world.project()))
    assert created.status == "SUCCESS", created.reason
    assert len(v4world.store.clusters) == 1


def test_bad_input_is_refused_before_any_call(v4world: V4World) -> None:
    project_id = v4world.project()
    cases = {
        "Support.Plan": cluster_properties(project_id, Support={"Plan": "DeveloperPro"}),
        "Availability.Type": cluster_properties(project_id, Availability={"Type": "triple"}),
        "one group must run the data service": cluster_properties(
            project_id,
            ServiceGroups=[
                {
                    "Node": {"Compute": {"Cpu": "4", "Ram": "16"}, "Disk": {"Type": "gp3"}},
                    "NumOfNodes": "3",
                    "Services": ["query"],
                }
            ],
        ),
        "ApiUrl": cluster_properties(project_id, ApiUrl="https://elsewhere.example"),
    }
    before = len(v4world.sim.calls)
    for needle, props in cases.items():
        failed = v4world.stack.send("Create", CLUSTER, "Cluster", props)
        assert failed.status == "FAILED"
        assert needle in failed.reason
    assert [c for c in v4world.sim.calls[before:] if c.key.startswith("POST")] == []
