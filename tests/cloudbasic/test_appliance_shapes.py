"""The client against what older appliances accept and against every answer shape the vendor shows.

Versions: before 12.301 only region ``us-east-1`` signs and ActivateInstance has no EULA fields; before 12.347
CreateCluster has no ``LocalServer``. Shapes: PascalCase JSON (the 2023 samples), ``<Error><Message>`` in XML
whatever the request's format, the documented ``ErrorResponse`` in XML for JSON requests, ``SeedingStatus`` as
the documented field name, a seeding failure spelled otherwise than ``Failed``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cbprovider.cloudbasic import (
    ActivateInstanceRequest,
    CloudBasicClient,
    ClusterRequest,
    CreateReplicationRequest,
    Endpoint,
    KeyPair,
)
from cbprovider.errors import ApiError
from cbprovider.http_message import Response, json_request

from simulators.cloudbasic import CloudBasicSimulator
from simulators.cloudbasic.dialect import Dialect
from simulators.cloudbasic.versions import NEWEST, OLDEST
from tests.cloudbasic.conftest import make_client

SOURCE = "Data Source=src.example.internal;Initial Catalog=Sales;User ID=cb;Password=src-pass"
REPLICA = "Data Source=dst.example.internal;Initial Catalog=Sales;User ID=cb;Password=dst-pass"
PAIR = ("AKIAREMOTEEXAMPLE000", "remote-secret-key")


# -- versions --------------------------------------------------------------------------------------------
def test_blank_region_is_refused_before_12_301_and_us_east_1_works_everywhere() -> None:
    with CloudBasicSimulator(appliance_version=OLDEST) as old, CloudBasicSimulator() as new:
        with make_client(old, region="") as blank, pytest.raises(ApiError) as info:
            blank.replication_service_status()
        assert info.value.status == 400
        assert "us-east-1" in " ".join(info.value.messages)
        for sim in (old, new):
            with make_client(sim, region="us-east-1") as client:
                assert client.replication_service_status().status == "Running"
        with make_client(new, region="") as client:
            assert client.replication_service_status().status == "Running"


@pytest.mark.parametrize("xml", [False, True], ids=["json", "xml"])
def test_activation_without_eula_fields_on_an_old_appliance(xml: bool) -> None:
    body = ActivateInstanceRequest(
        email="admin@example.com", instance_id="i-0123456789abcdef0", password="P4ss!word"
    ).to_body()
    body.pop("agreeToEula")  # what the vendor's node sample sends
    with CloudBasicSimulator(activated=False, appliance_version=OLDEST) as old:
        with CloudBasicClient(old.url, None, xml=xml) as anonymous:
            keys = KeyPair.from_response(anonymous.call("ActivateInstance", body, signed=False))
        assert keys.eula_url is None
        assert (keys.public_key, keys.private_key) == old.admin_keys
    with CloudBasicSimulator(activated=False, appliance_version=NEWEST) as new:
        with CloudBasicClient(new.url, None, xml=xml) as anonymous, pytest.raises(ApiError) as info:
            anonymous.call("ActivateInstance", body, signed=False)
        assert "greeToEula must be true" in info.value.messages[0]


def test_create_cluster_without_local_server_before_12_347() -> None:
    without_local = ClusterRequest(
        remote_server="10.0.2.10", port=81, public_key=PAIR[0], private_key=PAIR[1]
    )
    with (
        CloudBasicSimulator(appliance_version="12.346") as old,
        make_client(old, region="us-east-1") as client,
    ):
        client.create_cluster(without_local)
        assert old.cluster is not None
        assert old.cluster.local_server == "127.0.0.1"  # the host the call was sent to
        client.delete_cluster("127.0.0.1")  # the vendor sample names the node it calls, without keys
        assert old.cluster is None
    with CloudBasicSimulator(appliance_version="12.347") as new, make_client(new) as client:
        with pytest.raises(ApiError) as info:
            client.create_cluster(without_local)
        assert list(info.value.messages) == ["localServer is required"]


def _post(client: CloudBasicClient, action: str, body: dict[str, Any]) -> Response:
    """The raw answer to a signed JSON POST of ``action`` (the client's own decoding bypassed)."""
    request = json_request("POST", f"{client.base_url}/api/{action}", body, headers={}, auth=client.auth)
    return client._transport.send(request, operation=action)


# -- answer shapes ---------------------------------------------------------------------------------------
@pytest.fixture
def pascal_sim() -> Iterator[CloudBasicSimulator]:
    with CloudBasicSimulator(seeding_seconds=0.2, dialect=Dialect(json_case="pascal")) as sim:
        yield sim


def test_pascal_case_json_answers(pascal_sim: CloudBasicSimulator) -> None:
    replication_id = pascal_sim.add_replications(1, seeded=True)[0]
    with make_client(pascal_sim) as client:
        answer = _post(client, "ReplicationStatus", {"replicationId": replication_id})
        wire = answer.json()
        assert "SeedingStatus" in wire
        assert "ReplicationId" in wire
        assert "seedingStatus" not in wire
        status = client.replication_status(replication_id)
        assert status.replication_id == replication_id
        assert status.seeding_status == "Success"
        assert status.seeding_progress == 100
        listed = client.get_replications_list()
        assert [r.replication_id for r in listed] == [replication_id]
        assert listed[0].is_enabled is True


@pytest.mark.parametrize("xml", [False, True], ids=["json", "xml"])
def test_error_message_variant_always_xml(xml: bool) -> None:
    with CloudBasicSimulator(dialect=Dialect(errors="message")) as sim, make_client(sim, xml=xml) as client:
        answer = _post(client, "ReplicationStatus", {})
        assert answer.headers["Content-Type"].startswith("application/xml")
        assert answer.content.count(b"<Message>") == 1
        assert b"<Error>" in answer.content
        with pytest.raises(ApiError) as info:
            client.replication_status("998acaec-9211-4dac-b90b-196fd1d17993")
    assert info.value.status == 400
    assert list(info.value.messages) == ["998acaec-9211-4dac-b90b-196fd1d17993:Replication not found"]
    assert info.value.request_id


def test_xml_errors_for_json_requests() -> None:
    with CloudBasicSimulator(dialect=Dialect(xml_errors=True)) as sim, make_client(sim) as client:
        answer = _post(client, "GetLogs", {})
        assert answer.headers["Content-Type"].startswith("application/xml")
        assert b"<ErrorResponse>" in answer.content
        with pytest.raises(ApiError) as info:
            client.get_logs("")
    assert list(info.value.messages) == ["id is required"]
    assert info.value.request_id


@pytest.mark.parametrize("spelling", ["Error", "failed", "Cancelled"])
def test_a_seeding_failure_spelled_otherwise(spelling: str) -> None:
    with (
        CloudBasicSimulator(seeding_seconds=0.0, dialect=Dialect(seeding_failure=spelling)) as sim,
        make_client(sim) as client,
    ):
        replication_id = client.create_replication(
            CreateReplicationRequest(source=Endpoint(SOURCE), destination=Endpoint(REPLICA))
        )
        sim.set_replication_outcome(replication_id, "Failed")
        status = client.replication_status(replication_id)
        assert status.seeding_status == spelling
        listed = client.get_replications_list()
        assert listed[0].is_enabled is False


def test_command_line_dialect_switches_are_checked() -> None:
    from simulators.cloudbasic.__main__ import build_parser

    args = build_parser().parse_args(
        ["--appliance-version", "12.300", "--json-case", "pascal", "--error-shape", "message", "--xml-errors"]
    )
    assert str(args.appliance_version) == "12.300"
    assert (args.json_case, args.error_shape, args.xml_errors) == ("pascal", "message", True)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--appliance-version", "twelve"])
