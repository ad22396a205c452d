"""DR promotion through the Lambda handler: success with DNS, failure, refusal, resume, validation."""

from __future__ import annotations

import pytest
from cbprovider.automation.errors import InputError, UnsafePromotionError
from cbprovider.automation.lambda_promote import handle
from cbprovider.automation.promotion_request import PromotionRequest

from simulators.cloudbasic import CloudBasicSimulator
from simulators.stack import register_endpoint
from tests.automation.conftest import FakeContext, cname_records, hosted_zone, put_secret

FLAGS = {
    "IgnoreInaccessibleSourceConnection": True,
    "IgnoreDbDiscrepancies": "true",
    "CancelRunningCtProcess": True,
}


@pytest.fixture
def env(aws, cloudbasic_sim, monkeypatch):
    access, secret = cloudbasic_sim.admin_keys
    arn = put_secret("cloudbasic/admin", {"AccessKeyId": access, "SecretAccessKey": secret})
    zone = hosted_zone()
    # A host name, not 127.0.0.1: the CNAME points at the promoted endpoint's host by default.
    url = f"http://localhost:{cloudbasic_sim.port}"
    register_endpoint("cloudbasic", "default", url, credentials_secret_arn=arn)
    monkeypatch.setenv("PROMOTION_HOSTED_ZONE_ID", zone)
    monkeypatch.setenv("PROMOTION_RECORD_NAMES", "*.example.internal")
    return zone


def promote_calls(sim: CloudBasicSimulator) -> list[str]:
    return [c.key for c in sim.calls if c.key.startswith("Promote")]


def test_success_then_cname_points_at_the_promoted_endpoint(env, cloudbasic_sim):
    [replication_id] = cloudbasic_sim.add_replications(1)
    event = {
        "ReplicationId": replication_id,
        **FLAGS,
        "PollIntervalSeconds": 0.1,
        "Dns": {"HostedZoneId": env, "RecordName": "sales-db.example.internal", "Ttl": "60"},
    }

    result = handle(event, FakeContext(30))

    assert result["status"] == "Success"
    assert result["continue"] is False
    assert result["promoteCalled"] is True
    assert result["progress"] == 100
    assert result["dnsStatus"] == "Updated"
    assert result["dnsError"] is None
    assert result["dns"]["target"] == "replica.example.internal"
    assert cname_records(env) == {"sales-db.example.internal.": ("replica.example.internal", 60)}
    assert promote_calls(cloudbasic_sim)[0] == "PromoteDbReplicaToPrimary"
    assert set(promote_calls(cloudbasic_sim)[1:]) == {"PromoteDbReplicaToPrimaryStatus"}


def test_explicit_target_is_used(env, cloudbasic_sim):
    [replication_id] = cloudbasic_sim.add_replications(1)
    event = {
        "ReplicationId": replication_id,
        "PollIntervalSeconds": 0.1,
        "Dns": {"HostedZoneId": env, "RecordName": "db.example.internal", "Target": "dr.example.net"},
    }

    result = handle(event, FakeContext(30))

    assert result["status"] == "Success"
    assert cname_records(env) == {"db.example.internal.": ("dr.example.net", 300)}


def test_failed_promotion_is_reported_and_dns_is_left_alone(env, cloudbasic_sim):
    [replication_id] = cloudbasic_sim.add_replications(1)
    cloudbasic_sim.set_promotion_outcome(replication_id, "Failed")
    event = {
        "ReplicationId": replication_id,
        "PollIntervalSeconds": 0.1,
        "Dns": {"HostedZoneId": env, "RecordName": "db.example.internal"},
    }

    result = handle(event, FakeContext(30))

    assert result["status"] == "Failed"
    assert result["continue"] is False
    assert result["dnsStatus"] == "NotAttempted"
    assert any("ERROR" in line for line in result["logsTail"])
    assert cname_records(env) == {}


def test_unsafe_flags_are_refused_before_any_call(env, cloudbasic_sim):
    [replication_id] = cloudbasic_sim.add_replications(1)
    event = {
        "ReplicationId": replication_id,
        "TurnOffDataReplication": True,
        "IgnoreInaccessibleSourceConnection": True,
    }

    with pytest.raises(UnsafePromotionError) as caught:
        handle(event, FakeContext(30))

    message = str(caught.value)
    assert message.startswith("TurnOffDataReplication")
    assert "IgnoreDbDiscrepancies" in message
    assert "CancelRunningCtProcess" in message
    assert cloudbasic_sim.calls == []


