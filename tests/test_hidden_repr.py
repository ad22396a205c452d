"""Typed records that carry a secret or a whole raw API answer leave it out of ``repr`` (what tracebacks,
debug logs and assertion messages print), while it still counts for equality."""

from __future__ import annotations

import msgspec
import pytest
from cbprovider.automation.settings import CapellaTarget, CloudBasicTarget
from cbprovider.capella.v4.models import Access, CreatedCredential, CredentialSpec, CredentialUpdate
from cbprovider.cloudbasic import models as cb
from cbprovider.hidden_repr import repr_hiding
from cbprovider.http_message import PreparedRequest, Response
from cbprovider.resources.cloudbasic.replication_endpoints import ResolvedEndpoint
from urllib3._collections import HTTPHeaderDict

SECRET = "s3cret-value-XYZ"
RAW = {"rawMarker": "raw-answer-XYZ"}
HIDDEN_TEXTS = (SECRET, "raw-answer-XYZ", "rawMarker")

RECORDS: list[tuple[msgspec.Struct, str]] = [
    (cb.KeyPair(public_key="pub-visible", private_key=SECRET, raw=RAW), "pub-visible"),
    (cb.ServiceStatus(status="status-visible", raw=RAW), "status-visible"),
    (cb.ReplicationSummary(replication_id="id-visible", raw=RAW), "id-visible"),
    (cb.ReplicationStatus(replication_id="id-visible", raw=RAW), "id-visible"),
    (cb.JobStatus(replication_id="id-visible", status=None, raw=RAW), "id-visible"),
    (cb.ReseedTableStatus(is_running=True, raw=RAW), "is_running=True"),
    (cb.Logs(id="id-visible", type=None, logs="", raw=RAW), "id-visible"),
    (cb.Latency(replication_id="id-visible", average_latency=None, raw=RAW), "id-visible"),
    (
        cb.Endpoint(connection_string=f"Server=x;Password={SECRET}", extra={"k": "extra-visible"}),
        "extra-visible",
    ),
    (
        cb.CreateReplicationRequest(
            source=cb.Endpoint(connection_string=SECRET),
            destination=cb.Endpoint(connection_string=SECRET, encrypt_data_in_transit=True),
            replication_name="name-visible",
        ),
        "name-visible",
    ),
    (
        cb.AlterReplicationRequest(
            replication_name="name-visible",
            source_connection_string=SECRET,
            destination_connection_string=SECRET,
        ),
        "name-visible",
    ),
    (
        cb.CreateUserRequest(
            email="mail-visible", username="u", first_name="f", last_name="l", password=SECRET
        ),
        "mail-visible",
    ),
    (
        cb.ActivateInstanceRequest(
            email="mail-visible", instance_id="i", password=SECRET, activation_key=SECRET
        ),
        "mail-visible",
    ),
    (
        cb.ClusterRequest(remote_server="10.0.0.1", public_key="pub-visible", private_key=SECRET),
        "pub-visible",
    ),
    (CreatedCredential(id="id-visible", password=SECRET), "id-visible"),
    (CredentialSpec(name="name-visible", access=[Access(("read",))], password=SECRET), "name-visible"),
    (CredentialUpdate(access=[Access(("read",))], password=SECRET), "privileges=('read',)"),
    (
        CloudBasicTarget(name="name-visible", api_url="https://a", credentials=("AKIDVISIBLE", SECRET)),
        "name-visible",
    ),
    (CapellaTarget(name="name-visible", credentials=("AKIDVISIBLE", SECRET), token=SECRET), "name-visible"),
    (ResolvedEndpoint("server-visible", "db", f"Data Source=x;Password={SECRET}"), "server-visible"),
    (
        Response(
            200,
            HTTPHeaderDict(),
            b"",
            "reason-visible",
            PreparedRequest("GET", "https://a/", HTTPHeaderDict({"Authorization": SECRET}), None),
        ),
        "reason-visible",
    ),
]


@pytest.mark.parametrize(("record", "shown"), RECORDS, ids=[type(r).__name__ for r, _ in RECORDS])
def test_the_repr_leaves_secrets_and_raw_answers_out(record: msgspec.Struct, shown: str) -> None:
    text = repr(record)
    assert text.startswith(f"{type(record).__name__}(")
    assert shown in text
    for hidden in HIDDEN_TEXTS:
        assert hidden not in text
        assert hidden not in f"{[record]}"


def test_hidden_fields_still_count_for_equality() -> None:
    one = cb.KeyPair(public_key="p", private_key="a-private-key")
    assert one == cb.KeyPair(public_key="p", private_key="a-private-key")
    assert one != cb.KeyPair(public_key="p", private_key="another-private-key")
    assert repr(one) == repr(cb.KeyPair(public_key="p", private_key="another-private-key"))


def test_the_repr_reads_like_the_default_one_for_the_fields_it_shows() -> None:
    class Pair(msgspec.Struct, frozen=True):
        shown: str
        number: int | None = None
        hidden: str = ""
        __repr__ = repr_hiding("hidden")

    assert repr(Pair("a", 1, "b")) == "Pair(shown='a', number=1)"
