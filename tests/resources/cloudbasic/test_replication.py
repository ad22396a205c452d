"""Custom::CloudBasicReplication through the real CloudBasic provider handler, over HTTP and moto."""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any

import pytest
from cbprovider.resources.cloudbasic import sql_connection as sql
from cbprovider.runtime import is_placeholder
from hypothesis import given
from hypothesis import strategies as st

from simulators.stack import LocalStack, register_endpoint
from tests.resources.conftest import CloudBasicEnv
from tests.resources.sample_events import NAMES, check_sample_event, load_event

TYPE = "Custom::CloudBasicReplication"
SOURCE_PASSWORD = 'Src-pa;55"w0rd'
REPLICA_PASSWORD = "Rep-Pa55w0rd-4711"
ROTATED_PASSWORD = "Rot-Pa55w0rd-0815"
EVENTS = Path(__file__).resolve().parents[3] / "events"


def props(cb: CloudBasicEnv, **overrides: Any) -> dict[str, Any]:
    source = cb.rds_secret(host="sales-db.example.internal", password=SOURCE_PASSWORD)
    replica = cb.rds_secret(host="replica-db.example.internal", database=None, password=REPLICA_PASSWORD)
    return {
        "Source": {"SecretArn": source},
        "Destination": {"SecretArn": replica, "Database": "SalesReplica"},
        "ReplicationName": "sales-dr",
        **overrides,
    }


def no_leftovers() -> bool:
    return LocalStack.leftovers() == {"rules": [], "poll_state": []}


def assert_no_secret_sent(cb: CloudBasicEnv) -> None:
    sent = cb.everything_sent()
    for secret in (SOURCE_PASSWORD, REPLICA_PASSWORD, ROTATED_PASSWORD, "Pa55w0rd"):
        assert secret not in sent


def action_calls(cb: CloudBasicEnv, action: str) -> int:
    return sum(1 for call in cb.sim.calls if call.path == f"/api/{action}")


# -- create / update / delete -------------------------------------------------------------------------
def test_create_builds_escaped_connection_strings_and_returns_the_guid(cb: CloudBasicEnv) -> None:
    created = cb.stack.send("Create", TYPE, "Replica", props(cb))
    assert created.status == "SUCCESS", created.reason
    job = cb.sim.replications[created.physical_id]
    assert created.data == {
        "ReplicationId": created.physical_id,
        "Status": "Running",
        "SourceDatabase": "Sales",
        "DestinationDatabase": "SalesReplica",
    }
    source = dict(sql.parse(job.source))
    assert source == {
        "data source": "sales-db.example.internal,1433",
        "initial catalog": "Sales",
        "user id": "admin",
        "password": SOURCE_PASSWORD,
    }
    assert job.source.startswith("Data Source=sales-db.example.internal,1433;Initial Catalog=Sales;")
    assert dict(sql.parse(job.destination))["initial catalog"] == "SalesReplica"
    assert job.name == "sales-dr"
    assert job.data_replication
    assert no_leftovers()
    assert_no_secret_sent(cb)


def test_scalars_arrive_as_strings_and_are_coerced(cb: CloudBasicEnv) -> None:
    given = props(
        cb,
        ParallelTablesLimit="5",
        DataReplication="false",
        ReplicateViews="false",
        StagingBufferType="ReplicaDb",
        TablesToExclude=["[dbo].[Audit]", "[dbo].[Log]"],
        Tde={"CertificateName": "tde_cert", "KeyAlgorithm": "AES 128"},
    )
    given["Source"]["ChangeTrackingRetentionPeriod"] = "2 DAYS"
    given["Source"]["EncryptDataInTransit"] = "true"
    created = cb.stack.send("Create", TYPE, "Replica", given)
    assert created.status == "SUCCESS", created.reason
    job = cb.sim.replications[created.physical_id]
    assert job.settings["paralleltableslimit"] == 5
    assert job.settings["replicateviews"] is False
    assert job.settings["stagingbuffertype"] == "ReplicaDb"
    assert job.settings["tablestoexclude"] == "[dbo].[Audit],[dbo].[Log]"
    assert job.source_encrypt
    assert not job.data_replication, "DataReplication false is applied right after the create"
    assert action_calls(cb, "CreateReplication") == 1
    assert action_calls(cb, "AlterReplication") == 1


