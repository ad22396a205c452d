"""The Capella simulator over real HTTP, with requests signed here by a few lines of hmac."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from simulators.capella import CapellaSimulator
from simulators.capella.auth import signature

PUBLIC = "http://cloudapi.cloud.couchbase.com/public"
ROOT = Path(__file__).resolve().parents[2]


def sign(secret: str, method: str, target: str, timestamp: str) -> str:
    message = f"{method}\n{target}\n{timestamp}".encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


class Client:
    """Signs each request with the simulator's key pair (or overrides, to test refusals)."""

    def __init__(self, sim: CapellaSimulator) -> None:
        self.sim = sim
        self.session = requests.Session()

    def call(
        self,
        method: str,
        target: str,
        body: Any = None,
        *,
        timestamp: str | None = None,
        secret: str | None = None,
        signed_target: str | None = None,
    ) -> requests.Response:
        ts = timestamp or str(int(time.time() * 1000))
        sig = sign(secret or self.sim.secret_key, method, signed_target or target, ts)
        headers = {"Authorization": f"Bearer {self.sim.access_key}:{sig}", "Couchbase-Timestamp": ts}
        data = None if body is None else json.dumps(body)
        if data is not None:
            headers["Content-Type"] = "application/json"
        return self.session.request(method, self.sim.url + target, data=data, headers=headers, timeout=10)

    def wait_status(self, path: str, wanted: str | int, timeout: float = 10.0) -> None:
        """Poll ``path`` until its ``status`` field is ``wanted`` (or, for an int, the HTTP status is)."""
        deadline = time.monotonic() + timeout
        while True:
            response = self.call("GET", path)
            got: str | int = (
                response.status_code if isinstance(wanted, int) else response.json().get("status")
            )
            if got == wanted:
                return
            assert time.monotonic() < deadline, f"{path} still {got!r}, wanted {wanted!r}"
            time.sleep(0.05)


@pytest.fixture
def sim():
    with CapellaSimulator(deploy_seconds=0.4, destroy_seconds=0.2, scale_seconds=0.2) as s:
        yield s


@pytest.fixture
def client(sim):
    return Client(sim)


@pytest.fixture
def project_id(sim):
    return sim.add_project("Sales")


@pytest.fixture(scope="module")
def shared():
    """One simulator for the tests that leave no state behind (each start/stop costs about half a second)."""
    with CapellaSimulator() as s:
        s.add_clusters(s.add_project("Shared"), 1)
        yield s


@pytest.fixture
def shared_client(shared):
    return Client(shared)


def cluster_body(project_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "environment": "hosted",
        "clusterName": "sales-1",
        "projectId": project_id,
        "description": "replica target",
        "place": {
            "singleAZ": True,
            "hosted": {"provider": "aws", "region": "us-east-1", "CIDR": "10.0.0.0/20"},
        },
        "servers": [
            {
                "size": 3,
                "compute": "m5.xlarge",
                "services": ["data", "index", "query"],
                "storage": {"type": "GP3", "size": 50, "IOPS": 3000},
            }
        ],
        "supportPackage": {"type": "Basic", "timezone": "GMT"},
    }
    body.update(overrides)
    return body


def create_healthy_cluster(client: Client, project_id: str) -> str:
    response = client.call("POST", "/v3/clusters", cluster_body(project_id))
    assert response.status_code == 202, response.text
    location = response.headers["Location"]
    client.wait_status(location + "/status", "healthy")
    return location


# -- authentication ---------------------------------------------------------------------------------------
VECTORS = [
    ("GET", "/v2/clouds", "1614622252260", "6nQNwqLWJT+WhlDIAPv3DFuzQqXlN3SFc5MFEjWJLMI="),
    (
        "GET",
        "/v3/clusters?page=2&perPage=50",
        "1700000000000",
        "23h3HsXVSNyOduRMr0cGJT3w/qt8spCkBvLFlw8LBno=",
    ),
    ("POST", "/v3/clusters", "1700000000000", "RLVPYaB96LQvuOzCWERksD5z4hkpEo2hfgv8zUVa2R0="),
    (
        "DELETE",
        "/v3/clusters/0b5b5d2c-0000-4000-8000-000000000001",
        "1700000000000",
        "oz6pkk9sC+sQxkEZdIjtSYqENG/ESfal33I8qDHAAVM=",
    ),
]


