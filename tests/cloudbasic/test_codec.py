"""Request encoding, response and error decoding, tolerant models, ``is_not_found`` and lazy imports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from cbprovider.cloudbasic import KeyPair, ReplicationStatus, is_not_found
from cbprovider.cloudbasic.codec import decode_error, decode_response, encode_request
from cbprovider.cloudbasic.models import Latency, replications_from_response
from cbprovider.errors import ApiError, ResponseFormatError
from defusedxml.ElementTree import fromstring

BODY = {
    "replicationMethod": "ContinuousWithAutoSeeding",
    "rebuildIndexes": False,
    "parallelTablesLimit": 5,
    "tde": None,
    "source": {"connectionString": "Data Source=a", "encryptDataInTransit": True},
    "tablesToInclude": ["[dbo].[A]", "[dbo].[B]"],
    "skipExisting": True,
}


def test_json_request_is_the_bare_camel_case_object_without_nulls() -> None:
    data, content_type = encode_request("CreateReplication", {**BODY, "TableName": "[dbo].[A]"}, xml=False)
    assert content_type == "application/json"
    decoded = json.loads(data)
    assert decoded["tableName"] == "[dbo].[A]"
    assert "tde" not in decoded
    assert decoded["source"] == {"connectionString": "Data Source=a", "encryptDataInTransit": True}


def test_xml_request_shape() -> None:
    data, content_type = encode_request("CreateReplication", BODY, xml=True)
    assert content_type == "application/xml"
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = fromstring(data)
    assert root.tag == "CreateReplicationRequest"
    assert root.findtext("ReplicationMethod") == "ContinuousWithAutoSeeding"
    assert root.findtext("RebuildIndexes") == "false"
    assert root.findtext("ParallelTablesLimit") == "5"
    assert root.find("Tde") is None
    assert root.findtext("Source/ConnectionString") == "Data Source=a"
    assert root.findtext("Source/EncryptDataInTransit") == "true"
    assert [e.text for e in root.findall("TablesToInclude")] == ["[dbo].[A]", "[dbo].[B]"]
    assert root.findtext("skipExisting") == "true"


def test_xml_names_that_differ_from_their_json_keys() -> None:
    body = {"username": "ops", "firstName": "Op", "lastName": "Er", "email": "e@x"}
    root = fromstring(encode_request("CreateUser", body, xml=True)[0])
    assert [child.tag for child in root] == ["UserName", "Firstname", "Lastname", "Email"]


def test_empty_bodies() -> None:
    assert encode_request("GetReplicationsList", None, xml=False)[0] == b"{}"
    assert (
        fromstring(encode_request("GetReplicationsList", None, xml=True)[0]).tag
        == "GetReplicationsListRequest"
    )


def test_xml_response_is_normalised_with_lists() -> None:
    body = (
        b"<GetReplicationsListResponse><Replications><Replication><ReplicationId>a</ReplicationId>"
        b"<IsEnabled>true</IsEnabled></Replication></Replications></GetReplicationsListResponse>"
    )
    answer = decode_response("GetReplicationsList", body)
    assert answer == {"replications": [{"replicationId": "a", "isEnabled": "true"}]}
    (only,) = replications_from_response(answer)
    assert only.is_enabled is True


def test_xml_cdata_logs_are_kept_verbatim() -> None:
    body = (
        b"<GetLogsResponse><Id>x</Id><Logs><![CDATA[1/1/2026 1:00:00 AM>>[START]\r\nline <2>]]>"
        b"</Logs></GetLogsResponse>"
    )
    # XML parsers normalise CRLF line ends to LF.
    assert decode_response("GetLogs", body)["logs"] == "1/1/2026 1:00:00 AM>>[START]\nline <2>"


def test_empty_success_bodies() -> None:
    assert decode_response("DeleteReplication", b"") == {}
    assert decode_response("DeleteReplication", b"<DeleteReplicationResponse/>") == {}


def test_pascal_case_json_and_string_scalars_are_accepted() -> None:
    answer = decode_response(
        "GetLatency",
        b'{"ReplicationId": "r", "AverageLatency": "0.2 secs", "IsDataReplicationOn": "true", '
        b'"Period": "48"}',
    )
    latency = Latency.from_response(answer)
    assert latency.replication_id == "r"
    assert latency.is_data_replication_on is True
    status = ReplicationStatus.from_response({"ReplicationId": "r", "SeedingProgress": "40%", "CtPId": "c"})
    assert status.seeding_progress == 40
    assert status.ct_pid == "c"


@pytest.mark.parametrize("body", [b"not json", b"{broken", b"<Unclosed>", b"[1, 2]"])
def test_unreadable_success_is_a_format_error(body: bytes) -> None:
    with pytest.raises(ResponseFormatError):
        decode_response("GetLogs", body)


def test_xml_error_response_gives_every_message() -> None:
    body = (
        b"<ErrorResponse><RequestId>21</RequestId><Errors><Error>first problem</Error>"
        b"<Error>second problem</Error></Errors></ErrorResponse>"
    )
    error = decode_error("CreateReplication", 400, body)
    assert error.messages == ("first problem", "second problem")
    assert error.request_id == "21"
    assert error.service == "CloudBasic"
    assert error.operation == "CreateReplication"
    assert "(RequestId 21)" in str(error)


def test_json_error_response_with_numeric_request_id() -> None:
    error = decode_error(
        "DeleteReplication", 400, b'{"errors": ["abc:Replication not found"], "requestId": 20}'
    )
    assert error.messages == ("abc:Replication not found",)
    assert error.request_id == "20"


def test_entity_declarations_are_refused_not_expanded() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "x">]>'
        b"<GetLogsResponse><Logs>&a;</Logs></GetLogsResponse>"
    )
    with pytest.raises(ResponseFormatError):
        decode_response("GetLogs", bomb)


def _error(message: str, status: int = 400, service: str = "CloudBasic") -> ApiError:
    return ApiError(service=service, operation="DeleteReplication", status=status, messages=[message])


def test_is_not_found() -> None:
    assert is_not_found(_error("998acaec-9211-4dac-b90b-196fd1d17993:Replication not found"))
    assert is_not_found(_error("998ACAEC-9211-4DAC-B90B-196FD1D17993: Replication does not exist"))
    assert not is_not_found(
        _error("998acaec-9211-4dac-b90b-196fd1d17993:Replication seeding has not completed")
    )
    assert not is_not_found(_error("Instance is not activated"))
    assert not is_not_found(_error("998acaec-9211-4dac-b90b-196fd1d17993:Replication not found", status=500))
    assert not is_not_found(
        _error("998acaec-9211-4dac-b90b-196fd1d17993:Replication not found", service="Capella")
    )


def test_key_pair_repr_hides_the_private_key() -> None:
    keys = KeyPair.from_response({"PublicKey": "AKIAPUBLIC", "PrivateKey": "hidden-private-key"})
    assert keys.private_key == "hidden-private-key"
    assert "hidden-private-key" not in repr(keys)


def test_importing_the_package_is_cheap() -> None:
    code = (
        "import sys, cbprovider.cloudbasic as cb; "
        "heavy = [m for m in ('requests', 'botocore', 'boto3', 'defusedxml', 'moto', 'pytest', 'simulators') "
        "if m in sys.modules]; print(heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
