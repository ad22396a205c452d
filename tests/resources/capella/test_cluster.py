"""Custom::CapellaCluster through the real handler, against the Capella simulator over HTTP.

Deploys take 0.6 s in the simulator, so a Create is answered after several polls (LocalStack plays the
poll rule at once instead of every minute).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from cbprovider.resources.capella.cluster_spec import create_body
from cbprovider.runtime import Provider, Timing
from cbprovider.runtime.properties import parse_properties

from simulators.cloudformation import ResponseReceiver
from simulators.stack import LocalStack, local_aws
from tests.resources import capella_fixtures
from tests.resources.capella_fixtures import (
    CLUSTER,
    PROJECT,
    SHORT_CONTEXT,
    SLOW,
    USER,
    CapellaWorld,
    LossyCapellaSimulator,
    cluster_properties,
    load_handler,
    make_world,
    nothing_left,
    slow_create,
)

world = capella_fixtures.world
logged = capella_fixtures.logged


def _created(world: CapellaWorld, props: dict[str, Any], logical_id: str = "Cluster") -> str:
    outcome = world.stack.send("Create", CLUSTER, logical_id, props)
    assert outcome.status == "SUCCESS", outcome.reason
    return outcome.physical_id


def _wait_until_settled(world: CapellaWorld, cluster_id: str) -> None:
    deadline = time.monotonic() + 10
    while world.sim.cluster_status(cluster_id) in ("deploying", "scaling") and time.monotonic() < deadline:
        time.sleep(0.05)


def test_create_polls_until_healthy_then_updates_in_place_and_deletes(world: CapellaWorld) -> None:
    props = cluster_properties(world.project())
    created = world.stack.send("Create", CLUSTER, "Cluster", props)
    assert created.status == "SUCCESS", created.reason
    assert created.invocations > 2, "the deploy outlasts the first invocation"
    cluster_id = created.physical_id
    cluster = world.cluster(cluster_id)
    assert (cluster.name, cluster.description, cluster.cidr, cluster.single_az) == (
        "orders",
        "orders cache",
        "10.0.16.0/20",
        False,
    )
    assert cluster.servers[0]["storage"] == {"type": "GP3", "size": 50, "IOPS": 3000}
    assert created.data["ClusterId"] == cluster_id
    assert created.data["Status"] == "healthy"
    assert created.data["EndpointsSrv"] == cluster.endpoints_srv
    assert nothing_left()

    new = {
        **props,
        "Name": "orders-v2",
        "Description": "",
        "SupportPackage": {"Type": "Enterprise", "Timezone": "PT"},
    }
    updated = world.stack.send(
        "Update", CLUSTER, "Cluster", new, physical_id=cluster_id, old_properties=props
    )
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id == cluster_id
    assert (cluster.name, cluster.description, cluster.support_type, cluster.support_timezone) == (
        "orders-v2",
        "",
        "Enterprise",
        "PT",
    )
    assert not any(c.key == "PUT /v3/clusters/{id}/servers" for c in world.sim.calls), "servers unchanged"

    deleted = world.stack.send("Delete", CLUSTER, "Cluster", new, physical_id=cluster_id)
    assert deleted.status == "SUCCESS", deleted.reason
    assert deleted.invocations > 1, "the destroy is polled until the cluster answers 404"
    assert world.sim.clusters == {}
    assert nothing_left()


def test_servers_scale_in_place(world: CapellaWorld) -> None:
    props = cluster_properties(world.project())
    cluster_id = _created(world, props)
    bigger = [
        {**props["Servers"][0], "Size": "5"},
        {
            "Size": "2",
            "Compute": "c5.xlarge",
            "Services": ["search"],
            "Storage": {"Type": "IO2", "Size": "100", "Iops": "1000"},
        },
    ]
    scaled = world.stack.send(
        "Update",
        CLUSTER,
        "Cluster",
        {**props, "Servers": bigger},
        physical_id=cluster_id,
        old_properties=props,
    )
    assert scaled.status == "SUCCESS", scaled.reason
    assert scaled.physical_id == cluster_id
    assert scaled.invocations > 1
    assert [g["size"] for g in world.cluster(cluster_id).servers] == [5, 2]
    assert world.sim.cluster_status(cluster_id) == "healthy"
    assert nothing_left()


def test_status_reads_that_fail_are_tried_again_at_the_next_poll(world: CapellaWorld) -> None:
    """A 500 that outlasts the client's retries (a short invocation) does not fail the deploy."""
    world.sim.faults.fail_times("GET /v3/clusters/{id}/status", 4, status=500)
    created = world.stack.send(
        "Create", CLUSTER, "Cluster", cluster_properties(world.project()), context_seconds=9.0
    )
    assert created.status == "SUCCESS", created.reason
    failures = [c for c in world.sim.calls if c.key == "GET /v3/clusters/{id}/status" and c.status == 500]
    assert len(failures) == 4
    assert nothing_left()