@pytest.mark.parametrize(("method", "target", "timestamp", "expected"), VECTORS)
def test_reference_vectors_match_the_verifier_and_the_test_signer(method, target, timestamp, expected):
    assert signature("example-secret", method, target, timestamp) == expected
    assert sign("example-secret", method, target, timestamp) == expected


def test_signed_request_is_accepted(client):
    response = client.call("GET", "/v2/projects?page=1&perPage=5")
    assert response.status_code == 200
    assert response.json()["data"] == []


def _assert_unauthorized(response: requests.Response, sim: CapellaSimulator, fragment: str) -> None:
    assert response.status_code == 401
    body = response.json()
    assert body["errorType"] == "Unauthorized"
    assert body["code"] == 401
    assert fragment in body["message"]
    assert sim.secret_key not in response.text


def test_bad_signature_is_refused(shared_client, shared):
    _assert_unauthorized(
        shared_client.call("GET", "/v2/projects", secret="not-the-secret"), shared, "signature"
    )


def test_signature_must_cover_the_query_string(shared_client, shared):
    response = shared_client.call("GET", "/v2/projects?perPage=5", signed_target="/v2/projects")
    _assert_unauthorized(response, shared, "signature")


def test_stale_timestamp_is_refused(shared_client, shared):
    stale = str(int((time.time() - 600) * 1000))
    _assert_unauthorized(shared_client.call("GET", "/v2/projects", timestamp=stale), shared, "window")


def test_timestamp_in_seconds_is_refused(shared_client, shared):
    seconds = str(int(time.time()))
    _assert_unauthorized(shared_client.call("GET", "/v2/projects", timestamp=seconds), shared, "seconds")


def test_missing_or_foreign_credentials_are_refused(sim):
    _assert_unauthorized(requests.get(sim.url + "/v2/projects", timeout=5), sim, "Authorization")
    ts = str(int(time.time() * 1000))
    headers = {
        "Authorization": f"Bearer someone-else:{sign(sim.secret_key, 'GET', '/v2/projects', ts)}",
        "Couchbase-Timestamp": ts,
    }
    _assert_unauthorized(
        requests.get(sim.url + "/v2/projects", headers=headers, timeout=5), sim, "access key"
    )


def test_status_needs_no_auth(shared):
    response = requests.get(shared.url + "/v2/status", timeout=5)
    assert response.status_code == 200
    assert "status" in response.json()


def test_given_keys_are_used():
    with CapellaSimulator(access_key="AK", secret_key="SK") as s:
        assert (s.access_key, s.secret_key) == ("AK", "SK")
        assert Client(s).call("GET", "/v2/users").status_code == 200


# -- routing ---------------------------------------------------------------------------------------------
def test_unknown_route_is_404_and_wrong_method_is_405(shared_client):
    client = shared_client
    missing = client.call("GET", "/v3/nothing")
    assert missing.status_code == 404
    assert missing.json()["errorType"] == "NotFound"
    wrong = client.call("PATCH", "/v3/clusters")
    assert wrong.status_code == 405
    assert set(wrong.headers["Allow"].split(", ")) == {"GET", "POST"}


def test_malformed_json_is_400(shared):
    sim = shared
    ts = str(int(time.time() * 1000))
    headers = {
        "Authorization": f"Bearer {sim.access_key}:{sign(sim.secret_key, 'POST', '/v2/projects', ts)}",
        "Couchbase-Timestamp": ts,
    }
    response = requests.post(sim.url + "/v2/projects", data=b"{not json", headers=headers, timeout=5)
    assert response.status_code == 400


