"""Custom::CapellaBucket (v4 only) through the real handler, against the simulator over HTTP."""

from __future__ import annotations

import base64

from simulators.stack import register_endpoint
from tests.evidence.killed import killed_create
from tests.resources import capella_v4_fixtures
from tests.resources.capella_fixtures import SHORT_CONTEXT, fails_without_adopting, nothing_left, slow_create
from tests.resources.capella_v4_fixtures import BUCKET, CLUSTER_PATH, V4World

v4world = capella_v4_fixtures.v4world

BUCKETS = CLUSTER_PATH + "/buckets"


def bucket_props(project_id: str, cluster_id: str, **overrides: str) -> dict[str, str]:
    props = {
        "ProjectId": project_id,
        "ClusterId": cluster_id,
        "Name": "orders",
        "Type": "couchbase",
        "StorageBackend": "couchstore",
        "MemoryAllocationInMb": "200",
        "DurabilityLevel": "none",
        "Replicas": "1",
        "TimeToLiveInSeconds": "0",
    }
    props.update(overrides)
    return props


def test_create_update_in_place_replace_and_delete(v4world: V4World) -> None:
    project_id, cluster_id = v4world.healthy_cluster()
    props = bucket_props(project_id, cluster_id)
    created = v4world.stack.send("Create", BUCKET, "Bucket", props)
    assert created.status == "SUCCESS", created.reason
    bucket_id = base64.b64encode(b"orders").decode()
    assert created.physical_id == f"{project_id}/{cluster_id}/{bucket_id}"
    assert created.data == {"BucketId": bucket_id}

    bigger = bucket_props(project_id, cluster_id, MemoryAllocationInMb="512", Replicas="2")
    updated = v4world.stack.send(
        "Update", BUCKET, "Bucket", bigger, physical_id=created.physical_id, old_properties=props
    )
    assert updated.status == "SUCCESS", updated.reason
    settings = v4world.store.buckets[cluster_id][bucket_id].settings
    assert settings["memoryAllocationInMb"] == 512
    assert settings["replicas"] == 2

    renamed = bucket_props(project_id, cluster_id, Name="orders2", MemoryAllocationInMb="512")
    replaced = v4world.stack.send(
        "Update", BUCKET, "Bucket", renamed, physical_id=created.physical_id, old_properties=bigger
    )
    assert replaced.status == "SUCCESS", replaced.reason
    assert replaced.physical_id.endswith(base64.b64encode(b"orders2").decode())

    for physical_id, old in ((created.physical_id, bigger), (replaced.physical_id, renamed)):
        deleted = v4world.stack.send("Delete", BUCKET, "Bucket", old, physical_id=physical_id)
        assert deleted.status == "SUCCESS", deleted.reason
    assert v4world.store.buckets[cluster_id] == {}
    assert nothing_left()


def test_the_same_name_in_two_clusters_gives_two_ids_and_delete_acts_on_its_own(v4world: V4World) -> None:
    project_id, first = v4world.healthy_cluster()
    _, second = v4world.healthy_cluster(project_id)
    one = v4world.stack.send("Create", BUCKET, "One", bucket_props(project_id, first))
    two = v4world.stack.send("Create", BUCKET, "Two", bucket_props(project_id, second))
    assert one.status == two.status == "SUCCESS"
    assert one.physical_id != two.physical_id
    lying = bucket_props(project_id, second)
    deleted = v4world.stack.send("Delete", BUCKET, "One", lying, physical_id=one.physical_id)
    assert deleted.status == "SUCCESS", deleted.reason
    assert v4world.store.buckets[first] == {}
    assert len(v4world.store.buckets[second]) == 1


def test_a_create_that_times_out_is_adopted(v4world: V4World) -> None:
    project_id, cluster_id = v4world.healthy_cluster()
    slow_create(v4world.stack, v4world.sim, f"POST {BUCKETS}")
    created = v4world.stack.send(
        "Create", BUCKET, "Bucket", bucket_props(project_id, cluster_id), context_seconds=SHORT_CONTEXT
    )
    assert created.status == "SUCCESS", created.reason
    assert created.invocations > 1
    assert created.physical_id.startswith(f"{project_id}/{cluster_id}/")
    assert v4world.calls(f"POST {BUCKETS}") == 1
    assert nothing_left()


def test_bad_input_and_a_v3_endpoint_are_refused_before_any_call(v4world: V4World) -> None:
    project_id, cluster_id = v4world.healthy_cluster()
    before = len(v4world.sim.calls)
    for needle, props in {
        "DurabilityLevel": bucket_props(project_id, cluster_id, DurabilityLevel="all"),
        "Colour: unknown property": bucket_props(project_id, cluster_id, Colour="red"),
        "ClusterId": bucket_props(project_id, "not-a-uuid"),
    }.items():
        failed = v4world.stack.send("Create", BUCKET, "Bucket", props)
        assert failed.status == "FAILED"
        assert needle in failed.reason
    register_endpoint("capella", "old", v4world.sim.url, credentials_secret_arn=v4world.token_arn)
    old = v4world.stack.send(
        "Create", BUCKET, "Bucket", {**bucket_props(project_id, cluster_id), "Endpoint": "old"}
    )
    assert old.status == "FAILED"
    assert "Endpoint 'old' speaks Capella API v3; Custom::CapellaBucket on it needs API v4" in old.reason
    assert v4world.sim.calls[before:] == []


def test_a_create_killed_during_its_call_adopts_the_bucket_it_made(v4world: V4World) -> None:
    """The process is killed right after the API made the bucket: the on-failure destination hands the
    in-flight create to the look-up, which finds a bucket that was not there before the call."""
    project_id, cluster_id = v4world.healthy_cluster()
    props = bucket_props(project_id, cluster_id)
    created = killed_create(
        v4world.stack, BUCKET, "Bucket", props, function="capella_provider", operation=f"POST {BUCKETS}"
    )
    assert created.status == "SUCCESS", created.reason
    assert created.physical_id == f"{project_id}/{cluster_id}/{base64.b64encode(b'orders').decode()}"
    assert v4world.calls(f"POST {BUCKETS}") == 1
    assert nothing_left()


def test_a_same_named_bucket_made_before_the_create_is_never_adopted(v4world: V4World) -> None:
    """Someone else's bucket of the name exists; the create's answer is lost: the look-up must not take
    that bucket for the one the call made (its rollback Delete would remove it)."""
    project_id, cluster_id = v4world.healthy_cluster()
    with v4world.client() as client:
        theirs = client.create_bucket(project_id, cluster_id, {"name": "orders", "type": "couchbase"})
    v4world.sim.faults.add(f"POST {BUCKETS}", drop=True)
    props = bucket_props(project_id, cluster_id)
    fails_without_adopting(v4world.stack, BUCKET, props, sought="bucket named 'orders'")
    assert list(v4world.store.buckets[cluster_id]) == [theirs]


def test_a_before_list_that_cannot_be_read_fails_before_the_create(v4world: V4World) -> None:
    project_id, cluster_id = v4world.healthy_cluster()
    v4world.sim.faults.add(f"GET {BUCKETS}", status=500, times=None)
    failed = v4world.stack.send("Create", BUCKET, "Bucket", bucket_props(project_id, cluster_id))
    assert failed.status == "FAILED"
    assert failed.physical_id.startswith("failed-create-Bucket-")
    assert "[BeforeListUnavailable]" in failed.reason
    assert "nothing was created" in failed.reason
    assert v4world.calls(f"POST {BUCKETS}") == 0
    assert nothing_left()