def test_an_update_waits_for_a_busy_cluster(world: CapellaWorld) -> None:
    """The cluster is still deploying (made by an earlier request): v3 refuses updates until it settles."""
    props = cluster_properties(world.project())
    cluster_id = world.client().create_cluster(create_body_of(props))
    world.stack.own(CLUSTER, "Cluster", cluster_id, props)
    renamed = {**props, "Name": "renamed"}
    updated = world.stack.send(
        "Update", CLUSTER, "Cluster", renamed, physical_id=cluster_id, old_properties=props
    )
    assert updated.status == "SUCCESS", updated.reason
    assert world.sim.clusters[cluster_id].name == "renamed"


def test_replacement_properties_make_a_new_cluster(world: CapellaWorld) -> None:
    props = cluster_properties(world.project())
    old_id = _created(world, props)
    moved = {**props, "Region": "eu-west-1"}
    replaced = world.stack.send("Update", CLUSTER, "Cluster", moved, physical_id=old_id, old_properties=props)
    assert replaced.status == "SUCCESS", replaced.reason
    assert replaced.physical_id != old_id
    assert world.cluster(replaced.physical_id).region == "eu-west-1"
    assert old_id in world.sim.clusters, "CloudFormation deletes the old one afterwards"


def test_spelling_a_default_or_changing_case_does_not_replace(world: CapellaWorld) -> None:
    props = cluster_properties(world.project())
    cluster_id = _created(world, props)
    respelled = {
        **props,
        "Environment": "hosted",
        "SingleAZ": "False",
        "ProjectId": props["ProjectId"].upper(),
    }
    outcome = world.stack.send(
        "Update", CLUSTER, "Cluster", respelled, physical_id=cluster_id, old_properties=props
    )
    assert outcome.status == "SUCCESS", outcome.reason
    assert outcome.physical_id == cluster_id
    assert len(world.sim.clusters) == 1


def test_a_failed_deploy_reports_the_cluster_and_the_rollback_delete_removes_it(world: CapellaWorld) -> None:
    world.sim.fail_next_deploy()
    failed = world.stack.send("Create", CLUSTER, "Cluster", cluster_properties(world.project()))
    assert failed.status == "FAILED"
    cluster_id = failed.physical_id
    assert cluster_id in world.sim.clusters
    assert "deploymentFailed" in failed.reason
    assert cluster_id in failed.reason
    assert nothing_left()

    rollback = world.stack.send(
        "Delete", CLUSTER, "Cluster", cluster_properties(world.project()), physical_id=cluster_id
    )
    assert rollback.status == "SUCCESS", rollback.reason
    assert world.sim.clusters == {}
    assert nothing_left()


@pytest.fixture
def slow_world(monkeypatch: pytest.MonkeyPatch, cfn_receiver: ResponseReceiver) -> Iterator[CapellaWorld]:
    """Deploys of 2.5 s, and a runtime whose polling ends 59 s before the ServiceTimeout."""
    sim = LossyCapellaSimulator(deploy_seconds=2.5, destroy_seconds=0.3)
    with local_aws() as aws, sim:
        world = make_world(monkeypatch, cfn_receiver, aws, sim)
        real = load_handler()
        fast = Provider(
            {name: real.resource(name) for name in (PROJECT, CLUSTER, USER)},
            timing=Timing(service_margin=59.0, response_base_delay=0.01),
        )
        world.stack = LocalStack(fast, cfn_receiver)
        yield world


def test_the_service_timeout_ends_a_deploy_and_a_delete_cleanly(slow_world: CapellaWorld) -> None:
    world = slow_world
    props = cluster_properties(world.project(), ServiceTimeout="60")
    timed_out = world.stack.send("Create", CLUSTER, "Cluster", props)
    assert timed_out.status == "FAILED"
    assert "[ServiceTimeout]" in timed_out.reason
    cluster_id = timed_out.physical_id
    assert cluster_id in world.sim.clusters, "FAILED names the cluster so that the rollback removes it"
    assert nothing_left()

    # The rollback Delete meets a cluster still deploying, and its own time runs out too: a clear FAILED.
    stuck = world.stack.send("Delete", CLUSTER, "Cluster", props, physical_id=cluster_id)
    assert stuck.status == "FAILED"
    assert "[ServiceTimeout]" in stuck.reason
    assert stuck.physical_id == cluster_id
    assert nothing_left()

    _wait_until_settled(world, cluster_id)
    retried = world.stack.send("Delete", CLUSTER, "Cluster", props, physical_id=cluster_id)
    assert retried.status == "SUCCESS", retried.reason
    assert world.sim.clusters == {}
    assert nothing_left()