# -- projects --------------------------------------------------------------------------------------------
def test_project_create_list_get_delete(client, sim):
    created = client.call("POST", "/v2/projects", {"name": "Replicas"})
    assert created.status_code == 201
    project = created.json()
    assert project["name"] == "Replicas"
    assert project["tenantId"] == sim.tenant_id
    assert project["id"] in sim.projects
    listed = client.call("GET", "/v2/projects").json()
    assert [p["id"] for p in listed["data"]] == [project["id"]]
    assert listed["cursor"]["pages"]["totalItems"] == 1
    assert client.call("GET", f"/v2/projects/{project['id']}").json() == project
    assert client.call("DELETE", f"/v2/projects/{project['id']}").status_code == 204
    gone = client.call("GET", f"/v2/projects/{project['id']}")
    assert gone.status_code == 404
    assert gone.json()["errorType"] == "NotFound"
    assert client.call("DELETE", f"/v2/projects/{project['id']}").status_code == 404


@pytest.mark.parametrize("name", ["", "x" * 129, 7, None])
def test_project_name_is_validated(shared_client, name):
    response = shared_client.call("POST", "/v2/projects", {"name": name})
    assert response.status_code == 422
    assert response.json()["message"].startswith("name:")


def test_project_with_clusters_cannot_be_deleted(client, sim, project_id):
    sim.add_clusters(project_id, 1)
    response = client.call("DELETE", f"/v2/projects/{project_id}")
    assert response.status_code == 400
    assert "cluster" in response.json()["message"]


def test_projects_sort_by_name(client, sim):
    for name in ("b", "c", "a"):
        sim.add_project(name)
    names = [p["name"] for p in client.call("GET", "/v2/projects?sortBy=name.desc").json()["data"]]
    assert names == ["c", "b", "a"]
    assert client.call("GET", "/v2/projects?sortBy=colour.up").status_code == 422


# -- hosted cluster lifecycle ----------------------------------------------------------------------------
def test_cluster_create_deploy_delete(client, sim, project_id):
    created = client.call("POST", "/v3/clusters", cluster_body(project_id))
    assert created.status_code == 202
    assert created.content == b""
    location = created.headers["Location"]
    assert location.startswith("/v3/clusters/")
    cluster_id = location.rsplit("/", 1)[1]

    assert client.call("GET", location + "/status").json() == {"status": "deploying"}
    deploying = client.call("GET", location).json()
    assert deploying["status"] == "deploying"
    assert "endpointsSrv" not in deploying

    client.wait_status(location + "/status", "healthy")
    cluster = client.call("GET", location).json()
    assert cluster["id"] == cluster_id
    assert cluster["name"] == "sales-1"
    assert cluster["projectId"] == project_id
    assert cluster["place"] == {"provider": "aws", "region": "us-east-1", "CIDR": "10.0.0.0/20"}
    assert cluster["servers"][0]["storage"] == {"type": "GP3", "size": 50, "IOPS": 3000}
    assert cluster["endpointsSrv"]
    assert cluster["support"] == "Basic"
    assert (
        "-----BEGIN CERTIFICATE-----" in client.call("GET", location + "/certificate").json()["certificate"]
    )

    deleted = client.call("DELETE", location)
    assert deleted.status_code == 202
    assert deleted.headers["Location"] == location
    assert client.call("GET", location + "/status").json() == {"status": "destroying"}
    client.wait_status(location + "/status", 404)
    assert client.call("GET", location).status_code == 404
    assert client.call("DELETE", location).status_code == 404
    assert client.call("GET", "/v3/clusters").json()["data"] == {}
    assert cluster_id not in sim.clusters


def test_meta_and_support_updates(client, project_id):
    location = create_healthy_cluster(client, project_id)
    assert client.call("PUT", location + "/meta", {"name": "renamed"}).status_code == 204
    assert client.call("GET", location).json()["name"] == "renamed"
    assert client.call("PUT", location + "/meta", {}).status_code == 422
    support = {"supportPackage": {"type": "Enterprise", "timezone": "PT"}}
    assert client.call("PUT", location + "/support", support).status_code == 204
    assert client.call("GET", location).json()["support"] == "Enterprise"
    bad = client.call("PUT", location + "/support", {"supportPackage": {"type": "Gold"}})
    assert bad.status_code == 422
    assert bad.json()["message"].startswith("supportPackage.type:")