def test_turning_off_data_replication_with_the_three_flags_is_allowed(env, cloudbasic_sim):
    [replication_id] = cloudbasic_sim.add_replications(1)
    event = {
        "ReplicationId": replication_id,
        **FLAGS,
        "TurnOffDataReplication": "true",
        "PollIntervalSeconds": 0.1,
    }

    assert handle(event, FakeContext(30))["status"] == "Success"


def test_resume_across_invocations(aws, monkeypatch):
    with CloudBasicSimulator(promote_seconds=3.0) as sim:
        keys = sim.admin_keys
        assert keys is not None
        access, secret = keys
        arn = put_secret("cloudbasic/slow", {"AccessKeyId": access, "SecretAccessKey": secret})
        [replication_id] = sim.add_replications(1)
        register_endpoint("cloudbasic", "slow", sim.url, credentials_secret_arn=arn)
        event = {"ReplicationId": replication_id, "Endpoint": "slow", **FLAGS}
        event["PollIntervalSeconds"] = 0.2
        monkeypatch.delenv("PROMOTION_HOSTED_ZONE_ID", raising=False)

        first = handle(event, FakeContext(5.5))

        assert first["status"] == "Running"
        assert first["continue"] is True
        assert first["promoteCalled"] is True
        follow_up = first["event"]
        assert follow_up["Resume"] is True
        assert follow_up["ReplicationId"] == replication_id
        assert follow_up["Endpoint"] == "slow"

        second = handle(follow_up, FakeContext(30))

        assert second["status"] == "Success"
        assert second["promoteCalled"] is False
        assert promote_calls(sim).count("PromoteDbReplicaToPrimary") == 1


def test_dns_outside_the_stack_zone_is_refused(env, cloudbasic_sim):
    [replication_id] = cloudbasic_sim.add_replications(1)
    event = {"ReplicationId": replication_id, "Dns": {"HostedZoneId": "Z0THER", "RecordName": "x.example"}}

    with pytest.raises(InputError, match=r"^Dns.HostedZoneId"):
        handle(event, FakeContext(30))
    assert cloudbasic_sim.calls == []


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({}, "ReplicationId"),
        ({"ReplicationId": "not-a-guid"}, "ReplicationId"),
        (
            {"ReplicationId": "998acaec-9211-4dac-b90b-196fd1d17993", "IgnoreDbDiscrepancies": "yes"},
            "IgnoreDbDiscrepancies",
        ),
        (
            {"ReplicationId": "998acaec-9211-4dac-b90b-196fd1d17993", "ParallelTablesLimit": 0},
            "ParallelTablesLimit",
        ),
        (
            {"ReplicationId": "998acaec-9211-4dac-b90b-196fd1d17993", "IgnoreDbDiscrepancy": True},
            "IgnoreDbDiscrepancy",
        ),
        (
            {
                "ReplicationId": "998acaec-9211-4dac-b90b-196fd1d17993",
                "Dns": {"HostedZoneId": "Z1", "RecordName": "a", "Ttl": -1},
            },
            "Dns.Ttl",
        ),
        (
            {"ReplicationId": "998acaec-9211-4dac-b90b-196fd1d17993", "Dns": {"RecordName": "a"}},
            "Dns.HostedZoneId",
        ),
        ({"ReplicationId": "998acaec-9211-4dac-b90b-196fd1d17993", "ApiUrl": "https://x"}, "ApiUrl"),
        ({"ReplicationId": "998acaec-9211-4dac-b90b-196fd1d17993", "Endpoint": "../x"}, "Endpoint"),
    ],
)
def test_invalid_events_name_the_field(event, field):
    with pytest.raises(InputError) as caught:
        PromotionRequest.from_event(event)
    assert caught.value.field == field
    assert str(caught.value).startswith(field)


def test_flags_are_sent_as_documented_strings():
    request = PromotionRequest.from_event(
        {"ReplicationId": "998ACAEC-9211-4DAC-B90B-196FD1D17993", **FLAGS, "ParallelTablesLimit": "4"}
    )
    assert request.replication_id == "998acaec-9211-4dac-b90b-196fd1d17993"
    assert request.api_options() == {
        "ignoreInaccessibleSourceConnection": "true",
        "ignoreDbDiscrepancies": "true",
        "cancelRunningCtProcess": "true",
        "parallelTablesLimit": 4,
    }


def test_a_promotion_already_running_is_followed(env, cloudbasic_sim):
    [replication_id] = cloudbasic_sim.add_replications(1)
    first = handle({"ReplicationId": replication_id, "PollIntervalSeconds": 0.1}, FakeContext(3.2))
    assert first["status"] == "Running"

    again = handle({"ReplicationId": replication_id, "PollIntervalSeconds": 0.1}, FakeContext(30))

    assert again["status"] == "Success"
