"""The CloudBasic simulator over real HTTP, requests signed by botocore's SigV4 signer (independent of it)."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from simulators.cloudbasic import CloudBasicSimulator
from simulators.cloudbasic.actions import ACTIONS

ROOT = Path(__file__).resolve().parents[2]
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
SOURCE = "Data Source=sql-a.example.internal;Initial Catalog=Sales;User ID=repl;Password=S3cr3t!"
REPLICA = "Data Source=sql-b.example.internal;Initial Catalog=Sales;User ID=repl;Password=An0ther!"
NEW_REPLICATION = {
    "replicationMethod": "ContinuousWithAutoSeeding",
    "replicationName": "sales-dr",
    "parallelTablesLimit": "5",
    "source": {"connectionString": SOURCE, "encryptDataInTransit": "true"},
    "destination": {"connectionString": REPLICA, "encryptDataInTransit": False},
}


class Client:
    """Signs each call with botocore (service, region, keys and payload hash overridable to test refusals)."""

    def __init__(self, sim: CloudBasicSimulator, keys: tuple[str, str] | None = None) -> None:
        self.sim = sim
        self.keys = keys or sim.admin_keys
        self.session = requests.Session()

    def send(
        self,
        action: str,
        body: Any = None,
        *,
        xml: bool = False,
        method: str = "POST",
        service: str = "cloudbasic",
        region: str = "",
        keys: tuple[str, str] | None = None,
        payload_hash: str | None = None,
        sent_body: bytes | None = None,
        sent_hash: str | None = None,
        signed: bool = True,
    ) -> requests.Response:
        if body is None:
            data = b""
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = json.dumps(body).encode()
        headers = {
            "Content-Type": "application/xml" if xml else "application/json",
            "X-Amz-Content-Sha256": payload_hash or hashlib.sha256(data).hexdigest(),
        }
        url = f"{self.sim.url}/api/{action}"
        if signed:
            access, secret = keys or self.keys or ("NONE", "NONE")
            request = AWSRequest(method, url, data=data, headers=headers)
            SigV4Auth(Credentials(access, secret), service, region).add_auth(request)
            headers = dict(request.headers.items())
        wire = data if sent_body is None else sent_body
        if sent_hash is not None:
            headers["X-Amz-Content-Sha256"] = sent_hash
        return self.session.request(method, url, data=wire, headers=headers, timeout=10)

    def ok(self, action: str, body: Any = None, **kwargs: Any) -> dict[str, Any]:
        response = self.send(action, body, **kwargs)
        assert response.status_code == 200, response.text
        return response.json() if response.content else {}

    def create(self, body: dict[str, Any] | None = None) -> str:
        return str(self.ok("CreateReplication", body or NEW_REPLICATION)["replicationId"])

    def wait_seeding(self, replication_id: str, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            status = self.ok("ReplicationStatus", {"replicationId": replication_id})
            if status["seedingStatus"] != "Running" or time.monotonic() > deadline:
                return status
            time.sleep(0.05)


def errors_of(response: requests.Response) -> tuple[list[str], str]:
    """Messages and request id from either documented error shape."""
    if response.headers["Content-Type"].startswith("application/json"):
        body = response.json()
        assert set(body) == {"errors", "requestId"}
        assert isinstance(body["requestId"], int)
        return body["errors"], str(body["requestId"])
    root = SafeET.fromstring(response.content)
    assert root.tag == "ErrorResponse"
    request_id = root.findtext("RequestId")
    assert request_id
    assert request_id.isdigit()
    return [e.text or "" for e in root.findall("Errors/Error")], request_id


def xml_of(response: requests.Response) -> Element:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/xml")
    root: Element = SafeET.fromstring(response.content)
    return root


@pytest.fixture
def client(cloudbasic_sim: CloudBasicSimulator) -> Client:
    return Client(cloudbasic_sim)


@pytest.fixture
def fresh_sim() -> Iterator[CloudBasicSimulator]:
    with CloudBasicSimulator(activated=False, seeding_seconds=0.5) as sim:
        yield sim


# -- signing ------------------------------------------------------------------------------------------------
def test_signed_json_call_answers_json(client: Client) -> None:
    body = client.ok("ReplicationServiceStatus")
    assert body["status"] == "Running"
    assert "remoteStatus" not in body
    datetime.datetime.strptime(body["requestTimestamp"], "%A, %B %d, %Y %I:%M:%S %p")


def test_signed_xml_call_answers_xml(client: Client) -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><CreateReplicationRequest>'
        "<ReplicationMethod>ContinuousWithAutoSeeding</ReplicationMethod>"
        f"<Source><ConnectionString>{SOURCE}</ConnectionString></Source>"
        f"<Destination><ConnectionString>{REPLICA}</ConnectionString></Destination>"
        "</CreateReplicationRequest>"
    )
    root = xml_of(client.send("CreateReplication", body, xml=True))
    assert root.tag == "CreateReplicationResponse"
    replication_id = root.findtext("ReplicationId")
    assert replication_id in client.sim.replications


@pytest.mark.parametrize(
    ("service", "region"), [("cloudbasic", ""), ("cloudbasic", "us-east-1"), ("cbr", "")]
)
def test_accepted_scopes(client: Client, service: str, region: str) -> None:
    assert client.ok("GetReplicationsList", service=service, region=region) == {"replications": []}


@pytest.mark.parametrize(
    ("service", "region", "reason"),
    [("s3", "", "service 's3' is not accepted"), ("cloudbasic", "eu-west-1", "region 'eu-west-1'")],
)
def test_refused_scopes(client: Client, service: str, region: str, reason: str) -> None:
    response = client.send("GetReplicationsList", service=service, region=region)
    assert response.status_code == 400
    messages, _ = errors_of(response)
    assert reason in messages[0]


@pytest.mark.parametrize("xml", [False, True])
def test_wrong_secret_is_refused_in_the_documented_shape(client: Client, xml: bool) -> None:
    access, secret = client.keys or ("", "")
    wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    response = client.send("GetReplicationsList", xml=xml, keys=(access, wrong))
    assert response.status_code == 400
    messages, request_id = errors_of(response)
    assert messages == ["invalid signature"]
    assert int(request_id) >= 1
    assert secret not in response.text
    assert wrong not in response.text


def test_unknown_access_key(client: Client) -> None:
    response = client.send("GetReplicationsList", keys=("AKIAUNKNOWNUNKNOWN00", "x" * 40))
    assert response.status_code == 400
    assert errors_of(response)[0] == ["unknown access key"]


def test_stale_date_is_refused(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(minutes=20)
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda *args, **kwargs: stale)
    response = client.send("GetReplicationsList")
    assert response.status_code == 400
    assert errors_of(response)[0] == ["request date outside the allowed clock skew"]


def test_unsigned_call_is_refused(client: Client) -> None:
    response = client.send("GetReplicationsList", signed=False)
    assert response.status_code == 400
    assert "missing Authorization header" in errors_of(response)[0][0]


def test_empty_body_hash_of_the_vendor_sample_is_accepted_by_default(client: Client) -> None:
    """The vendor's node sample signs every request with the empty-string hash header."""
    response = client.send("CreateReplication", NEW_REPLICATION, payload_hash=EMPTY_SHA256)
    assert response.status_code == 200, response.text