def test_scale_goes_through_scaling_back_to_healthy(client, project_id):
    location = create_healthy_cluster(client, project_id)
    servers = cluster_body(project_id)["servers"]
    servers[0]["size"] = 5
    response = client.call("PUT", location + "/servers", {"servers": servers})
    assert response.status_code == 202
    assert response.headers["Location"] == location
    assert client.call("GET", location + "/status").json() == {"status": "scaling"}
    again = client.call("PUT", location + "/servers", {"servers": servers})
    assert again.status_code == 422
    assert "scaling" in again.json()["message"]
    client.wait_status(location + "/status", "healthy")
    assert client.call("GET", location).json()["servers"][0]["size"] == 5


def test_mutations_need_a_healthy_cluster(client, project_id):
    location = client.call("POST", "/v3/clusters", cluster_body(project_id)).headers["Location"]
    for method, suffix, body in [
        ("PUT", "/meta", {"name": "other"}),
        ("DELETE", "", None),
        ("POST", "/users", {"username": "app", "password": "Str0ng!pass", "allBucketsAccess": "data_reader"}),
    ]:
        response = client.call(method, location + suffix, body)
        assert response.status_code == 422, (method, suffix)
        assert "deploying" in response.json()["message"]


def test_fail_next_deploy(client, sim, project_id):
    sim.fail_next_deploy()
    location = client.call("POST", "/v3/clusters", cluster_body(project_id)).headers["Location"]
    client.wait_status(location + "/status", "deploymentFailed")
    assert "endpointsSrv" not in client.call("GET", location).json()
    assert client.call("DELETE", location).status_code == 202
    client.wait_status(location + "/status", 404)
    nxt = client.call("POST", "/v3/clusters", cluster_body(project_id)).headers["Location"]
    client.wait_status(nxt + "/status", "healthy")


VALIDATION_CASES = [
    ("environment", {"environment": "vpc"}),
    ("clusterName", {"clusterName": "a"}),
    ("clusterName", {"clusterName": "-starts-with-dash"}),
    ("clusterName", {"clusterName": "x" * 129}),
    ("projectId", {"projectId": "0b5b5d2c-0000-4000-8000-000000000009"}),
    ("projectId", {"projectId": "not-a-uuid"}),
    (
        "place.singleAZ",
        {"place": {"singleAZ": False, "hosted": {"provider": "aws", "region": "r", "CIDR": "10.0.0.0/20"}}},
    ),
    ("place.singleAZ", {"place": {"hosted": {"provider": "aws", "region": "r", "CIDR": "10.0.0.0/20"}}}),
    (
        "place.hosted.provider",
        {"place": {"singleAZ": True, "hosted": {"provider": "ibm", "region": "r", "CIDR": "10.0.0.0/20"}}},
    ),
    (
        "place.hosted.CIDR",
        {"place": {"singleAZ": True, "hosted": {"provider": "aws", "region": "r", "CIDR": "10.0.0/20"}}},
    ),
    (
        "place.hosted.CIDR",
        {"place": {"singleAZ": True, "hosted": {"provider": "aws", "region": "r", "CIDR": "8.8.0.0/20"}}},
    ),
    ("supportPackage.type", {"supportPackage": {"type": "Gold", "timezone": "GMT"}}),
    ("supportPackage.timezone", {"supportPackage": {"type": "Basic", "timezone": "UTC"}}),
]


def _server(**overrides: Any) -> dict[str, Any]:
    server: dict[str, Any] = {
        "size": 3,
        "compute": "m5.xlarge",
        "services": ["data"],
        "storage": {"type": "GP3", "size": 50, "IOPS": 3000},
    }
    server.update(overrides)
    return server