def test_a_password_free_connection_string_is_accepted(cb: CloudBasicEnv) -> None:
    given = props(cb)
    given["Source"] = {
        "ConnectionString": "Server=tcp:sales-db.example.internal,1433;Integrated Security=SSPI",
        "Database": "Sales",
    }
    created = cb.stack.send("Create", TYPE, "Replica", given)
    assert created.status == "SUCCESS", created.reason
    source = dict(sql.parse(cb.sim.replications[created.physical_id].source))
    assert source["initial catalog"] == "Sales"
    assert source["integrated security"] == "SSPI"


def test_wait_for_seeded_polls_across_invocations(cb: CloudBasicEnv) -> None:
    created = cb.stack.send("Create", TYPE, "Replica", props(cb, WaitFor="Seeded", ServiceTimeout="900"))
    assert created.status == "SUCCESS", created.reason
    assert created.invocations > 2
    assert created.data["Status"] == "Success"
    assert cb.sim.replications[created.physical_id].seeded(cb.sim.state.clock.now())
    assert no_leftovers()


def test_failed_seeding_fails_with_the_real_id_and_the_rollback_deletes_it(cb: CloudBasicEnv) -> None:
    def fail_seeding(kind: str, event: Any) -> None:
        if kind == "poll":
            for replication_id in list(cb.sim.replications):
                cb.sim.set_replication_outcome(replication_id, "Failed")

    cb.stack.on_invoke = fail_seeding
    given = props(cb, WaitFor="Seeded")
    created = cb.stack.send("Create", TYPE, "Replica", given)
    assert created.status == "FAILED"
    assert created.physical_id in cb.sim.replications
    assert "[SeedingFailed]" in created.reason
    assert created.physical_id in created.reason
    assert no_leftovers()
    cb.stack.on_invoke = None
    rollback = cb.stack.send("Delete", TYPE, "Replica", given, physical_id=created.physical_id)
    assert rollback.status == "SUCCESS", rollback.reason
    assert cb.sim.replications == {}
    assert_no_secret_sent(cb)


def test_update_in_place_alters_the_job_and_picks_up_a_re_pointed_secret(cb: CloudBasicEnv) -> None:
    old = props(cb)
    created = cb.stack.send("Create", TYPE, "Replica", old)
    assert created.status == "SUCCESS", created.reason
    new = copy.deepcopy(old)
    new["Source"]["SecretArn"] = cb.rds_secret(host="SALES-DB.example.internal", password=ROTATED_PASSWORD)
    new.update(
        ReplicationName="sales-dr-2",
        ParallelTablesLimit="8",
        DataReplication="false",
        TablesToExclude=["[dbo].[Audit]"],
    )
    updated = cb.stack.send(
        "Update", TYPE, "Replica", new, physical_id=created.physical_id, old_properties=old
    )
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id == created.physical_id
    job = cb.sim.replications[created.physical_id]
    assert job.name == "sales-dr-2"
    assert not job.data_replication
    assert job.settings["parallelreplicationlimit"] == 8
    assert job.settings["tablestoexclude"] == "[dbo].[Audit]"
    assert dict(sql.parse(job.source))["password"] == ROTATED_PASSWORD
    assert action_calls(cb, "CreateReplication") == 1
    assert len(cb.sim.replications) == 1
    assert_no_secret_sent(cb)


