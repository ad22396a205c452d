"""The v4 client against the simulator's v4 API over real HTTP: auth, every operation, errors, paging."""

from __future__ import annotations

import msgspec
import pytest
from cbprovider.capella.v4 import (
    Access,
    AllowedCidrSpec,
    BucketSpec,
    BucketUpdate,
    ClusterUpdate,
    CredentialSpec,
    CredentialUpdate,
    ResourceBucket,
    ResourceScope,
)
from cbprovider.capella.v4.client import CLUSTERS, PROJECTS
from cbprovider.deadline import Deadline
from cbprovider.errors import ApiError

from tests.capella.v4_support import cluster_spec as _spec
from tests.capella.v4_support import group, healthy_cluster, v4_client


def test_no_token_is_refused_with_a_readable_error(v4_sim):
    with v4_client(v4_sim, anonymous=True) as client, pytest.raises(ApiError) as caught:
        client.get_organization()
    assert caught.value.status == 401
    assert "Authorization: Bearer" in caught.value.message
    assert caught.value.code == 4010
    assert caught.value.hint


def test_a_wrong_token_is_refused_and_never_shown(v4_sim):
    with v4_client(v4_sim, token="not-the-token") as client, pytest.raises(ApiError) as caught:
        client.list_projects()
    assert caught.value.status == 401
    assert "not-the-token" not in str(caught.value)
    assert "not-the-token" not in repr(client)


def test_a_token_of_another_organization_gets_403(v4_sim):
    v4_sim.v4.add_token("other-org-token")
    with v4_client(v4_sim, token="other-org-token") as client, pytest.raises(ApiError) as caught:
        client.get_organization()
    assert caught.value.status == 403


def test_the_request_carries_a_bearer_token_and_no_v3_signature(v4_sim, v4):
    response = v4.request("GET", v4.route("/v4/organizations/{organizationId}")[1])
    sent = response.request.headers
    assert sent["Authorization"] == f"Bearer {v4_sim.v4.token}"
    assert "Couchbase-Timestamp" not in sent


def test_organization(v4_sim, v4):
    org = v4.get_organization()
    assert org.id == v4_sim.v4.organization_id
    assert org.name == "sim-organization"


def test_projects_lifecycle(v4_sim, v4):
    project_id = v4.create_project("analytics", "numbers")
    project = v4.get_project(project_id)
    assert (project.name, project.description, project.etag) == ("analytics", "numbers", "Version: 1")
    assert [p.id for p in v4.list_projects()] == [project_id]
    v4.update_project(project_id, "analytics-2", "more numbers")
    again = v4.get_project(project_id)
    assert (again.name, again.etag, again.audit.version) == ("analytics-2", "Version: 2", 2)
    assert v4.delete_project(project_id) is True
    assert v4.delete_project(project_id) is False
    with pytest.raises(ApiError) as caught:
        v4.get_project(project_id)
    assert caught.value.status == 404
    assert caught.value.operation == "GET /v4/organizations/{organizationId}/projects/{projectId}"


def test_a_project_with_clusters_cannot_be_deleted(v4_sim, v4, v4_project):
    v4_sim.v4.add_clusters(v4_project, 1)
    with pytest.raises(ApiError) as caught:
        v4.delete_project(v4_project)
    assert caught.value.status == 409


def test_cluster_create_is_202_with_the_id_and_waits_through_draft_and_deploying(v4_sim, v4, v4_project):
    cluster_id = v4.create_cluster(v4_project, healthy_spec := _spec())
    assert v4_sim.v4.cluster_state(cluster_id) == "draft"
    early = v4.get_cluster(v4_project, cluster_id)
    assert early.current_state in ("draft", "deploying")
    assert early.connection_string == ""
    assert (
        v4.wait_for_cluster(v4_project, cluster_id, deadline=Deadline.after(10), interval=0.05) == "healthy"
    )
    cluster = v4.get_cluster(v4_project, cluster_id)
    assert cluster.name == healthy_spec.name
    assert cluster.connection_string.startswith("couchbases://")
    assert cluster.support.plan == "developer pro"
    assert cluster.service_groups[0].num_of_nodes == 3
    assert cluster.etag == "Version: 1"
    assert [c.id for c in v4.list_clusters(v4_project)] == [cluster_id]