SERVER_CASES = [
    ("servers", [_server(size=9), _server(size=9), _server(size=10)]),
    ("servers[0].size", [_server(size=2)]),
    ("servers[0].size", [_server(size=28)]),
    ("servers[0].services[1]", [_server(services=["data", "kv"])]),
    ("servers[0].storage.type", [_server(storage={"type": "SSD", "size": 50})]),
    ("servers[0].storage.size", [_server(storage={"type": "GP3", "size": 49, "IOPS": 3000})]),
    ("servers[0].storage.size", [_server(storage={"type": "GP3", "size": 16385, "IOPS": 3000})]),
    ("servers[0].storage.IOPS", [_server(storage={"type": "GP3", "size": 50, "IOPS": 2999})]),
    ("servers[0].storage.IOPS", [_server(storage={"type": "IO2", "size": 50, "IOPS": 64001})]),
    ("servers[0].storage.IOPS", [_server(storage={"type": "IO2", "size": 50})]),
    ("servers", []),
]


@pytest.mark.parametrize(
    ("field", "overrides"), VALIDATION_CASES + [(f, {"servers": s}) for f, s in SERVER_CASES]
)
def test_invalid_cluster_requests_name_the_field(shared_client, shared, field, overrides):
    [project_id] = shared.projects
    response = shared_client.call("POST", "/v3/clusters", cluster_body(project_id, **overrides))
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["errorType"] == "ValidationError"
    assert body["code"] == 422
    assert body["message"].startswith(f"{field}:")
    assert len(shared.clusters) == 1


def test_io2_and_multi_group_clusters_are_accepted(client, project_id):
    servers = [
        _server(storage={"type": "IO2", "size": 100, "IOPS": 64000}),
        _server(size=2, services=["query", "index"], storage={"type": "GP3", "size": 16384, "IOPS": 16000}),
    ]
    body = cluster_body(project_id, servers=servers, supportPackage={"type": "Enterprise", "timezone": "ET"})
    assert client.call("POST", "/v3/clusters", body).status_code == 202


# -- pagination ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("count", [0, 1, 10, 11, 95])
def test_cluster_list_pagination(client, sim, project_id, count):
    ids = sim.add_clusters(project_id, count)
    first = client.call("GET", "/v3/clusters").json()
    last = max(1, math.ceil(count / 10))
    assert first["cursor"]["pages"] == {
        "page": 1,
        "last": last,
        "perPage": 10,
        "totalItems": count,
        **({"next": 2} if last > 1 else {}),
    }
    if count == 0:
        assert first["data"] == {}
    seen: list[str] = []
    for page in range(1, last + 1):
        answer = client.call("GET", f"/v3/clusters?page={page}&perPage=10").json()
        pages, hrefs = answer["cursor"]["pages"], answer["cursor"]["hrefs"]
        assert pages["page"] == page
        assert ("next" in pages) == ("next" in hrefs) == (page < last)
        assert ("previous" in pages) == ("previous" in hrefs) == (page > 1)
        assert all(h.startswith(f"{PUBLIC}/v3/clusters?page=") for h in hrefs.values())
        assert hrefs["last"] == f"{PUBLIC}/v3/clusters?page={last}&perPage=10"
        if page < last:
            assert hrefs["next"] == f"{PUBLIC}/v3/clusters?page={page + 1}&perPage=10"
        if count:
            assert answer["data"]["tenantId"] == sim.tenant_id
            seen += [item["id"] for item in answer["data"]["items"]]
    assert seen == ids


@pytest.mark.parametrize("query", ["page=0", "page=abc", "perPage=0", "perPage=-1", "perPage=", "page=1.5"])
def test_bad_paging_parameters_are_422(shared_client, query):
    response = shared_client.call("GET", f"/v3/clusters?{query}")
    assert response.status_code == 422
    assert response.json()["message"].split(":")[0] in ("page", "perPage")


def test_per_page_is_capped_and_filters_apply(client, sim, project_id):
    other = sim.add_project("Other")
    mine = sim.add_clusters(project_id, 3)
    sim.add_clusters(other, 2)
    capped = client.call("GET", "/v3/clusters?perPage=5000").json()
    assert capped["cursor"]["pages"]["perPage"] == 1000
    assert capped["cursor"]["pages"]["totalItems"] == 5
    filtered = client.call("GET", f"/v3/clusters?projectId={project_id}&perPage=2").json()
    assert filtered["cursor"]["pages"]["totalItems"] == 3
    assert (
        filtered["cursor"]["hrefs"]["next"] == f"{PUBLIC}/v3/clusters?page=2&perPage=2&projectId={project_id}"
    )
    assert [i["id"] for i in filtered["data"]["items"]] == mine[:2]
    assert client.call("GET", "/v3/clusters?projectId=nope").status_code == 422


