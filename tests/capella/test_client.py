"""Every typed client method against the simulator, over real HTTP."""

from __future__ import annotations

import pytest
from cbprovider.capella import (
    BucketAccess,
    CapellaClient,
    Cluster,
    ServerGroup,
    Storage,
    SupportPackage,
)
from cbprovider.deadline import Deadline
from cbprovider.errors import ApiError, ResponseFormatError

from tests.capella.conftest import hosted_spec


def deployed_cluster(client: CapellaClient, project_id: str, name: str = "orders") -> str:
    cluster_id = client.create_cluster(hosted_spec(project_id, name))
    client.wait_for_cluster_status(cluster_id, deadline=Deadline.after(10), interval=0.1)
    return cluster_id


def test_projects_lifecycle(capella_sim, client):
    project = client.create_project("analytics")
    assert project.name == "analytics"
    assert project.id in capella_sim.projects
    assert project.tenant_id == capella_sim.tenant_id
    assert client.get_project(project.id) == project
    assert [p.id for p in client.list_projects()] == [project.id]
    assert client.delete_project(project.id) is True
    assert client.delete_project(project.id) is False
    with pytest.raises(ApiError) as caught:
        client.get_project(project.id)
    assert caught.value.status == 404
    assert caught.value.operation == "GET /v2/projects/{id}"
    assert caught.value.error_type == "NotFound"
    assert caught.value.code == 404


def test_delete_project_with_clusters_is_a_400(capella_sim, client, project_id):
    capella_sim.add_clusters(project_id, 1)
    with pytest.raises(ApiError) as caught:
        client.delete_project(project_id)
    assert caught.value.status == 400


def test_create_get_and_status_of_a_hosted_cluster(capella_sim, client, project_id):
    cluster_id = client.create_cluster(hosted_spec(project_id))
    assert cluster_id in capella_sim.clusters
    assert client.get_cluster_status(cluster_id) == "deploying"
    early = client.get_cluster(cluster_id)
    assert early.endpoints_srv is None
    client.wait_for_cluster_status(cluster_id, deadline=Deadline.after(10), interval=0.1)
    cluster = client.get_cluster(cluster_id)
    assert isinstance(cluster, Cluster)
    assert (cluster.id, cluster.name, cluster.status) == (cluster_id, "orders", "healthy")
    assert cluster.project_id == project_id
    assert (cluster.provider, cluster.region, cluster.cidr) == ("aws", "us-east-1", "10.0.0.0/20")
    assert cluster.servers == (
        ServerGroup(3, "m5.xlarge", ("data", "index", "query"), Storage("GP3", 50, 3000)),
    )
    assert cluster.support is not None
    assert cluster.support.type == "DeveloperPro"
    assert cluster.endpoints_srv
    assert cluster.availability_zones


def test_invalid_cluster_spec_is_a_422_with_the_field(client, project_id):
    spec = hosted_spec(project_id)
    spec["servers"] = [{**spec["servers"][0], "size": 2}]  # type: ignore[index]
    with pytest.raises(ApiError) as caught:
        client.create_cluster(spec)
    assert caught.value.status == 422
    assert caught.value.error_type == "ValidationError"
    assert caught.value.messages[0].startswith("servers[0].size")
    assert caught.value.operation == "POST /v3/clusters"


def test_update_meta_support_and_servers(capella_sim, client, project_id):
    cluster_id = deployed_cluster(client, project_id)
    client.update_cluster_meta(cluster_id, name="orders-renamed", description="new")
    assert client.get_cluster(cluster_id).name == "orders-renamed"
    client.update_cluster_support(cluster_id, "Enterprise", "PT")
    assert client.get_cluster(cluster_id).support == SupportPackage("Enterprise")
    bigger = ServerGroup(5, "m5.2xlarge", ("data", "index", "query"), Storage("GP3", 100, 3000))
    client.update_cluster_servers(cluster_id, [bigger])
    assert client.get_cluster_status(cluster_id) == "scaling"
    client.wait_for_cluster_status(cluster_id, deadline=Deadline.after(10), interval=0.1)
    assert client.get_cluster(cluster_id).servers == (bigger,)
    with pytest.raises(ValueError, match="name or a description"):
        client.update_cluster_meta(cluster_id)


def test_delete_cluster_and_wait_until_gone(capella_sim, client, project_id):
    cluster_id = deployed_cluster(client, project_id)
    assert client.delete_cluster(cluster_id) is True
    assert client.get_cluster_status(cluster_id) == "destroying"
    client.wait_for_cluster_gone(cluster_id, deadline=Deadline.after(10), interval=0.1)
    assert cluster_id not in capella_sim.clusters
    assert client.delete_cluster(cluster_id) is False