def test_strict_mode_refuses_a_tampered_body() -> None:
    with CloudBasicSimulator(strict_payload_hash=True) as sim:
        client = Client(sim)
        signed = json.dumps({"replicationId": "a"}).encode()
        tampered = client.send(
            "ReplicationStatus", {"replicationId": "a"}, sent_body=signed.replace(b"a", b"b")
        )
        assert tampered.status_code == 400
        assert errors_of(tampered)[0] == ["X-Amz-Content-Sha256 does not match the request body"]
        vendor_style = client.send("CreateReplication", NEW_REPLICATION, payload_hash=EMPTY_SHA256)
        assert vendor_style.status_code == 400
        assert client.send("CreateReplication", NEW_REPLICATION).status_code == 200


def test_default_mode_signs_the_hash_header_not_the_body(client: Client) -> None:
    """Outside strict mode the body is covered only through the X-Amz-Content-Sha256 header (question 3)."""
    body = {"replicationId": "a"}
    swapped = client.send("ReplicationStatus", body, sent_body=json.dumps({"replicationId": "b"}).encode())
    assert errors_of(swapped)[0] == ["b:Replication not found"]
    changed_header = client.send("ReplicationStatus", body, sent_hash="0" * 64)
    assert errors_of(changed_header)[0] == ["invalid signature"]


# -- routing and formats ---------------------------------------------------------------------------------
def test_unknown_action_and_wrong_verb(client: Client) -> None:
    assert client.send("NoSuchAction").status_code == 404
    wrong = client.send("CreateReplication", method="GET")
    assert wrong.status_code == 405
    assert wrong.headers["Allow"] == "POST"
    assert client.send("ReplicationServiceStatus", method="GET").status_code == 200
    assert client.send("DeactivateInstance", method="PUT").status_code == 405