def test_update_of_a_create_only_option_succeeds_and_says_it_is_not_applied(cb: CloudBasicEnv) -> None:
    old = props(cb)
    created = cb.stack.send("Create", TYPE, "Replica", old)
    new = {**old, "ReplicateViews": "false"}
    updated = cb.stack.send(
        "Update", TYPE, "Replica", new, physical_id=created.physical_id, old_properties=old
    )
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id == created.physical_id
    assert "ReplicateViews" in updated.reason
    new["Source"] = {**old["Source"], "EncryptDataInTransit": "true"}
    again = cb.stack.send("Update", TYPE, "Replica", new, physical_id=created.physical_id, old_properties=old)
    assert again.status == "SUCCESS", again.reason
    assert (
        "ReplicateViews, Source.EncryptDataInTransit apply only when a replication is created" in again.reason
    )


@pytest.mark.parametrize("change", ["destination-database", "source-host", "method", "tde"])
def test_replacing_update_creates_a_new_job_and_leaves_the_old_for_delete(
    cb: CloudBasicEnv, change: str
) -> None:
    old = props(cb)
    created = cb.stack.send("Create", TYPE, "Replica", old)
    new = copy.deepcopy(old)
    if change == "destination-database":
        new["Destination"]["Database"] = "SalesCopy"
    elif change == "source-host":
        new["Source"]["SecretArn"] = cb.rds_secret(host="sales-db-2.example.internal", password="x")
    elif change == "method":
        new["ReplicationMethod"] = "ContinuousWithSemiAutoSeeding"
    else:
        new["Tde"] = {"CertificateName": "tde_cert"}
    updated = cb.stack.send(
        "Update", TYPE, "Replica", new, physical_id=created.physical_id, old_properties=old
    )
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id != created.physical_id
    assert set(cb.sim.replications) == {created.physical_id, updated.physical_id}
    cleanup = cb.stack.send("Delete", TYPE, "Replica", old, physical_id=created.physical_id)
    assert cleanup.status == "SUCCESS", cleanup.reason
    assert set(cb.sim.replications) == {updated.physical_id}


def test_delete_removes_the_job_and_a_second_delete_succeeds(cb: CloudBasicEnv) -> None:
    given = props(cb)
    created = cb.stack.send("Create", TYPE, "Replica", given)
    deleted = cb.stack.send("Delete", TYPE, "Replica", given, physical_id=created.physical_id)
    assert (deleted.status, deleted.physical_id) == ("SUCCESS", created.physical_id)
    assert cb.sim.replications == {}
    calls = len(cb.sim.calls)
    again = cb.stack.send("Delete", TYPE, "Replica", given, physical_id=created.physical_id)
    assert again.status == "SUCCESS", again.reason
    assert "not this stack resource's" in again.reason
    assert len(cb.sim.calls) == calls


@pytest.mark.parametrize("physical_id", ["failed-create-Replica-0123abcd", "Replica-ABCDEF123456"])
def test_delete_of_an_id_this_type_never_made_touches_nothing(cb: CloudBasicEnv, physical_id: str) -> None:
    existing = cb.sim.add_replications(1)
    deleted = cb.stack.send("Delete", TYPE, "Replica", props(cb), physical_id=physical_id)
    assert (deleted.status, deleted.physical_id) == ("SUCCESS", physical_id)
    assert cb.sim.calls == []
    assert list(cb.sim.replications) == existing


# -- delivery and API failures ------------------------------------------------------------------------
def test_duplicate_delivery_of_a_request_creates_one_job(cb: CloudBasicEnv) -> None:
    event = cb.stack.event("Create", TYPE, "Replica", props(cb))
    first = cb.stack.run(event)
    second = cb.stack.run(copy.deepcopy(event))
    assert first.status == "SUCCESS", first.reason
    assert len(second.responses) == 1
    assert len(cb.sim.replications) == 1
    assert action_calls(cb, "CreateReplication") == 1


def test_server_errors_are_retried(cb: CloudBasicEnv) -> None:
    cb.sim.faults.fail_times("CreateReplication", 2, status=503)
    cb.sim.faults.fail_times("ReplicationStatus", 1, status=500)
    created = cb.stack.send("Create", TYPE, "Replica", props(cb))
    assert created.status == "SUCCESS", created.reason
    assert len(cb.sim.replications) == 1
    assert action_calls(cb, "CreateReplication") == 3