def test_database_users(capella_sim, client, project_id):
    cluster_id = deployed_cluster(client, project_id)
    client.create_database_user(cluster_id, "app", "S3cret!pass", all_buckets_access="data_writer")
    client.create_database_user(
        cluster_id, "reader", "An0ther!pass", buckets=[BucketAccess("orders", "*", "data_reader")]
    )
    users = {u.username: u for u in client.list_database_users(cluster_id)}
    assert set(users) == {"app", "reader"}
    assert users["app"].all_buckets_access == "data_writer"
    assert users["reader"].buckets == (BucketAccess("orders", "*", "data_reader"),)
    with pytest.raises(ApiError) as caught:
        client.create_database_user(cluster_id, "app", "S3cret!pass", all_buckets_access="data_reader")
    assert caught.value.status == 409
    assert "S3cret!pass" not in str(caught.value)
    assert client.delete_database_user(cluster_id, "app") is True
    assert client.delete_database_user(cluster_id, "app") is False
    assert [u.username for u in client.list_database_users(cluster_id)] == ["reader"]
    with pytest.raises(ValueError, match="exactly one"):
        client.create_database_user(cluster_id, "x", "S3cret!pass")


def test_vpc_cluster_lifecycle(capella_sim, client, project_id):
    cloud = client.list_clouds()[0]
    spec = {
        "name": "vpc-orders",
        "cloudId": cloud.id,
        "projectId": project_id,
        "servers": [
            {"size": 3, "services": ["data"], "aws": {"instanceSize": "m5.xlarge", "ebsSizeGib": 50}}
        ],
    }
    cluster_id = client.create_vpc_cluster(spec)
    assert client.get_vpc_cluster_status(cluster_id) in {"job_scheduled", "deploying"}
    assert (
        client.wait_for_vpc_cluster_status(cluster_id, deadline=Deadline.after(10), interval=0.1) == "ready"
    )
    cluster = client.get_vpc_cluster(cluster_id)
    assert (cluster.id, cluster.name, cluster.status, cluster.cloud_id) == (
        cluster_id,
        "vpc-orders",
        "ready",
        cloud.id,
    )
    assert cluster.endpoints_srv
    assert [s.environment for s in client.list_clusters(project_id)] == ["inVpc"]
    assert client.delete_vpc_cluster(cluster_id) is True
    client.wait_for_vpc_cluster_gone(cluster_id, deadline=Deadline.after(10), interval=0.1)
    assert client.delete_vpc_cluster(cluster_id) is False


def test_missing_location_is_a_format_error(capella_sim, client, project_id):
    capella_sim.faults.add("POST /v3/clusters", status=202, body="")
    with pytest.raises(ResponseFormatError, match="Location"):
        client.create_cluster(hosted_spec(project_id))


def test_location_that_is_not_a_uuid_is_a_format_error(capella_sim, client, project_id):
    capella_sim.faults.add("POST /v3/clusters", status=202, body="", headers={"Location": "/v3/clusters/abc"})
    with pytest.raises(ResponseFormatError, match="UUID"):
        client.create_cluster(hosted_spec(project_id))


def test_2xx_garbage_is_a_format_error(capella_sim, client, project_id):
    (cluster_id,) = capella_sim.add_clusters(project_id, 1)
    capella_sim.faults.add("GET /v3/clusters/{id}", malformed=True)
    with pytest.raises(ResponseFormatError, match=r"GET /v3/clusters/\{id\}"):
        client.get_cluster(cluster_id)
    capella_sim.faults.add("GET /v3/clusters/{id}/status", status=200, body='{"state": "healthy"}')
    with pytest.raises(ResponseFormatError, match="status"):
        client.get_cluster_status(cluster_id)


def test_unparseable_error_body_still_gives_an_api_error(capella_sim, client, project_id):
    capella_sim.faults.add("GET /v2/projects/{id}", status=403, body="<html>denied</html>")
    with pytest.raises(ApiError) as caught:
        client.get_project(project_id)
    assert caught.value.status == 403
    assert caught.value.error_type is None
    assert caught.value.message == "unexpected answer (HTTP 403, application/json, 19 bytes)"


def test_generic_request_returns_the_response(capella_sim, client, project_id):
    response = client.request("GET", f"/v2/projects/{project_id}")
    assert response.json()["id"] == project_id
    response = client.request("GET", "/v2/projects", params={"perPage": 1})
    assert response.json()["cursor"]["pages"]["perPage"] == 1


def test_unknown_path_is_an_api_error(client):
    with pytest.raises(ApiError) as caught:
        client.request("GET", "/v3/nothing")
    assert caught.value.status == 404
    assert caught.value.operation == "GET /v3/nothing"


def test_client_rejects_bad_url_and_repr_hides_the_secret(capella_sim):
    with pytest.raises(ValueError, match="http"):
        CapellaClient("cloudapi.cloud.couchbase.com", ("a", "b"))
    client = CapellaClient(capella_sim.url, ("AKEY", "hidden-secret-value"))
    assert "hidden-secret-value" not in repr(client)
    client.close()