def test_entity_expansion_xml_is_refused(client: Client) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><ReplicationStatusRequest><ReplicationId>&lol3;'
        "</ReplicationId></ReplicationStatusRequest>"
    )
    response = client.send("ReplicationStatus", bomb, xml=True)
    assert response.status_code == 400
    assert "DTD" in errors_of(response)[0][0]
    assert client.send("ReplicationServiceStatus").status_code == 200


def test_json_keys_any_case_and_scalars_as_strings(client: Client) -> None:
    replication_id = client.create(
        {
            "ReplicationName": "pascal",
            "Source": {"ConnectionString": SOURCE},
            "destination": {"CONNECTIONSTRING": REPLICA},
            "RebuildIndexes": "false",
        }
    )
    client.ok("AlterReplication", {"ReplicationId": replication_id, "DataReplication": "false"})
    assert client.sim.replications[replication_id].data_replication is False
    assert client.sim.replications[replication_id].name == "pascal"
    bad = client.send("AlterReplication", {"replicationId": replication_id, "schemaReplication": "maybe"})
    assert errors_of(bad)[0] == ["schemaReplication must be true or false"]


def test_xml_any_root_and_json_labelled_as_xml(client: Client) -> None:
    replication_id = client.create()
    root = xml_of(
        client.send(
            "ReplicationStatus",
            f"<Anything><ReplicationId>{replication_id}</ReplicationId></Anything>",
            xml=True,
        )
    )
    assert root.tag == "ReplicationStatusResponse"
    assert root.findtext("ReplicationId") == replication_id
    mislabelled = client.send("ReplicationStatus", json.dumps({"replicationId": replication_id}), xml=True)
    assert xml_of(mislabelled).findtext("SeedingStatus") in ("Running", "Success")


def test_missing_field_is_named_in_the_request_format(client: Client) -> None:
    response = client.send("CreateReplication", {"destination": {"connectionString": REPLICA}})
    assert errors_of(response)[0] == ["source.connectionString is required"]
    xml = "<CreateReplicationRequest><Source/></CreateReplicationRequest>"
    assert errors_of(client.send("CreateReplication", xml, xml=True))[0] == [
        "Source.ConnectionString is required"
    ]


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("xml", [False, True])
def test_every_action_answers_an_empty_request(client: Client, action: str, xml: bool) -> None:
    """Each action is routed and either succeeds or refuses in the documented shape (no 404, no 500)."""
    response = client.send(action, "<Request/>" if xml else {}, xml=xml, signed=action != "ActivateInstance")
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        messages, _ = errors_of(response)
        assert messages
        assert all(m and "signature" not in m for m in messages)


# -- faults and latency ------------------------------------------------------------------------------------
def test_injected_fault_applies_n_times_then_clears(client: Client) -> None:
    client.sim.faults.add("CreateReplication", status=503, times=2)
    for _ in range(2):
        response = client.send("CreateReplication", NEW_REPLICATION)
        assert response.status_code == 503
        assert errors_of(response)[0] == ["injected fault: HTTP 503"]
    assert not client.sim.replications
    client.create()
    assert len(client.sim.replications) == 1
    assert [c.status for c in client.sim.calls if c.key == "CreateReplication"] == [503, 503, 200]


def test_latency_is_added_to_api_answers() -> None:
    with CloudBasicSimulator(latency=0.2) as sim:
        started = time.monotonic()
        Client(sim).ok("ReplicationServiceStatus")
        assert time.monotonic() - started >= 0.2


# -- instance and users ------------------------------------------------------------------------------------
def test_unsigned_activation_then_signed_calls(fresh_sim: CloudBasicSimulator) -> None:
    client = Client(fresh_sim)
    assert fresh_sim.admin_keys is None
    activation = {
        "email": "ops@example.com",
        "instanceId": "i-0123456789abcdef0",
        "password": "Initial#1",
        "agreeToEula": "true",
    }
    wrong = client.send("ActivateInstance", {**activation, "instanceId": "i-0ffffffffffffffff"}, signed=False)
    assert "InstanceId" in errors_of(wrong)[0][0]
    no_eula = client.send("ActivateInstance", {**activation, "agreeToEula": False}, signed=False)
    assert errors_of(no_eula)[0] == ["agreeToEula must be true to activate the instance"]
    keys = client.ok("ActivateInstance", activation, signed=False)
    assert len(keys["publicKey"]) == 20
    assert len(keys["privateKey"]) == 40
    assert keys["eulaUrl"].startswith("https://")
    assert fresh_sim.activated
    assert fresh_sim.admin_keys == (keys["publicKey"], keys["privateKey"])
    client.keys = (keys["publicKey"], keys["privateKey"])
    again = client.send("ActivateInstance", activation, signed=False)
    assert errors_of(again)[0] == ["Instance is already activated"]
    assert client.send("DeactivateInstance", method="GET").status_code == 200
    assert client.send("DeactivateInstance").status_code == 400
    assert errors_of(client.send("DeactivateInstance"))[0] == ["Instance is not activated"]