def test_duplicate_delivery_creates_one_cluster(world: CapellaWorld) -> None:
    event = world.stack.event("Create", CLUSTER, "Cluster", cluster_properties(world.project()))
    first = world.stack.run(event)
    again = world.stack.run(event)
    assert first.status == "SUCCESS", first.reason
    assert len(again.responses) == 1, "the duplicate sends nothing more"
    assert len(world.sim.clusters) == 1
    assert sum(c.key == "POST /v3/clusters" for c in world.sim.calls) == 1


def test_a_create_whose_answer_was_lost_is_adopted(world: CapellaWorld) -> None:
    world.sim.lose_next_create = True
    created = world.stack.send("Create", CLUSTER, "Cluster", cluster_properties(world.project()))
    assert created.status == "SUCCESS", created.reason
    assert list(world.sim.clusters) == [created.physical_id]


def test_a_recent_same_named_cluster_in_the_same_place_is_adopted_and_others_refused(
    world: CapellaWorld,
) -> None:
    project_id = world.project()
    props = cluster_properties(project_id)
    earlier = world.client().create_cluster(create_body_of(props))
    adopted = world.stack.send("Create", CLUSTER, "Cluster", props)
    assert adopted.status == "SUCCESS", adopted.reason
    assert adopted.physical_id == earlier
    assert len(world.sim.clusters) == 1

    elsewhere = world.stack.send("Create", CLUSTER, "Elsewhere", {**props, "Cidr": "10.0.32.0/20"})
    assert elsewhere.status == "FAILED"
    assert "[ClusterNameTaken] Name:" in elsewhere.reason

    world.sim.clusters[earlier].created_at = "2020-01-01T00:00:00.000Z"
    refused = world.stack.send("Create", CLUSTER, "Other", props)
    assert refused.status == "FAILED"
    assert "[ClusterNameTaken] Name:" in refused.reason
    assert earlier in refused.reason
    assert len(world.sim.clusters) == 1


def test_local_validation_names_the_property_and_calls_nothing(world: CapellaWorld) -> None:
    project_id = world.project()
    group: dict[str, Any] = cluster_properties(project_id)["Servers"][0]
    cases: dict[str, dict[str, Any]] = {
        "Servers[0].Storage.Iops": {
            "Servers": [{**group, "Storage": {"Type": "GP3", "Size": "50", "Iops": "99"}}]
        },
        "Servers[0].Storage.Type": {"Servers": [{**group, "Storage": {"Type": "SSD", "Size": "50"}}]},
        "Servers[0].Size": {"Servers": [{**group, "Size": "2"}]},
        "Servers: at most 27": {"Servers": [{**group, "Size": "20"}, {**group, "Size": "8"}]},
        "SingleAZ": {"SupportPackage": {"Type": "Basic", "Timezone": "ET"}},
        "Cidr": {"Cidr": "10.0.0.300/20"},
        "ProjectId": {"ProjectId": "not-a-uuid"},
        "Servers[0].Services[0]": {"Servers": [{**group, "Services": ["kv"]}]},
        "Servers[0].Colour: unknown property": {"Servers": [{**group, "Colour": "blue"}]},
    }
    world.sim.calls.clear()
    for path, change in cases.items():
        outcome = world.stack.send("Create", CLUSTER, "Cluster", cluster_properties(project_id, **change))
        assert outcome.status == "FAILED", path
        assert path in outcome.reason, (path, outcome.reason)
    assert world.sim.calls == []


def test_an_api_refusal_is_readable(world: CapellaWorld) -> None:
    """A CIDR the reference leaves open (prefix size) is the API's to refuse: its 422 reaches the stack."""
    failed = world.stack.send(
        "Create", CLUSTER, "Cluster", cluster_properties(world.project(), Cidr="10.0.0.0/26")
    )
    assert failed.status == "FAILED"
    assert "[ApiError 422]" in failed.reason
    assert "ValidationError: place.hosted.CIDR:" in failed.reason
    assert failed.physical_id.startswith("failed-create-Cluster-")


def test_deletes_that_have_nothing_to_do(world: CapellaWorld) -> None:
    props = cluster_properties(world.project())
    for physical_id in ("failed-create-Cluster-0123abcd", "made-up"):
        outcome = world.stack.send("Delete", CLUSTER, "Cluster", props, physical_id=physical_id)
        assert outcome.status == "SUCCESS"
    assert world.sim.calls == []
    gone = world.stack.send(
        "Delete", CLUSTER, "Cluster", props, physical_id="0b5b5d2c-0000-4000-8000-000000000001"
    )
    assert gone.status == "SUCCESS", gone.reason


