"""``cbctl monitor`` and ``cbctl promote`` against the simulators: output, exit codes, bad arguments."""

from __future__ import annotations

import json
from typing import Any

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


# -- cbctl for people ------------------------------------------------------------------------------------
def _all_parsers() -> list[Any]:
    """Every (sub)parser of cbctl, each with its command modules loaded."""
    import argparse

    from cbctl.cli import COMMANDS, build_parser

    seen = []
    for name in COMMANDS:
        todo = [build_parser([name])]
        while todo:
            parser = todo.pop()
            seen.append(parser)
            for action in parser._actions:
                if isinstance(action, argparse._SubParsersAction):
                    todo.extend(action.choices.values())
    return seen


def test_help_is_written_for_operators(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert not out.split("\n", 3)[2].startswith("Entry point")
    assert "Shell completion" in out
    for parser in _all_parsers():
        text = parser.format_help()
        assert "``" not in text, parser.prog
        assert "Entry point of" not in text, parser.prog
        for action in parser._actions:
            if action.help is None and action.option_strings:
                pytest.fail(f"{parser.prog} {action.option_strings[0]} has no help")


def test_one_spelling_for_the_same_flag_everywhere(capsys):
    spellings: dict[str, list[str]] = {}
    for parser in _all_parsers():
        text = parser.format_help()
        for old in ("--region ", "--service ", "--cloudbasic-url", "--json "):
            assert old not in text, f"{parser.prog} shows {old}"
        for option in ("--url", "--signing-region", "--signing-service", "--credentials-secret-arn"):
            if option in text:
                spellings.setdefault(option, []).append(parser.prog)
    assert {"--url", "--signing-region", "--credentials-secret-arn"} <= set(spellings)


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.startswith("cbctl ")


def test_completion_imports_argcomplete_only_when_completing():
    import subprocess
    import sys

    check = "import sys, cbctl.cli; cbctl.cli.build_parser(['monitor']); print('argcomplete' in sys.modules)"
    plain = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert plain.stdout.strip() == "False"
    env = {"_ARGCOMPLETE": "1", "COMP_LINE": "cbctl wa", "COMP_POINT": "8", "_ARGCOMPLETE_IFS": "\n"}
    import os

    done = subprocess.run(
        [sys.executable, "-m", "cbctl", "wa"],
        capture_output=True,
        text=True,
        env={**os.environ, **env, "_ARGCOMPLETE_STDOUT_FILENAME": "/dev/stdout"},
        timeout=30,
        check=False,
    )
    assert "wait" in done.stdout


def test_closed_pipe_exits_quietly(cb_env):
    import os
    import subprocess
    import sys

    cb_env.add_replications(400)
    access, secret = cb_env.admin_keys
    env = {**os.environ, "CLOUDBASIC_API_URL": cb_env.url}
    env.update(CLOUDBASIC_ACCESS_KEY_ID=access, CLOUDBASIC_SECRET_ACCESS_KEY=secret)
    command = f"{sys.executable} -m cbctl cloudbasic call GetReplicationsList | head -1"
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert done.stdout.strip() == "{"
    assert "Traceback" not in done.stderr
    assert "BrokenPipe" not in done.stderr


def test_wait_follows_a_seeding_to_success(cb_env, capsys):
    [replication_id] = cb_env.add_replications(1, seeded=False)
    code, out, err = run(
        capsys, "wait", "seeding", replication_id, "--url", cb_env.url, "--interval", "0.1", "--timeout", "20"
    )
    assert code == 0, err
    assert json.loads(out)["status"] == "Success"
    assert f"seeding of {replication_id}: Running" in err
    assert f"seeding of {replication_id}: Success 100%" in err


def test_wait_reports_a_failed_seeding_and_a_timeout(cb_env, capsys):
    [failed] = cb_env.add_replications(1, seeded=False)
    cb_env.set_replication_outcome(failed, "Failed")
    code, out, _ = run(capsys, "wait", "seeding", failed, "--url", cb_env.url, "--interval", "0.1")
    assert code == 1
    assert json.loads(out)["status"] == "Failed"
    [slow] = cb_env.add_replications(1, seeded=False)
    code, _, err = run(
        capsys, "wait", "seeding", slow, "--url", cb_env.url, "--interval", "0.1", "--timeout", "0.1"
    )
    assert code == 3
    assert "still Running" in err


def test_wait_follows_a_promotion(cb_env, capsys):
    [replication_id] = cb_env.add_replications(1)
    code, _, _ = run(
        capsys, "promote", replication_id, "--url", cb_env.url, "--wait", "0.1", "--poll-interval", "0.1"
    )
    assert code in (0, 3)
    code, out, err = run(
        capsys, "wait", "promotion", replication_id, "--url", cb_env.url, "--interval", "0.1"
    )
    assert code == 0, err
    assert json.loads(out)["status"] == "Success"


def test_wait_follows_a_cluster_deploy(capella_sim, monkeypatch, capsys):
    monkeypatch.setenv("CAPELLA_ACCESS_KEY", capella_sim.access_key)
    monkeypatch.setenv("CAPELLA_SECRET_KEY", capella_sim.secret_key)
    from cbprovider.capella import CapellaClient

    from tests.capella.conftest import hosted_spec

    project_id = capella_sim.add_project("p")
    with CapellaClient(capella_sim.url, (capella_sim.access_key, capella_sim.secret_key)) as client:
        cluster_id = client.create_cluster(hosted_spec(project_id))
    code, out, err = run(capsys, "wait", "cluster", cluster_id, "--url", capella_sim.url, "--interval", "0.1")
    assert code == 0, err
    assert json.loads(out)["status"] == "healthy"
    assert f"cluster {cluster_id}: deploying" in err


def test_live_status_line_on_a_terminal():
    import io

    from cbctl.wait import Reading, follow

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    readings = iter(
        [
            Reading("Running", "Running", 10),
            Reading("Running", "Running", 60),
            Reading("Success", "Success", 100),
        ]
    )
    err, out = Tty(), io.StringIO()
    assert follow("seeding of x", lambda: next(readings), 10, 0, out=out, err=err, sleep=lambda s: None) == 0
    assert err.getvalue().count("\r\033[K") == 3
    assert "seeding of x: Running 60%" in err.getvalue()
    assert err.getvalue().endswith("\n")


def test_unreachable_capella_says_why(monkeypatch, capsys):
    monkeypatch.setenv("CAPELLA_ACCESS_KEY", "ak")
    monkeypatch.setenv("CAPELLA_SECRET_KEY", "sk")
    code, _, err = run(capsys, "capella", "call", "GET", "/v2/projects", "--url", "http://capella.invalid")
    assert code == 1
    assert "could not be resolved" in err
    assert "check the API URL" in err