def test_created_user_can_sign_and_must_be_unique(client: Client) -> None:
    user = {
        "email": "dba@example.com",
        "username": "dba",
        "firstName": "Dee",
        "lastName": "Bea",
        "password": "Pa55word!",
        "isAdmin": "false",
    }
    created = client.ok("CreateUser", user)
    assert created["userName"] == "dba"
    as_user = Client(client.sim, (created["publicKey"], created["privateKey"]))
    assert as_user.ok("GetReplicationsList") == {"replications": []}
    duplicate = client.send("CreateUser", {**user, "username": "other"})
    assert errors_of(duplicate)[0] == ["A user with e-mail dba@example.com already exists"]
    assert "Pa55word!" not in duplicate.text


# -- replications ------------------------------------------------------------------------------------------
def test_seeding_progresses_to_success() -> None:
    with CloudBasicSimulator(seeding_seconds=0.6) as sim:
        client = Client(sim)
        replication_id = client.create()
        first = client.ok("ReplicationStatus", {"replicationId": replication_id})
        assert first["seedingStatus"] == "Running"
        assert first["changeTrackingStatus"] == "NotStarted"
        seen = {first["seedingProgress"]}
        while True:
            status = client.ok("ReplicationStatus", {"replicationId": replication_id})
            seen.add(status["seedingProgress"])
            if status["seedingStatus"] != "Running":
                break
            time.sleep(0.05)
        assert status["seedingStatus"] == "Success"
        assert status["seedingProgress"] == "100%"
        assert status["changeTrackingStatus"] == "Running"
        percents = sorted(int(p.rstrip("%")) for p in seen)
        assert len(percents) >= 3
        assert percents[-1] == 100


def test_seeding_can_be_made_to_fail(client: Client) -> None:
    replication_id = client.create()
    client.sim.set_replication_outcome(replication_id, "Failed")
    assert client.wait_seeding(replication_id)["seedingStatus"] == "Failed"


def test_list_masks_passwords_and_delete_is_final(client: Client) -> None:
    replication_id = client.create()
    [item] = client.ok("GetReplicationsList")["replications"]
    assert item["replicationId"] == replication_id
    assert "S3cr3t!" not in item["source"]
    assert "Password=******" in item["source"]
    assert item["source"].endswith("Encrypt=True;TrustServerCertificate=True")
    assert item["isEnabled"] is True
    client.ok("DeleteReplication", {"replicationId": replication_id})
    again = client.send("DeleteReplication", {"replicationId": replication_id})
    assert errors_of(again)[0] == [f"{replication_id}:Replication not found"]


def test_bulk_replications_for_monitors(client: Client) -> None:
    ids = client.sim.add_replications(5)
    root = xml_of(client.send("GetReplicationsList", xml=True, method="GET"))
    listed = [r.findtext("ReplicationId") for r in root.findall("Replications/Replication")]
    assert listed == ids
    assert all(r.findtext("LastSuccessfullTransfer") for r in root.findall("Replications/Replication"))
    latency = client.ok("GetLatency", {"ReplicationId": ids[0], "Period": "48"})
    assert latency["period"] == "Last 48 hour(s)"
    assert latency["isDataReplicationOn"] is True
    assert latency["averageLatency"].endswith(" secs")
    logs = client.ok("GetLogs", {"Id": ids[0]})
    assert logs["type"] == "SqlToSqlSeeding"
    assert "[START DB STRUCTURE]" in logs["logs"]


def test_rebuild_and_reseed_report_progress(client: Client) -> None:
    [replication_id] = client.sim.add_replications(1)
    client.ok("RebuildDbReplicaIndexes", {"replicationId": replication_id, "cancelRunningCtProcess": False})
    assert (
        client.ok("RebuildDbReplicaIndexesStatus", {"replicationId": replication_id})["status"] == "Running"
    )
    table = {"replicationId": replication_id, "TableName": "[dbo].[Orders]"}
    client.ok("ReseedTable", {**table, "Action": "Initiate"})
    assert client.ok("ReseedTableStatus", table)["isRunning"] is True
    assert client.send("ReseedTable", {**table, "Action": "Initiate"}).status_code == 400
    client.ok("ReseedTable", {**table, "Action": "Cancel"})
    assert client.ok("ReseedTableStatus", table)["isRunning"] is False


