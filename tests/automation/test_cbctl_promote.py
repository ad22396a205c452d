"""``cbctl promote`` tells the truth: promotion and DNS apart, a Route 53 check first, a line per poll."""

from __future__ import annotations

import json
import re

import pytest

from tests.automation import test_cbctl
from tests.automation.conftest import cname_records, hosted_zone
from tests.automation.test_cbctl import run
from tests.automation.test_promotion_dns import promote_calls, zone_deleted_once_promotion_starts

cb_env = test_cbctl.cb_env
"""The simulator with cbctl's CloudBasic key pair in the environment (shared with ``test_cbctl``)."""

AWS_CREDENTIAL_SOURCES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


def promote_args(sim, replication_id: str, *extra: str) -> list[str]:
    return ["promote", replication_id, "--url", sim.url, "--poll-interval", "0.1", "--wait", "20", *extra]


@pytest.mark.parametrize("as_json", [False, True])
def test_dns_failing_after_the_promotion_exits_4_and_says_it_was_promoted(aws, cb_env, capsys, as_json):
    [replication_id] = cb_env.add_replications(1)
    zone = hosted_zone("corp.example.com")
    dns = [
        "--dns-zone-id",
        zone,
        "--dns-record-name",
        "sales.db.corp.example.com",
        "--dns-target",
        "dr.example.net",
    ]

    with zone_deleted_once_promotion_starts(cb_env, zone):
        code, out, err = run(capsys, *promote_args(cb_env, replication_id, *dns, *["--json"][:as_json]))

    assert code == 4, err
    if as_json:
        result = json.loads(out)
        assert (result["status"], result["dnsStatus"]) == ("Success", "NotUpdated")
        assert "NoSuchHostedZone" in result["dnsError"]
    else:
        assert f"Promotion of {replication_id}: Success (100%)" in out
        assert "DNS: NOT UPDATED" in out
        assert "NoSuchHostedZone" in out
        assert "The promotion SUCCEEDED; do not promote again" in out


def test_without_aws_credentials_nothing_is_promoted_unless_dns_is_skipped(
    cb_env, monkeypatch, tmp_path, capsys
):
    for name in AWS_CREDENTIAL_SOURCES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    [replication_id] = cb_env.add_replications(1)
    dns = [
        "--dns-zone-id",
        "Z0123",
        "--dns-record-name",
        "sales.db.corp.example.com",
        "--dns-target",
        "dr.example.net",
    ]

    code, out, err = run(capsys, *promote_args(cb_env, replication_id, *dns))

    assert code == 5
    assert out == ""
    assert "NoCredentialsError" in err
    assert "Nothing was promoted" in err
    assert "--skip-dns" in err
    assert promote_calls(cb_env) == []

    code, out, err = run(capsys, *promote_args(cb_env, replication_id, *dns, "--skip-dns"))

    assert code == 0, err
    assert f"Promotion of {replication_id}: Success (100%)" in out
    assert "DNS" not in out


def test_the_cname_points_at_the_replica_server_by_default(aws, cb_env, capsys):
    [replication_id] = cb_env.add_replications(1)
    zone = hosted_zone("corp.example.com")
    argv = promote_args(
        cb_env, replication_id, "--dns-zone-id", zone, "--dns-record-name", "db.corp.example.com"
    )

    code, out, err = run(capsys, *argv)

    assert code == 0, err
    assert f"DNS: updated db.corp.example.com CNAME replica.example.internal (TTL 300) in {zone}" in out
    assert cname_records(zone) == {"db.corp.example.com.": ("replica.example.internal", 300)}


def test_one_line_per_status_poll(cb_env, capsys):
    [replication_id] = cb_env.add_replications(1)

    code, _, err = run(capsys, *promote_args(cb_env, replication_id))

    assert code == 0, err
    lines = err.splitlines()
    status_calls = promote_calls(cb_env).count("PromoteDbReplicaToPrimaryStatus")
    assert len(lines) == status_calls > 1
    for number, line in enumerate(lines, start=1):
        assert re.fullmatch(rf"\[\s*\d+\.\ds\] poll {number}: (Running|Success) \d+%", line), line
    assert lines[-1].endswith("Success 100%")


def test_help_documents_the_exit_codes(capsys):
    code, out, _ = run(capsys, "promote", "--help")

    assert code == 0
    assert re.search(r"^\s+4\s+PROMOTED, but the CNAME was not updated", out, re.MULTILINE)
    assert re.search(r"^\s+5\s+not started: the Route 53 check", out, re.MULTILINE)
    assert "--skip-dns" in out
