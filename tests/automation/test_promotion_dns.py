"""DR promotion and DNS: which records it may change, what it points them at, and honest reporting."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from cbprovider.automation.errors import DnsAccessError, InputError
from cbprovider.automation.lambda_promote import handle
from cbprovider.automation.promotion_request import PromotionRequest
from cbprovider.automation.record_names import RecordNameNotAllowed, RecordNamePolicy, record_name

from simulators.cloudbasic import CloudBasicSimulator
from simulators.stack import register_endpoint
from tests.automation.conftest import REGION, FakeContext, cname_records, hosted_zone, put_secret

FLAGS = {
    "IgnoreInaccessibleSourceConnection": True,
    "IgnoreDbDiscrepancies": True,
    "CancelRunningCtProcess": True,
}


def promote_calls(sim: CloudBasicSimulator) -> list[str]:
    return [c.key for c in sim.calls if c.key.startswith("Promote")]


def upsert(zone: str, name: str, target: str) -> None:
    import boto3

    boto3.client("route53", region_name=REGION).change_resource_record_sets(
        HostedZoneId=zone,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": name,
                        "Type": "CNAME",
                        "TTL": 300,
                        "ResourceRecords": [{"Value": target}],
                    },
                }
            ]
        },
    )


@pytest.fixture
def corp(aws, cloudbasic_sim, monkeypatch):
    """A provider whose promotion may change ``*.db.corp.example.com`` in the ``corp.example.com`` zone."""
    access, secret = cloudbasic_sim.admin_keys
    arn = put_secret("cloudbasic/admin", {"AccessKeyId": access, "SecretAccessKey": secret})
    zone = hosted_zone("corp.example.com")
    upsert(zone, "login.corp.example.com", "sso.corp.example.com")
    register_endpoint("cloudbasic", "default", cloudbasic_sim.url, credentials_secret_arn=arn)
    monkeypatch.setenv("PROMOTION_HOSTED_ZONE_ID", zone)
    monkeypatch.setenv("PROMOTION_RECORD_NAMES", "*.db.corp.example.com")
    return zone


@pytest.mark.parametrize(
    "record",
    ["login.corp.example.com", "LOGIN.Corp.Example.COM.", "*.corp.example.com", "db.corp.example.com"],
)
def test_attack_promotion_cannot_repoint_a_record_outside_the_allowed_names(corp, cloudbasic_sim, record):
    [replication_id] = cloudbasic_sim.add_replications(1)
    before = cname_records(corp)
    event = {
        "ReplicationId": replication_id,
        **FLAGS,
        "PollIntervalSeconds": 0.1,
        "Dns": {"HostedZoneId": corp, "RecordName": record, "Target": "attacker.example.net"},
    }

    with pytest.raises(InputError) as refused:
        handle(event, FakeContext(30))

    assert refused.value.field == "Dns.RecordName"
    assert "*.db.corp.example.com" in str(refused.value)
    assert cname_records(corp) == before
    assert promote_calls(cloudbasic_sim) == []


@contextmanager
def zone_deleted_once_promotion_starts(sim: CloudBasicSimulator, zone: str) -> Iterator[None]:
    """Route 53 breaks mid-promotion: the zone is deleted as soon as the appliance got the promote call
    (after the access check passed, long before the simulated promotion ends)."""
    import boto3

    errors: list[BaseException] = []

    def watch() -> None:
        try:
            deadline = time.monotonic() + 10
            while "PromoteDbReplicaToPrimary" not in promote_calls(sim) and time.monotonic() < deadline:
                time.sleep(0.005)
            route53 = boto3.client("route53", region_name=REGION)
            for record in route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]:
                if record["Type"] not in ("SOA", "NS"):
                    change = {"Action": "DELETE", "ResourceRecordSet": record}
                    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [change]})
            route53.delete_hosted_zone(Id=zone)
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        yield
    finally:
        watcher.join()
    assert errors == []


def dns_event(replication_id: str, zone: str, **dns: Any) -> dict[str, Any]:
    return {
        "ReplicationId": replication_id,
        **FLAGS,
        "PollIntervalSeconds": 0.1,
        "Dns": {"HostedZoneId": zone, "RecordName": "sales.db.corp.example.com", **dns},
    }


def test_dns_failing_after_a_successful_promotion_is_reported_as_promoted(corp, cloudbasic_sim):
    [replication_id] = cloudbasic_sim.add_replications(1)
    event = dns_event(replication_id, corp, Target="sales-dr.corp.example.com")

    with zone_deleted_once_promotion_starts(cloudbasic_sim, corp):
        result = handle(event, FakeContext(30))

    assert result["status"] == "Success"
    assert result["continue"] is False
    assert result["dnsStatus"] == "NotUpdated"
    assert "NoSuchHostedZone" in result["dnsError"]
    assert result["dns"]["target"] == "sales-dr.corp.example.com"
    retry = result["event"]
    assert retry["Resume"] is True
    assert retry["Dns"]["RecordName"] == "sales.db.corp.example.com"

    again = handle(retry, FakeContext(30))

    assert again["status"] == "Success"
    assert again["dnsStatus"] == "NotUpdated"
    assert promote_calls(cloudbasic_sim).count("PromoteDbReplicaToPrimary") == 1


def test_no_access_to_the_zone_means_nothing_is_promoted(corp, cloudbasic_sim, monkeypatch):
    [replication_id] = cloudbasic_sim.add_replications(1)
    monkeypatch.setenv("PROMOTION_HOSTED_ZONE_ID", "Z0NOSUCHZONE")

    with pytest.raises(DnsAccessError) as refused:
        handle(dns_event(replication_id, "Z0NOSUCHZONE", Target="dr.example.net"), FakeContext(30))

    message = str(refused.value)
    assert "NoSuchHostedZone" in message
    assert "Nothing was promoted" in message
    assert '"Dns": null' in message
    assert promote_calls(cloudbasic_sim) == []


def test_dns_null_promotes_without_dns_and_says_so(corp, cloudbasic_sim):
    [replication_id] = cloudbasic_sim.add_replications(1)

    result = handle({**dns_event(replication_id, corp), "Dns": None}, FakeContext(30))

    assert (result["status"], result["dnsStatus"], result["dns"]) == ("Success", "NotRequested", None)
    assert cname_records(corp) == {"login.corp.example.com.": ("sso.corp.example.com", 300)}


def test_a_record_outside_the_zone_is_refused_before_the_promotion(corp, cloudbasic_sim, monkeypatch):
    [replication_id] = cloudbasic_sim.add_replications(1)
    monkeypatch.setenv("PROMOTION_RECORD_NAMES", "*")
    event = dns_event(replication_id, corp, Target="dr.example.net")
    event["Dns"]["RecordName"] = "db.other.example"

    with pytest.raises(InputError, match=r"^Dns.RecordName: db.other.example is not in hosted zone"):
        handle(event, FakeContext(30))
    assert promote_calls(cloudbasic_sim) == []


def test_the_target_defaults_to_the_promoted_replicas_server(corp, cloudbasic_sim):
    [replication_id] = cloudbasic_sim.add_replications(1)

    result = handle(dns_event(replication_id, corp), FakeContext(30))

    assert result["dnsStatus"] == "Updated"
    assert cname_records(corp)["sales.db.corp.example.com."] == ("replica.example.internal", 300)


def test_a_replica_addressed_by_ip_needs_an_explicit_target(corp, cloudbasic_sim):
    [replication_id] = cloudbasic_sim.add_replications(1)
    with cloudbasic_sim.state.lock:
        job = cloudbasic_sim.state.replications[replication_id]
        job.destination = job.destination.replace("replica.example.internal", "10.0.2.20")

    with pytest.raises(InputError, match=r"^Dns.Target: not given, .*IP address.*give Dns.Target"):
        handle(dns_event(replication_id, corp), FakeContext(30))
    assert promote_calls(cloudbasic_sim) == []


@pytest.mark.parametrize(
    "target",
    ["10.0.0.5", "::1", "db host.example.com", "-db.example.com", "db..example.com", "x" * 64 + ".com"],
)
def test_an_explicit_target_must_be_a_host_name(target):
    event = {
        "ReplicationId": "998acaec-9211-4dac-b90b-196fd1d17993",
        "Dns": {"HostedZoneId": "Z1", "RecordName": "db.example.com", "Target": target},
    }
    with pytest.raises(InputError) as refused:
        PromotionRequest.from_event(event)
    assert refused.value.field == "Dns.Target"


def test_each_poll_is_logged_without_secrets(corp, cloudbasic_sim, caplog):
    [replication_id] = cloudbasic_sim.add_replications(1)

    handle({"ReplicationId": replication_id, **FLAGS, "PollIntervalSeconds": 0.1}, FakeContext(30))

    polls = [r for r in caplog.records if hasattr(r, "poll")]
    status_calls = promote_calls(cloudbasic_sim).count("PromoteDbReplicaToPrimaryStatus")
    assert [r.poll for r in polls] == list(range(1, status_calls + 1))
    assert [r.status for r in polls][-1] == "Success"
    assert all(r.replicationId == replication_id and r.elapsedSeconds >= 0 for r in polls)
    logged = json.dumps([vars(r) for r in caplog.records], default=str)
    assert cloudbasic_sim.admin_keys[1] not in logged


# -- record names as IAM's StringLike sees them ---------------------------------------------------------
@pytest.mark.parametrize(
    ("patterns", "record", "allowed"),
    [
        ("*.db.example.com", "a.db.example.com", True),
        ("*.db.example.com", "a.b.db.example.com", True),
        ("*.db.example.com", "db.example.com", False),
        ("*.db.example.com", "*.db.example.com", True),  # normalised \052.db.example.com
        ("*.db.example.com", "a.db.example.com.evil.example", False),
        ("db?.example.com", "db1.example.com", True),
        ("db?.example.com", "db12.example.com", False),
        ("Sales.Example.COM.", "sales.example.com", True),
        ("sales.example.com", "SALES.example.com.", True),
        ("a.example.com, b.example.com", "b.example.com", True),
        ("a.example.com,b.example.com", "c.example.com", False),
        ("\\052.example.com", "*.example.com", True),
        ("\\052.example.com", "a.example.com", False),
    ],
)
def test_record_names_match_like_iam_string_like(patterns, record, allowed):
    policy = RecordNamePolicy.from_setting(patterns)
    assert policy.allows(record_name(record)) is allowed


def test_blank_record_names_disable_dns():
    with pytest.raises(RecordNameNotAllowed, match="DNS changes are disabled"):
        RecordNamePolicy.from_setting(" , ").check("db.example.com")


@pytest.mark.parametrize("record", ["a.*.example.com", "db_.exa mple.com", "", "*"])
def test_record_names_are_checked(record):
    with pytest.raises(InputError) as refused:
        record_name(record)
    assert refused.value.field == "Dns.RecordName"
