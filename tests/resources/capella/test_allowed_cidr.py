"""Custom::CapellaAllowedCidr (v4 only) through the real handler, against the simulator over HTTP."""

from __future__ import annotations

from tests.resources import capella_v4_fixtures
from tests.resources.capella_fixtures import SHORT_CONTEXT, nothing_left, slow_create
from tests.resources.capella_v4_fixtures import CIDR, CLUSTER_PATH, V4World

v4world = capella_v4_fixtures.v4world

CIDRS = CLUSTER_PATH + "/allowedcidrs"


def cidr_props(project_id: str, cluster_id: str, **overrides: str) -> dict[str, str]:
    return {"ProjectId": project_id, "ClusterId": cluster_id, "Cidr": "203.0.113.0/24", **overrides}


def test_create_recreate_on_comment_replace_and_delete(v4world: V4World) -> None:
    project_id, cluster_id = v4world.healthy_cluster()
    props = cidr_props(project_id, cluster_id, Comment="office")
    created = v4world.stack.send("Create", CIDR, "Cidr", props)
    assert created.status == "SUCCESS", created.reason
    assert created.physical_id == f"{project_id}/{cluster_id}/203.0.113.0/24"
    first_id = created.data["AllowedCidrId"]
    assert list(v4world.store.cidrs[cluster_id]) == [first_id]

    later = cidr_props(project_id, cluster_id, Comment="office", ExpiresAt="2099-01-01T00:00:00Z")
    updated = v4world.stack.send(
        "Update", CIDR, "Cidr", later, physical_id=created.physical_id, old_properties=props
    )
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id == created.physical_id, "re-created inside the Update"
    [entry] = v4world.store.cidrs[cluster_id].values()
    assert entry.id == updated.data["AllowedCidrId"] != first_id
    assert entry.expires_at == "2099-01-01T00:00:00Z"

    moved = cidr_props(project_id, cluster_id, Cidr="198.51.100.0/24")
    replaced = v4world.stack.send(
        "Update", CIDR, "Cidr", moved, physical_id=created.physical_id, old_properties=later
    )
    assert replaced.status == "SUCCESS", replaced.reason
    assert replaced.physical_id.endswith("198.51.100.0/24")
    for physical_id, old in ((created.physical_id, later), (replaced.physical_id, moved)):
        deleted = v4world.stack.send("Delete", CIDR, "Cidr", old, physical_id=physical_id)
        assert deleted.status == "SUCCESS", deleted.reason
    assert v4world.store.cidrs[cluster_id] == {}
    assert nothing_left()


def test_a_create_that_times_out_is_adopted(v4world: V4World) -> None:
    project_id, cluster_id = v4world.healthy_cluster()
    slow_create(v4world.stack, v4world.sim, f"POST {CIDRS}")
    created = v4world.stack.send(
        "Create", CIDR, "Cidr", cidr_props(project_id, cluster_id), context_seconds=SHORT_CONTEXT
    )
    assert created.status == "SUCCESS", created.reason
    assert created.invocations > 1
    assert list(v4world.store.cidrs[cluster_id]) == [created.data["AllowedCidrId"]]
    assert nothing_left()


def test_a_recreate_that_times_out_inside_an_update_is_adopted(v4world: V4World) -> None:
    project_id, cluster_id = v4world.healthy_cluster()
    props = cidr_props(project_id, cluster_id, Comment="office")
    created = v4world.stack.send("Create", CIDR, "Cidr", props)
    assert created.status == "SUCCESS", created.reason
    renamed = cidr_props(project_id, cluster_id, Comment="head office")
    slow_create(v4world.stack, v4world.sim, f"POST {CIDRS}")
    updated = v4world.stack.send(
        "Update",
        CIDR,
        "Cidr",
        renamed,
        physical_id=created.physical_id,
        old_properties=props,
        context_seconds=SHORT_CONTEXT,
    )
    assert updated.status == "SUCCESS", updated.reason
    assert updated.invocations > 1, "found by a poll"
    assert updated.physical_id == created.physical_id
    [entry] = v4world.store.cidrs[cluster_id].values()
    assert (entry.id, entry.comment) == (updated.data["AllowedCidrId"], "head office")
    assert nothing_left()


def test_bad_input_is_refused_before_any_call(v4world: V4World) -> None:
    project_id, cluster_id = v4world.healthy_cluster()
    before = len(v4world.sim.calls)
    for needle, props in {
        "Cidr": cidr_props(project_id, cluster_id, Cidr="10.0.0.1/24"),
        "ExpiresAt": cidr_props(project_id, cluster_id, ExpiresAt="tomorrow"),
        "Label: unknown property": cidr_props(project_id, cluster_id, Label="x"),
    }.items():
        failed = v4world.stack.send("Create", CIDR, "Cidr", props)
        assert failed.status == "FAILED"
        assert needle in failed.reason
    assert v4world.sim.calls[before:] == []