def test_default_per_page_is_configurable():
    with CapellaSimulator(default_per_page=3) as s:
        s.add_clusters(s.add_project("p"), 4)
        assert Client(s).call("GET", "/v3/clusters").json()["cursor"]["pages"]["last"] == 2


def test_seeded_statuses_are_reported(client, sim, project_id):
    [degraded] = sim.add_clusters(project_id, 1, status="degraded")
    [deploying] = sim.add_clusters(project_id, 1, status="deploying")
    assert client.call("GET", f"/v3/clusters/{degraded}/status").json() == {"status": "degraded"}
    assert "endpointsSrv" in client.call("GET", f"/v3/clusters/{degraded}").json()
    assert "endpointsSrv" not in client.call("GET", f"/v3/clusters/{deploying}").json()


# -- database users --------------------------------------------------------------------------------------
def test_database_user_lifecycle(client, sim, project_id):
    location = create_healthy_cluster(client, project_id)
    cluster_id = location.rsplit("/", 1)[1]
    user = {"username": "app", "password": "Str0ng!pass", "allBucketsAccess": "data_writer"}
    created = client.call("POST", location + "/users", user)
    assert created.status_code == 201
    assert created.headers["Location"] == f"{location}/users/app"
    assert sim.cluster_users[cluster_id]["app"].password == "Str0ng!pass"
    assert "Str0ng" not in repr(sim.cluster_users[cluster_id]["app"])

    duplicate = client.call("POST", location + "/users", user)
    assert duplicate.status_code == 409
    assert duplicate.json()["errorType"] == "Conflict"

    scoped = {
        "username": "reader",
        "password": "An0ther#one",
        "buckets": [{"name": "sales", "scope": "*", "access": "data_reader"}],
    }
    assert client.call("POST", location + "/users", scoped).status_code == 201
    listed = client.call("GET", location + "/users").json()
    assert listed["data"] == [
        {"username": "app", "allBucketsAccess": "data_writer"},
        {"username": "reader", "buckets": [{"name": "sales", "scope": "*", "access": "data_reader"}]},
    ]
    assert "password" not in json.dumps(listed)

    assert client.call("DELETE", location + "/users/app").status_code == 204
    assert client.call("DELETE", location + "/users/app").status_code == 404
    assert list(sim.cluster_users[cluster_id]) == ["reader"]


@pytest.mark.parametrize(
    ("field", "user"),
    [
        ("password", {"username": "u", "password": "short1!a", "allBucketsAccess": "data_reader"}),
        ("password", {"username": "u", "password": "alllowercase1!", "allBucketsAccess": "data_reader"}),
        ("password", {"username": "u", "password": "Sh0rt!", "allBucketsAccess": "data_reader"}),
        ("username", {"username": "a@b", "password": "Str0ng!pass", "allBucketsAccess": "data_reader"}),
        ("allBucketsAccess", {"username": "u", "password": "Str0ng!pass"}),
        ("allBucketsAccess", {"username": "u", "password": "Str0ng!pass", "allBucketsAccess": "admin"}),
        (
            "buckets[0].access",
            {"username": "u", "password": "Str0ng!pass", "buckets": [{"name": "b", "scope": "*"}]},
        ),
    ],
)
def test_invalid_users_name_the_field(shared_client, shared, field, user):
    [cluster_id] = shared.clusters
    response = shared_client.call("POST", f"/v3/clusters/{cluster_id}/users", user)
    assert response.status_code == 422, response.text
    assert response.json()["message"].startswith(f"{field}:")
    assert "Str0ng" not in response.text
    assert shared.cluster_users[cluster_id] == {}