def test_the_secret_key_never_reaches_logs_or_responses(world: CapellaWorld, logged) -> None:
    props = cluster_properties(world.project())
    cluster_id = _created(world, props)
    world.stack.send("Delete", CLUSTER, "Cluster", props, physical_id=cluster_id)
    text = logged()
    assert "Poll received" in text, "the provider's log was captured"
    assert cluster_id in text
    assert world.sim.secret_key not in text
    assert world.sim.secret_key not in world.everything_sent()


def create_body_of(props: dict[str, Any]) -> dict[str, Any]:
    """The API body the resource would send for these (CloudFormation-style) properties."""
    from cbprovider.resources.capella.cluster_spec import CapellaClusterProperties

    return create_body(parse_properties(CapellaClusterProperties, props))


def _posts(world: CapellaWorld) -> int:
    return sum(c.key == "POST /v3/clusters" for c in world.sim.calls)


def test_a_create_that_times_out_is_found_at_a_poll_adopted_and_deployed(world: CapellaWorld) -> None:
    slow_create(world.stack, world.sim, "POST /v3/clusters")
    props = cluster_properties(world.project())
    created = world.stack.send("Create", CLUSTER, "Cluster", props, context_seconds=SHORT_CONTEXT)
    assert created.status == "SUCCESS", created.reason
    assert list(world.sim.clusters) == [created.physical_id]
    assert created.data["Status"] == "healthy"
    assert _posts(world) == 1
    assert nothing_left()


def test_a_create_that_did_not_take_effect_fails_with_the_placeholder(world: CapellaWorld) -> None:
    world.sim.faults.add("POST /v3/clusters", drop=True)
    props = cluster_properties(world.project())
    failed = world.stack.send("Create", CLUSTER, "Cluster", props)
    assert failed.status == "FAILED"
    assert failed.physical_id.startswith("failed-create-Cluster-")
    assert "[CreateNotCarriedOut]" in failed.reason
    assert "no cluster named 'orders' appeared" in failed.reason
    assert world.sim.clusters == {}
    assert _posts(world) == 1
    assert nothing_left()

    calls = len(world.sim.calls)
    rollback = world.stack.send("Delete", CLUSTER, "Cluster", props, physical_id=failed.physical_id)
    assert rollback.status == "SUCCESS"
    assert len(world.sim.calls) == calls


def test_an_adopted_cluster_whose_deploy_fails_is_reported_under_its_id(world: CapellaWorld) -> None:
    """The look-ups fail until the deploy has failed, so the poll that adopts the cluster could already
    see the failure: it is reported by a later poll, under the cluster's id rather than the placeholder.
    """

    def until_failed(kind: str, event: Mapping[str, Any]) -> None:
        if kind != "poll":
            return
        world.sim.faults.clear()
        if all(world.sim.cluster_status(c) != "deploymentFailed" for c in world.sim.clusters):
            world.sim.faults.add("GET /v3/clusters", status=500, times=None)

    world.sim.fail_next_deploy()
    world.sim.faults.add("POST /v3/clusters", delay=SLOW)
    world.stack.on_invoke = until_failed
    props = cluster_properties(world.project())
    failed = world.stack.send("Create", CLUSTER, "Cluster", props, context_seconds=SHORT_CONTEXT)
    assert failed.status == "FAILED"
    assert list(world.sim.clusters) == [failed.physical_id], "the rollback Delete can remove it"
    assert "deploymentFailed" in failed.reason
    assert nothing_left()

    rollback = world.stack.send("Delete", CLUSTER, "Cluster", props, physical_id=failed.physical_id)
    assert rollback.status == "SUCCESS", rollback.reason
    assert world.sim.clusters == {}


def test_a_replacement_that_times_out_never_adopts_the_cluster_it_replaces(world: CapellaWorld) -> None:
    """Only SingleAZ changes: the old cluster has the same name and place, and must not be taken."""
    props = cluster_properties(world.project())
    old_id = _created(world, props)
    single = {**props, "SingleAZ": "true"}
    slow_create(world.stack, world.sim, "POST /v3/clusters")
    replaced = world.stack.send(
        "Update",
        CLUSTER,
        "Cluster",
        single,
        physical_id=old_id,
        old_properties=props,
        context_seconds=SHORT_CONTEXT,
    )
    assert replaced.status == "SUCCESS", replaced.reason
    assert replaced.physical_id != old_id
    assert set(world.sim.clusters) == {old_id, replaced.physical_id}
    assert nothing_left()