# -- cluster and promotion ---------------------------------------------------------------------------------
def test_cluster_lifecycle(client: Client) -> None:
    cluster = {
        "RemoteServer": "10.0.2.10",
        "LocalServer": "10.0.1.10",
        "Port": "81",
        "PublicKey": "REMOTEPUBLICKEY00000",
        "PrivateKey": "remote-private-key-0000000000000000000000",
    }
    missing = client.send("CreateCluster", {k: v for k, v in cluster.items() if k != "Port"})
    assert errors_of(missing)[0] == ["port is required"]
    client.ok("CreateCluster", cluster)
    assert client.ok("ReplicationServiceStatus")["remoteStatus"] == "Running"
    assert errors_of(client.send("CreateCluster", cluster))[0] == ["Instance is already part of a cluster"]
    client.ok("AlterCluster", {**cluster, "Port": 444})
    assert client.sim.cluster is not None
    assert client.sim.cluster.port == 444
    client.ok("DeleteCluster", {"StandaloneServer": "10.0.1.10"})
    assert client.sim.cluster is None
    assert "remoteStatus" not in client.ok("ReplicationServiceStatus")


def test_promotion_runs_then_succeeds(client: Client) -> None:
    [replication_id] = client.sim.add_replications(1)
    flags = {
        "replicationId": replication_id,
        "turnOffDataReplication": "true",
        "ignoreDbDiscrepancies": "true",
    }
    refused = client.send("PromoteDbReplicaToPrimary", flags)
    assert "turnOffDataReplication=true requires" in errors_of(refused)[0][0]
    unknown = client.send("PromoteDbReplicaToPrimary", {**flags, "replicationId": "0" * 8})
    assert errors_of(unknown)[0] == ["00000000:Replication not found"]
    client.ok(
        "PromoteDbReplicaToPrimary",
        {**flags, "ignoreInaccessibleSourceConnection": "true", "cancelRunningCtProcess": True},
    )
    status = client.ok("PromoteDbReplicaToPrimaryStatus", {"replicationId": replication_id})
    assert status["status"] == "Running"
    deadline = time.monotonic() + 10
    while status["status"] == "Running" and time.monotonic() < deadline:
        time.sleep(0.05)
        status = client.ok("PromoteDbReplicaToPrimaryStatus", {"replicationId": replication_id})
    assert status["status"] == "Success"
    assert status["progress"] == "100%"
    lines = status["logs"].split("\r\n")
    assert "Promotion requested by API user admin" in lines[0]
    assert lines[1].endswith(">>BEGIN")
    assert client.sim.replications[replication_id].data_replication is False


def test_promotion_can_be_made_to_fail(client: Client) -> None:
    [replication_id] = client.sim.add_replications(1)
    client.sim.set_promotion_outcome(replication_id, "Failed")
    client.ok("PromoteToPrimary", {"ReplicationId": replication_id, "IgnoreDbDiscrepancies": "true"})
    deadline = time.monotonic() + 10
    status = client.ok("PromoteDbReplicaToPrimaryStatus", {"replicationId": replication_id})
    while status["status"] == "Running" and time.monotonic() < deadline:
        time.sleep(0.05)
        status = client.ok("PromoteDbReplicaToPrimaryStatus", {"replicationId": replication_id})
    assert status["status"] == "Failed"
    assert "ERROR" in status["logs"]
    assert client.sim.replications[replication_id].data_replication is True


# -- command line ------------------------------------------------------------------------------------------
def test_command_line_start() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    access, secret = "AKIDCLOUDBASICSIM001", "cli-secret-0123456789abcdefghijklmnopqrs"
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators.cloudbasic", "--port", str(port), "--seeding-seconds", "0.2"],
        cwd=ROOT,
        env={**os.environ, "CLOUDBASIC_ACCESS_KEY_ID": access, "CLOUDBASIC_SECRET_ACCESS_KEY": secret},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}" in line
        assert access in line
        assert secret not in line

        class Remote:
            url = f"http://127.0.0.1:{port}"
            admin_keys = (access, secret)

        remote = Client(Remote(), (access, secret))  # type: ignore[arg-type]
        assert remote.ok("ReplicationServiceStatus")["status"] == "Running"
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.stdout is not None
    assert secret not in process.stdout.read()