# -- faults ----------------------------------------------------------------------------------------------
def test_faults_by_route_template_apply_n_times(client, sim, project_id):
    sim.faults.add("POST /v3/clusters", status=503, times=2)
    answers = [client.call("POST", "/v3/clusters", cluster_body(project_id)) for _ in range(3)]
    assert [a.status_code for a in answers] == [503, 503, 202]
    assert answers[0].json() == {
        "errorType": "ServiceUnavailable",
        "message": "injected fault: HTTP 503 Service Unavailable",
        "code": 503,
    }
    assert len(sim.clusters) == 1
    location = answers[2].headers["Location"]
    sim.faults.add("GET /v3/clusters/{id}/status", status=429, headers={"Retry-After": "1"})
    limited = client.call("GET", location + "/status")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "1"
    assert client.call("GET", location + "/status").status_code == 200
    keys = [c.key for c in sim.calls]
    assert keys[:3] == ["POST /v3/clusters"] * 3
    assert keys[-1] == "GET /v3/clusters/{id}/status"


def test_latency_is_added():
    with CapellaSimulator(latency=0.2) as s:
        started = time.monotonic()
        assert requests.get(s.url + "/v2/status", timeout=5).status_code == 200
        assert time.monotonic() - started >= 0.2


# -- v2 endpoints ----------------------------------------------------------------------------------------
def test_v2_lists_carry_data_arrays(client):
    clouds = client.call("GET", "/v2/clouds?perPage=100").json()
    assert clouds["cursor"]["pages"]["perPage"] == 100
    assert clouds["cursor"]["hrefs"]["first"] == f"{PUBLIC}/v2/clouds?page=1&perPage=100"
    assert clouds["data"][0]["provider"] == "aws"
    assert client.call("GET", f"/v2/clouds/{clouds['data'][0]['id']}").status_code == 200
    assert isinstance(client.call("GET", "/v2/users").json()["data"], list)
    assert client.call("GET", "/v2/clusters").json()["data"] == []


def test_in_vpc_cluster_lifecycle(client, sim, project_id):
    cloud_id = client.call("GET", "/v2/clouds").json()["data"][0]["id"]
    body = {
        "name": "vpc-one",
        "cloudId": cloud_id,
        "projectId": project_id,
        "servers": [
            {"size": 3, "services": ["data"], "aws": {"instanceSize": "m5.xlarge", "ebsSizeGib": 100}}
        ],
        "supportPackage": {"type": "developerPro", "timezone": "PT"},
    }
    assert (
        client.call("POST", "/v2/clusters", {**body, "cloudId": project_id})
        .json()["message"]
        .startswith("cloudId:")
    )
    created = client.call("POST", "/v2/clusters", body)
    assert created.status_code == 202
    location = created.headers["Location"]
    assert location.startswith("/v2/clusters/")
    assert client.call("GET", location + "/status").json()["status"] == "job_scheduled"
    client.wait_status(location + "/status", "ready")
    item = client.call("GET", "/v3/clusters").json()["data"]["items"][0]
    assert item["environment"] == "inVpc"
    assert item["cloudId"] == cloud_id
    assert client.call("GET", "/v2/clusters").json()["data"][0]["nodes"] == 3
    assert client.call("GET", location.replace("/v2/", "/v3/")).status_code == 422
    assert client.call("DELETE", location).status_code == 202
    client.wait_status(location + "/status", 404)


# -- command line ----------------------------------------------------------------------------------------
def test_command_line_starts_a_usable_simulator():
    env_args = ["--access-key", "CLI-AK", "--secret-key", "cli-secret-value", "--deploy-seconds", "0.1"]
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators.capella", "--port", "0", *env_args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        url = lines[0].strip().rsplit(" ", 1)[1]
        assert url.startswith("http://127.0.0.1:")
        assert "CLI-AK" in lines[1]
        assert "cli-secret-value" not in "".join(lines)
        ts = str(int(time.time() * 1000))
        headers = {
            "Authorization": f"Bearer CLI-AK:{sign('cli-secret-value', 'GET', '/v2/projects', ts)}",
            "Couchbase-Timestamp": ts,
        }
        assert requests.get(url + "/v2/projects", headers=headers, timeout=5).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0