def test_cluster_update_sends_the_whole_body_and_scaling_settles(v4_sim, v4, v4_project):
    cluster_id = healthy_cluster(v4, v4_project)
    current = v4.get_cluster(v4_project, cluster_id)
    update = msgspec.structs.replace(
        ClusterUpdate.of(current), description="bigger", service_groups=[group(nodes=5)]
    )
    v4.update_cluster(v4_project, cluster_id, update)
    assert v4.get_cluster_state(v4_project, cluster_id) == "scaling"
    assert (
        v4.wait_for_cluster(v4_project, cluster_id, deadline=Deadline.after(10), interval=0.05) == "healthy"
    )
    after = v4.get_cluster(v4_project, cluster_id)
    assert (after.description, after.service_groups[0].num_of_nodes, after.etag) == (
        "bigger",
        5,
        "Version: 2",
    )


def test_a_partial_cluster_update_is_refused_naming_what_is_missing(v4, v4_project):
    cluster_id = healthy_cluster(v4, v4_project)
    with pytest.raises(ApiError) as caught:
        v4.update_cluster(v4_project, cluster_id, {"name": "x", "description": "y"})
    assert caught.value.status == 422
    assert "support" in caught.value.message
    assert "serviceGroups" in caught.value.message


def test_cluster_delete_is_202_then_gone(v4_sim, v4, v4_project):
    cluster_id = healthy_cluster(v4, v4_project)
    assert v4.delete_cluster(v4_project, cluster_id) is True
    assert v4.get_cluster_state(v4_project, cluster_id) == "destroying"
    v4.wait_for_cluster_gone(v4_project, cluster_id, deadline=Deadline.after(10), interval=0.05)
    assert v4_sim.v4.cluster_state(cluster_id) is None
    assert v4.delete_cluster(v4_project, cluster_id) is False


def test_unknown_body_keys_are_a_readable_400_in_strict_mode(v4, v4_project):
    body = _spec().to_json()
    body["serviceGroups"][0]["node"]["size"] = 3
    body["colour"] = "blue"
    with pytest.raises(ApiError) as caught:
        v4.create_cluster(v4_project, body)
    error = caught.value
    assert error.status == 400
    assert "serviceGroups[0].node.size" in error.message
    assert "colour" in error.message
    assert error.hint
    assert "only the fields the API knows" in error.hint
    assert "colour" in str(error)
    assert "(hint:" in str(error)


def test_without_strict_mode_unknown_keys_are_ignored(v4_project):
    from simulators.capella import CapellaSimulator

    with CapellaSimulator(strict=False, deploy_seconds=0.1) as sim, v4_client(sim) as client:
        project_id = sim.v4.add_project("p")
        body = {**_spec().to_json(), "colour": "blue"}
        assert client.create_cluster(project_id, body)


def test_buckets_lifecycle(v4, v4_project):
    cluster_id = healthy_cluster(v4, v4_project)
    bucket_id = v4.create_bucket(v4_project, cluster_id, BucketSpec("orders", memory_allocation_in_mb=256))
    assert bucket_id == "b3JkZXJz"  # the name in base64
    bucket = v4.get_bucket(v4_project, cluster_id, bucket_id)
    assert (bucket.name, bucket.memory_allocation_in_mb, bucket.replicas, bucket.storage_backend) == (
        "orders",
        256,
        1,
        "couchstore",
    )
    update = msgspec.structs.replace(BucketUpdate.of(bucket), replicas=2, time_to_live_in_seconds=60)
    v4.update_bucket(v4_project, cluster_id, bucket_id, update)
    changed = v4.list_buckets(v4_project, cluster_id)
    assert [(b.id, b.replicas, b.time_to_live_in_seconds, b.memory_allocation_in_mb) for b in changed] == [
        (bucket_id, 2, 60, 256)
    ]
    with pytest.raises(ApiError) as caught:
        v4.update_bucket(v4_project, cluster_id, bucket_id, {"replicas": 3})
    assert caught.value.status == 422
    assert "memoryAllocationInMb" in caught.value.message
    assert v4.delete_bucket(v4_project, cluster_id, bucket_id) is True
    assert v4.delete_bucket(v4_project, cluster_id, bucket_id) is False


def test_buckets_need_a_deployed_cluster(v4, v4_project):
    cluster_id = v4.create_cluster(v4_project, _spec())
    with pytest.raises(ApiError) as caught:
        v4.create_bucket(v4_project, cluster_id, BucketSpec("early"))
    assert caught.value.status == 422
    assert "healthy" in caught.value.message


