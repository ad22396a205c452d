"""``cbctl cloudbasic call`` against the simulator: output, exit codes, credentials, no secrets printed."""

from __future__ import annotations

import json
import math
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from moto import mock_aws

from cbctl.cli import main
from simulators.cloudbasic import CloudBasicSimulator
from simulators.stack import local_aws

CBCTL = Path(sys.executable).parent / "cbctl"
MISSING_ID = "998acaec-9211-4dac-b90b-196fd1d17993"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, cloudbasic_sim: CloudBasicSimulator) -> tuple[str, str]:
    assert cloudbasic_sim.admin_keys
    access_key, secret = cloudbasic_sim.admin_keys
    monkeypatch.setenv("CLOUDBASIC_API_URL", cloudbasic_sim.url)
    monkeypatch.setenv("CLOUDBASIC_ACCESS_KEY_ID", access_key)
    monkeypatch.setenv("CLOUDBASIC_SECRET_ACCESS_KEY", secret)
    return access_key, secret


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["cloudbasic", "call", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("xml", [[], ["--xml"]], ids=["json", "xml"])
def test_call_prints_the_answer_as_json(
    env: tuple[str, str],
    cloudbasic_sim: CloudBasicSimulator,
    capsys: pytest.CaptureFixture[str],
    xml: list[str],
) -> None:
    (replication_id,) = cloudbasic_sim.add_replications(1)
    code, out, err = _run(capsys, "GetReplicationsList", *xml)
    assert code == 0
    assert json.loads(out)["replications"][0]["replicationId"] == replication_id
    body = json.dumps({"replicationId": replication_id, "period": 48})
    code, out, _ = _run(capsys, "GetLatency", "--body", body, *xml)
    assert code == 0
    assert json.loads(out)["replicationId"] == replication_id
    assert env[1] not in out + err


def test_get_action_and_service_options(env: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "ReplicationServiceStatus", "--service", "cbr", "--region", "us-east-1")
    assert code == 0
    assert json.loads(out)["status"] == "Running"


def test_api_error_exits_1_with_message_and_request_id(
    env: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "DeleteReplication", "--body", json.dumps({"replicationId": MISSING_ID}))
    assert code == 1
    assert out == ""
    assert f"{MISSING_ID}:Replication not found" in err
    assert "RequestId" in err
    assert env[1] not in err


@pytest.mark.parametrize(
    ("args", "unset", "needle"),
    [
        (["GetLogs", "--body", "{not json"], None, "not valid JSON"),
        (["GetLogs", "--body", "[1, 2]"], None, "JSON object"),
        (["getLogs"], None, "PascalCase"),
        (["GetReplicationsList"], "CLOUDBASIC_API_URL", "no API URL"),
        (["GetReplicationsList"], "CLOUDBASIC_SECRET_ACCESS_KEY", "CLOUDBASIC_SECRET_ACCESS_KEY"),
        (["GetReplicationsList", "--ca-bundle", "/nonexistent/ca.pem"], None, "--ca-bundle"),
    ],
)
def test_bad_arguments_exit_2(
    env: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    unset: str | None,
    needle: str,
) -> None:
    if unset == "CLOUDBASIC_SECRET_ACCESS_KEY":
        monkeypatch.delenv("CLOUDBASIC_ACCESS_KEY_ID")
    if unset:
        monkeypatch.delenv(unset)
    with pytest.raises(SystemExit) as info:
        main(["cloudbasic", "call", *args])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert needle in err
    assert "usage:" in err
    assert env[1] not in err


def test_activate_instance_needs_no_credentials_and_stores_the_keys_in_a_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("CLOUDBASIC_ACCESS_KEY_ID", "CLOUDBASIC_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    body = {
        "email": "a@example.com",
        "instanceId": "i-0123456789abcdef0",
        "password": "Pw-123456",
        "agreeToEula": True,
    }
    with local_aws() as boto3, CloudBasicSimulator(activated=False) as sim:
        code, out, _ = _run(
            capsys,
            "ActivateInstance",
            "--url",
            sim.url,
            "--body",
            json.dumps(body),
            "--keys-secret-name",
            "admin",
        )
        assert code == 0
        assert sim.admin_keys
        printed = json.loads(out)
        assert printed["publicKey"] == sim.admin_keys[0]
        assert "privateKey" not in printed
        stored = boto3.client("secretsmanager").get_secret_value(SecretId=printed["keysSecretArn"])
        assert json.loads(stored["SecretString"]) == {
            "AccessKeyId": sim.admin_keys[0],
            "SecretAccessKey": sim.admin_keys[1],
        }


def test_key_issuing_actions_are_refused_unless_the_key_has_somewhere_to_go(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with CloudBasicSimulator(activated=False) as sim:
        with pytest.raises(SystemExit) as exited:
            _run(capsys, "ActivateInstance", "--url", sim.url, "--body", "{}")
        assert exited.value.code == 2
        assert "--keys-secret-name" in capsys.readouterr().err
        assert sim.calls == []


@pytest.mark.allow_secret_output
def test_show_private_key_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    body = {
        "email": "a@example.com",
        "instanceId": "i-0123456789abcdef0",
        "password": "Pw-1",
        "agreeToEula": True,
    }
    with CloudBasicSimulator(activated=False) as sim:
        code, out, _ = _run(
            capsys, "ActivateInstance", "--url", sim.url, "--body", json.dumps(body), "--show-private-key"
        )
        assert code == 0
        assert sim.admin_keys
        assert json.loads(out)["privateKey"] == sim.admin_keys[1]


def test_credentials_from_secrets_manager(
    monkeypatch: pytest.MonkeyPatch, cloudbasic_sim: CloudBasicSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("CLOUDBASIC_ACCESS_KEY_ID", "CLOUDBASIC_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert cloudbasic_sim.admin_keys
    access_key, secret = cloudbasic_sim.admin_keys
    with mock_aws():
        import boto3

        client = boto3.client("secretsmanager", region_name="eu-west-1")
        arn = client.create_secret(
            Name="cloudbasic/admin",
            SecretString=json.dumps({"AccessKeyId": access_key, "SecretAccessKey": secret}),
        )["ARN"]
        bad = client.create_secret(
            Name="cloudbasic/bad", SecretString=json.dumps({"AccessKeyId": access_key})
        )["ARN"]
        code, out, err = _run(
            capsys, "GetReplicationsList", "--url", cloudbasic_sim.url, "--credentials-secret-arn", arn
        )
        assert code == 0
        assert json.loads(out) == {"replications": []}
        assert secret not in out + err
        code, out, err = _run(
            capsys, "GetReplicationsList", "--url", cloudbasic_sim.url, "--credentials-secret-arn", bad
        )
        assert code == 1
        assert "SecretAccessKey" in err
        missing = arn.replace("cloudbasic/admin", "cloudbasic/none")
        code, _, err = _run(
            capsys, "GetReplicationsList", "--url", cloudbasic_sim.url, "--credentials-secret-arn", missing
        )
        assert code == 1
        assert "ResourceNotFound" in err


def test_console_script_exit_codes_and_no_secret(cloudbasic_sim: CloudBasicSimulator) -> None:
    assert cloudbasic_sim.admin_keys
    access_key, secret = cloudbasic_sim.admin_keys
    env = {
        **os.environ,
        "CLOUDBASIC_API_URL": cloudbasic_sim.url,
        "CLOUDBASIC_ACCESS_KEY_ID": access_key,
        "CLOUDBASIC_SECRET_ACCESS_KEY": secret,
    }
    ok = subprocess.run(
        [str(CBCTL), "cloudbasic", "call", "ReplicationServiceStatus"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["status"] == "Running"
    missing = json.dumps({"replicationId": MISSING_ID})
    failed = subprocess.run(
        [str(CBCTL), "cloudbasic", "call", "ReplicationStatus", "--body", missing],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert failed.returncode == 1
    assert "RequestId" in failed.stderr
    usage = subprocess.run(
        [str(CBCTL), "cloudbasic", "call", "GetLogs", "--body", "{"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert usage.returncode == 2
    for result in (ok, failed, usage):
        assert secret not in result.stdout + result.stderr


# -- normalised output, tables, the service, old appliances ----------------------------------------------
def test_xml_output_keeps_types_like_json(
    env: tuple[str, str], cloudbasic_sim: CloudBasicSimulator, capsys
) -> None:
    code, out, _ = _run(capsys, "GetReplicationsList", "--xml")
    assert code == 0
    assert json.loads(out) == {"replications": []}  # an empty list, not ""
    cloudbasic_sim.add_replications(1)
    answers = []
    for wire in ([], ["--xml"]):
        code, out, _ = _run(capsys, "GetReplicationsList", *wire)
        answers.append(json.loads(out))
    assert answers[0] == answers[1]
    assert answers[1]["replications"][0]["isEnabled"] is True


def test_lists_as_a_table(env: tuple[str, str], cloudbasic_sim: CloudBasicSimulator, capsys) -> None:
    ids = cloudbasic_sim.add_replications(2)
    code, out, _ = _run(capsys, "GetReplicationsList", "--output", "table")
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == [
        "replicationId",
        "source",
        "destination",
        "isEnabled",
        "lastSuccessfullTransfer",
    ]
    assert [row.split()[0] for row in rows] == ids


def test_service_stop_start_status(env: tuple[str, str], cloudbasic_sim: CloudBasicSimulator, capsys) -> None:
    assert main(["cloudbasic", "service", "stop"]) == 0
    assert not cloudbasic_sim.service_running
    assert main(["cloudbasic", "service", "status"]) == 0
    assert json.loads(capsys.readouterr().out) == {"status": "Stopped"}
    assert main(["cloudbasic", "service", "start"]) == 0
    assert cloudbasic_sim.service_running


def test_default_signing_region_works_on_an_appliance_before_12_301(
    monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    with CloudBasicSimulator(appliance_version="12.300") as old:
        assert old.admin_keys
        monkeypatch.setenv("CLOUDBASIC_API_URL", old.url)
        monkeypatch.setenv("CLOUDBASIC_ACCESS_KEY_ID", old.admin_keys[0])
        monkeypatch.setenv("CLOUDBASIC_SECRET_ACCESS_KEY", old.admin_keys[1])
        code, out, _ = _run(capsys, "ReplicationServiceStatus")
        assert code == 0
        assert json.loads(out)["status"] == "Running"
        code, _, err = _run(capsys, "ReplicationServiceStatus", "--signing-region", "")
        assert code == 1
        assert "us-east-1" in err


ACTIVATION_BODY = {
    "email": "a@example.com",
    "instanceId": "i-0123456789abcdef0",
    "password": "Pw-123456",
    "agreeToEula": True,
}


def test_a_key_issuing_call_without_aws_access_is_refused_before_it_is_sent(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with CloudBasicSimulator(activated=False) as sim:
        args = ["ActivateInstance", "--url", sim.url, "--body", json.dumps(ACTIVATION_BODY)]
        code, _, err = _run(capsys, *args, "--keys-secret-name", "admin")
        assert code == 1
        assert "AWS" in err
        assert "nothing was sent" in err
        assert "Traceback" not in err
        assert sim.calls == []
        assert not sim.activated


def test_keys_that_cannot_be_stored_go_to_a_new_private_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tests.aws_calls import aws_calls

    monkeypatch.chdir(tmp_path)
    (tmp_path / "admin.keys.json").write_text("an older file that must not be overwritten")
    with local_aws(), CloudBasicSimulator(activated=False) as sim:
        args = ["ActivateInstance", "--url", sim.url, "--body", json.dumps(ACTIVATION_BODY)]
        with aws_calls(CreateSecret=math.inf):
            code, out, err = _run(capsys, *args, "--keys-secret-name", "admin")
        assert sim.admin_keys
        public, private = sim.admin_keys
    assert code == 1
    assert private not in out + err
    assert "Traceback" not in err
    written = Path(json.loads(out)["keysFile"])
    assert written.parent == tmp_path
    assert str(written) in err
    assert (tmp_path / "admin.keys.json").read_text() == "an older file that must not be overwritten"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert json.loads(written.read_text()) == {"AccessKeyId": public, "SecretAccessKey": private}
