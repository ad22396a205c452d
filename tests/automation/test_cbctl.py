"""``cbctl monitor`` and ``cbctl promote`` against the simulators: output, exit codes, bad arguments."""

from __future__ import annotations

import json

import pytest

from cbctl.cli import main
from tests.automation.conftest import closed_port_url


@pytest.fixture
def cb_env(cloudbasic_sim, monkeypatch):
    access, secret = cloudbasic_sim.admin_keys
    monkeypatch.setenv("CLOUDBASIC_ACCESS_KEY_ID", access)
    monkeypatch.setenv("CLOUDBASIC_SECRET_ACCESS_KEY", secret)
    for name in ("CLOUDBASIC_API_URL", "CLOUDBASIC_CREDENTIALS_SECRET_ARN", "MONITOR_CLOUDBASIC_ENDPOINTS"):
        monkeypatch.delenv(name, raising=False)
    return cloudbasic_sim


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_monitor_prints_a_table_and_exits_0_when_healthy(cb_env, capella_sim, monkeypatch, capsys):
    ids = cb_env.add_replications(3)
    capella_sim.add_clusters(capella_sim.add_project("p"), 2)
    monkeypatch.setenv("CAPELLA_ACCESS_KEY", capella_sim.access_key)
    monkeypatch.setenv("CAPELLA_SECRET_KEY", capella_sim.secret_key)

    code, out, err = run(
        capsys,
        "monitor",
        "--cloudbasic-url",
        cb_env.url,
        "--capella-url",
        capella_sim.url,
        "--concurrency",
        "4",
    )

    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["KIND", "SCOPE", "NAME", "ID", "STATUS", "DETAIL"]
    table = lines[: lines.index("")]
    assert sum(1 for line in table if line.split()[0] == "replication") == 3
    assert sum(1 for line in table if line.split()[0] == "cluster") == 2
    assert all(i in out for i in ids)
    assert "replication monitor:" in lines[-1]
    assert cb_env.admin_keys[1] not in out + err


def test_monitor_json_and_exit_1_on_problems(cb_env, capsys):
    cb_env.add_replications(2)
    dead = closed_port_url()

    code, out, _ = run(capsys, "monitor", "--cloudbasic-url", cb_env.url, "--cloudbasic-url", dead, "--json")

    assert code == 1
    summary = json.loads(out)
    statuses = {e["apiUrl"]: e["status"] for e in summary["cloudbasic"]}
    assert statuses == {cb_env.url: "ok", dead: "unreachable"}
    assert summary["counts"]["ok"] == 3


@pytest.mark.parametrize(
    "argv",
    [
        ["monitor", "--concurrency", "0"],
        ["monitor", "--concurrency", "x"],
        ["monitor", "--cloudbasic-url", "not-a-url"],
        ["monitor", "--timeout", "-1"],
        ["monitor"],
    ],
)
def test_monitor_bad_arguments_exit_2(cb_env, capsys, argv):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err


def test_monitor_without_credentials_exits_2(cb_env, monkeypatch, capsys):
    monkeypatch.delenv("CLOUDBASIC_ACCESS_KEY_ID")
    monkeypatch.delenv("CLOUDBASIC_SECRET_ACCESS_KEY")
    code, _, err = run(capsys, "monitor", "--cloudbasic-url", cb_env.url)
    assert code == 2
    assert "CLOUDBASIC_ACCESS_KEY_ID" in err


def test_promote_follows_to_success(cb_env, capsys):
    [replication_id] = cb_env.add_replications(1)

    code, out, err = run(
        capsys,
        "promote",
        replication_id,
        "--url",
        cb_env.url,
        "--ignore-inaccessible-source-connection",
        "--poll-interval",
        "0.1",
        "--wait",
        "20",
    )

    assert code == 0, err
    assert f"Promotion of {replication_id}: Success (100%)" in out


def test_promote_failed_exits_1_and_json(cb_env, capsys):
    [replication_id] = cb_env.add_replications(1)
    cb_env.set_promotion_outcome(replication_id, "Failed")

    code, out, _ = run(
        capsys, "promote", replication_id, "--url", cb_env.url, "--poll-interval", "0.1", "--json"
    )

    assert code == 1
    assert json.loads(out)["status"] == "Failed"


def test_promote_still_running_exits_3_then_resume_finishes(cb_env, capsys):
    [replication_id] = cb_env.add_replications(1)
    cb_env.state.promote_seconds = 4.0
    common = ["--url", cb_env.url, "--poll-interval", "0.1"]

    code, out, _ = run(capsys, "promote", replication_id, *common, "--wait", "0.5")
    assert code == 3
    assert "--resume" in out

    code, out, _ = run(capsys, "promote", replication_id, *common, "--resume", "--wait", "20")
    assert code == 0
    assert "Success" in out
    assert [c.key for c in cb_env.calls].count("PromoteDbReplicaToPrimary") == 1


def test_promote_refuses_unsafe_flags_with_exit_2(cb_env, capsys):
    [replication_id] = cb_env.add_replications(1)

    code, _, err = run(capsys, "promote", replication_id, "--url", cb_env.url, "--turn-off-data-replication")

    assert code == 2
    assert "--turn-off-data-replication" in err
    assert "--ignore-db-discrepancies" in err
    assert cb_env.calls == []


def test_promote_api_error_exits_1(cb_env, capsys):
    missing = "998acaec-9211-4dac-b90b-196fd1d17993"
    code, _, err = run(capsys, "promote", missing, "--url", cb_env.url)
    assert code == 1
    assert "PromoteDbReplicaToPrimary" in err