def test_an_unreadable_create_answer_adopts_the_one_new_job(cb: CloudBasicEnv) -> None:
    cb.sim.add_replications(2)
    cb.sim.faults.add("CreateReplication", malformed=True)
    created = cb.stack.send("Create", TYPE, "Replica", props(cb))
    assert created.status == "SUCCESS", created.reason
    assert len(cb.sim.replications) == 3
    assert cb.sim.replications[created.physical_id].name == "sales-dr"


def test_an_unreadable_status_answer_fails_with_the_real_id(cb: CloudBasicEnv) -> None:
    cb.sim.faults.add("ReplicationStatus", malformed=True)
    given = props(cb)
    created = cb.stack.send("Create", TYPE, "Replica", given)
    assert created.status == "FAILED"
    assert created.physical_id in cb.sim.replications
    assert "[ResponseFormatError]" in created.reason
    rollback = cb.stack.send("Delete", TYPE, "Replica", given, physical_id=created.physical_id)
    assert rollback.status == "SUCCESS"
    assert cb.sim.replications == {}


def test_a_client_error_reaches_the_reason_with_the_request_id(cb: CloudBasicEnv) -> None:
    given = props(cb)
    missing = "0f8fad5b-d9cb-469f-a165-70867728950e"
    cb.stack.own(TYPE, "Replica", missing, given)
    updated = cb.stack.send(
        "Update",
        TYPE,
        "Replica",
        {**given, "ReplicationName": "x"},
        physical_id=missing,
        old_properties=given,
    )
    assert updated.status == "FAILED"
    assert updated.physical_id == missing
    assert updated.reason.startswith("[ApiError 400] CloudBasic AlterReplication failed with HTTP 400")
    assert f"{missing}:Replication not found" in updated.reason
    assert "(RequestId " in updated.reason
    assert_no_secret_sent(cb)


def test_a_slow_api_near_the_lambda_deadline_fails_once_with_the_real_id(cb: CloudBasicEnv) -> None:
    cb.sim.faults.add("ReplicationStatus", delay=4.0)
    given = props(cb)
    created = cb.stack.send("Create", TYPE, "Replica", given, context_seconds=10)
    assert created.status == "FAILED"
    assert created.physical_id in cb.sim.replications
    assert "timed out" in created.reason
    assert no_leftovers()
    rollback = cb.stack.send("Delete", TYPE, "Replica", given, physical_id=created.physical_id)
    assert rollback.status == "SUCCESS"
    assert cb.sim.replications == {}


# -- bad input ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"ReplicationNmae": "typo"}, "ReplicationNmae: unknown property"),
        ({"ParallelTablesLimit": "abc"}, "ParallelTablesLimit: input should be a valid integer"),
        ({"ParallelTablesLimit": "0"}, "ParallelTablesLimit"),
        ({"StagingBufferType": "Disk"}, "StagingBufferType"),
        ({"WaitFor": "Forever"}, "WaitFor"),
        ({"TablesToExclude": ["dbo.Audit"]}, "TablesToExclude: value error, each entry must be a [schema]"),
        (
            {"Source": {"SecretArn": "arn:x", "ConnectionString": "Server=a"}},
            "Source: value error, give exactly",
        ),
        ({"Source": {"Database": "Sales"}}, "Source: value error, give exactly one"),
        (
            {"Destination": {"ConnectionString": "Server=r;Database=d;User ID=u;Password=hunter2"}},
            "Destination.ConnectionString: value error, must not contain a password",
        ),
        ({"Source": {"ConnectionString": "Server=r;Pwd=hunter2;Database=d"}}, "Source.ConnectionString"),
        ({"Source": {"SecretArn": "arn:x", "Colour": "blue"}}, "Source.Colour: unknown property"),
    ],
)
def test_bad_input_is_refused_naming_the_property(
    cb: CloudBasicEnv, change: dict[str, Any], named: str
) -> None:
    created = cb.stack.send("Create", TYPE, "Replica", {**props(cb), **change})
    assert created.status == "FAILED"
    assert is_placeholder(created.physical_id)
    assert named in created.reason
    assert "hunter2" not in cb.everything_sent()
    assert cb.sim.calls == []