def test_allowed_cidrs(v4, v4_project):
    cluster_id = healthy_cluster(v4, v4_project)
    entry_id = v4.create_allowed_cidr(v4_project, cluster_id, AllowedCidrSpec("10.1.0.0/16", "office"))
    entry = v4.get_allowed_cidr(v4_project, cluster_id, entry_id)
    assert (entry.cidr, entry.comment, entry.type, entry.status) == (
        "10.1.0.0/16",
        "office",
        "permanent",
        "active",
    )
    temporary = v4.create_allowed_cidr(
        v4_project, cluster_id, AllowedCidrSpec("192.0.2.7/32", expires_at="2999-01-01T00:00:00Z")
    )
    assert {e.id: e.type for e in v4.list_allowed_cidrs(v4_project, cluster_id)} == {
        entry_id: "permanent",
        temporary: "temporary",
    }
    with pytest.raises(ApiError) as caught:
        v4.create_allowed_cidr(v4_project, cluster_id, AllowedCidrSpec("10.1.0.0/16"))
    assert caught.value.status == 422
    assert v4.delete_allowed_cidr(v4_project, cluster_id, entry_id) is True
    assert v4.delete_allowed_cidr(v4_project, cluster_id, entry_id) is False


def test_database_credentials(v4, v4_project):
    cluster_id = healthy_cluster(v4, v4_project)
    generated = v4.create_database_credential(
        v4_project, cluster_id, CredentialSpec("app", [Access(("data_reader",))])
    )
    assert len(generated.password) >= 8
    assert generated.password not in repr(generated)
    chosen = v4.create_database_credential(
        v4_project, cluster_id, CredentialSpec("ops", [Access(("data_writer",))], password="Sup3r#Secret")
    )
    assert chosen.password == "Sup3r#Secret"
    access = Access(
        ("data_reader", "data_writer"), (ResourceBucket("orders", (ResourceScope("inventory", ("items",)),)),)
    )
    v4.update_database_credential(v4_project, cluster_id, generated.id, CredentialUpdate([access]))
    credential = v4.get_database_credential(v4_project, cluster_id, generated.id)
    assert (credential.name, credential.access, credential.etag) == ("app", (access,), "Version: 2")
    assert {c.name for c in v4.list_database_credentials(v4_project, cluster_id)} == {"app", "ops"}
    with pytest.raises(ApiError) as caught:
        v4.create_database_credential(
            v4_project, cluster_id, CredentialSpec("weak", [], password="Weak.pass1")
        )
    assert caught.value.status == 422
    assert v4.delete_database_credential(v4_project, cluster_id, generated.id) is True
    assert v4.delete_database_credential(v4_project, cluster_id, generated.id) is False


def test_paging_reads_every_page_until_next_is_absent(v4_sim, v4, v4_project):
    ids = set(v4_sim.v4.add_clusters(v4_project, 23))
    template, path = v4.route(CLUSTERS, projectId=v4_project)
    before = len(v4_sim.calls)
    items = list(v4.iterate(template, path, per_page=5))
    assert {item["id"] for item in items} == ids
    pages = [c for c in v4_sim.calls_since(before) if c.key == f"GET {template}"]
    assert len(pages) == 5
    assert {c.id for c in v4.list_clusters(v4_project)} == ids


def test_a_cursor_that_never_ends_is_cut_off(v4_sim, v4, monkeypatch):
    from cbprovider.capella.v4 import client as client_module
    from cbprovider.errors import ResponseFormatError

    for i in range(6):
        v4_sim.v4.add_project(f"p{i}")
    monkeypatch.setattr(client_module, "MAX_PAGES", 2)
    template, path = v4.route(PROJECTS)
    with pytest.raises(ResponseFormatError, match="did not end after 2 pages"):
        list(v4.iterate(template, path, per_page=2))


def test_injected_faults_carry_the_v4_body_and_the_request_id(v4_sim, v4):
    v4_sim.faults.add(
        "GET /v4/organizations/{organizationId}", status=403, headers={"X-Request-Id": "req-123"}, times=1
    )
    with pytest.raises(ApiError) as caught:
        v4.get_organization()
    assert (caught.value.status, caught.value.code, caught.value.request_id) == (403, 4030, "req-123")
    assert "injected fault" in caught.value.message
    assert "RequestId req-123" in str(caught.value)


def test_v3_and_v4_are_served_side_by_side(v4_sim, v4):
    from cbprovider.capella import CapellaClient

    with CapellaClient(v4_sim.url, (v4_sim.access_key, v4_sim.secret_key)) as v3:
        v3_project = v3.create_project("v3-project")
    assert v3_project.id in v4_sim.projects
    assert v4.list_projects() == []