def test_a_secret_without_a_database_needs_database(cb: CloudBasicEnv) -> None:
    given = props(cb)
    del given["Destination"]["Database"]
    created = cb.stack.send("Create", TYPE, "Replica", given)
    assert created.status == "FAILED"
    assert "Destination.Database: required when the secret" in created.reason
    assert cb.sim.calls == []


def test_an_unreadable_secret_names_its_property(cb: CloudBasicEnv) -> None:
    given = props(cb)
    given["Source"]["SecretArn"] = "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf"
    created = cb.stack.send("Create", TYPE, "Replica", given)
    assert created.status == "FAILED"
    assert "Source.SecretArn: cannot read secret" in created.reason


def test_an_endpoint_without_keys_serves_only_the_activation(cb: CloudBasicEnv) -> None:
    register_endpoint("cloudbasic", "unsigned", cb.sim.url)
    created = cb.stack.send("Create", TYPE, "Replica", props(cb, Endpoint="unsigned"))
    assert created.status == "FAILED"
    assert (
        "[EndpointInvalid] cloudbasic endpoint 'unsigned': CredentialsSecretArn: is not set" in created.reason
    )
    assert cb.sim.calls == []
    named = cb.stack.send("Create", TYPE, "Replica", props(cb, Endpoint="default"))
    assert named.status == "SUCCESS", named.reason


def test_no_password_reaches_the_log_even_at_debug_level(
    cb: CloudBasicEnv, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    from cbprovider.runtime.log import logger

    caplog.set_level(logging.DEBUG)
    previous = logger.log_level
    logger.setLevel("DEBUG")
    try:
        given = props(cb, WaitFor="Seeded")
        created = cb.stack.send("Create", TYPE, "Replica", given)
        cb.sim.faults.add("AlterReplication", status=400)
        failed = cb.stack.send(
            "Update", TYPE, "Replica", {**given, "ReplicationName": "y"}, physical_id=created.physical_id,
            old_properties=given,
        )  # fmt: skip
    finally:
        logger.setLevel(previous)
    assert (created.status, failed.status) == ("SUCCESS", "FAILED")
    out = capsys.readouterr()
    seen = cb.everything_sent() + caplog.text + out.out + out.err
    assert cb.log.getvalue(), "the log was captured"
    for secret in (SOURCE_PASSWORD, REPLICA_PASSWORD):
        assert secret not in seen


@pytest.mark.parametrize("name", NAMES)
def test_sample_events_parse_and_classify(cb: CloudBasicEnv, name: str) -> None:
    from cbprovider.resources.cloudbasic.replication import Replication

    event = load_event("cloudbasic-replication", name)
    if event["RequestType"] == "Update":
        # The sample names secrets of another account: stand moto secrets with the same roles in for them.
        stand_ins: dict[str, str] = {}
        for properties in (event["ResourceProperties"], event["OldResourceProperties"]):
            for role in ("Source", "Destination"):
                arn = properties[role]["SecretArn"]
                host = "sales-db.example.internal" if role == "Source" else "replica-db.example.internal"
                stand_ins.setdefault(arn, cb.rds_secret(host=host, password="sample"))
                properties[role]["SecretArn"] = stand_ins[arn]
    check_sample_event(Replication(), event, name)


@given(
    st.lists(st.tuples(st.sampled_from(["Data Source", "User ID", "Password", "App"]), st.text()), max_size=4)
)
def test_connection_string_values_survive_quoting(pairs: list[tuple[str, str]]) -> None:
    assert sql.parse(sql.build(pairs)) == [(key.lower(), value) for key, value in pairs]
