"""``cbctl capella call``: exit codes, output, --all-pages, credentials from env or Secrets Manager."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cbctl.cli import main
from tests.capella.conftest import hosted_spec

CBCTL = Path(sys.executable).parent / "cbctl"


@pytest.fixture
def env(capella_sim, monkeypatch):
    monkeypatch.setenv("CAPELLA_API_URL", capella_sim.url)
    monkeypatch.setenv("CAPELLA_ACCESS_KEY", capella_sim.access_key)
    monkeypatch.setenv("CAPELLA_SECRET_KEY", capella_sim.secret_key)
    return capella_sim


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["capella", "call", *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_get_prints_the_json_response(env, capsys):
    project_id = env.add_project("alpha")
    code, out, err = run(capsys, "get", f"/v2/projects/{project_id}")
    assert code == 0, err
    assert json.loads(out)["name"] == "alpha"
    assert env.secret_key not in out + err


def test_all_pages_prints_one_array(env, capsys):
    project_id = env.add_project("alpha")
    ids = env.add_clusters(project_id, 120)
    env.add_clusters(env.add_project("beta"), 2)
    code, out, _ = run(capsys, "GET", f"/v3/clusters?projectId={project_id}", "--all-pages")
    assert code == 0
    items = json.loads(out)
    assert sorted(item["id"] for item in items) == sorted(ids)
    assert len(env.calls) == 2  # 100 per page


def test_post_with_body_and_accepted_without_body(env, capsys):
    code, out, _ = run(capsys, "POST", "/v2/projects", "--body", '{"name": "made-by-cli"}')
    assert code == 0
    project_id = json.loads(out)["id"]
    code, out, err = run(capsys, "POST", "/v3/clusters", "--body", json.dumps(hosted_spec(project_id)))
    assert code == 0
    accepted = json.loads(out)  # the 202's Location and id on stdout, for scripts
    assert accepted["status"] == 202
    assert accepted["location"] == f"/v3/clusters/{accepted['id']}"
    assert accepted["id"] in env.clusters
    assert "HTTP 202" in err


def test_all_pages_honours_the_given_per_page(env, capsys):
    project_id = env.add_project("alpha")
    ids = env.add_clusters(project_id, 120)
    code, out, _ = run(capsys, "GET", f"/v3/clusters?projectId={project_id}&perPage=50", "--all-pages")
    assert code == 0
    assert sorted(item["id"] for item in json.loads(out)) == sorted(ids)
    assert len(env.calls) == 3  # 50 per page, as asked


def test_all_pages_as_a_table(env, capsys):
    project_id = env.add_project("alpha")
    env.add_clusters(project_id, 3)
    code, out, _ = run(
        capsys, "GET", f"/v3/clusters?projectId={project_id}", "--all-pages", "--output", "table"
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[0] == "id"
    assert len(lines) == 4


def test_api_error_exits_1_with_the_message(env, capsys):
    code, out, err = run(capsys, "DELETE", "/v2/projects/0b5b5d2c-0000-4000-8000-000000000001")
    assert code == 1
    assert out == ""
    assert "HTTP 404" in err
    assert "NotFound" in err


def test_wrong_secret_exits_1_and_never_prints_secrets(env, capsys, monkeypatch):
    monkeypatch.setenv("CAPELLA_SECRET_KEY", "a-wrong-secret-value")
    code, out, err = run(capsys, "GET", "/v2/projects")
    assert code == 1
    assert "HTTP 401" in err
    assert "a-wrong-secret-value" not in out + err
    assert env.secret_key not in out + err


@pytest.mark.parametrize(
    "argv",
    [
        ("GET", "/v2/projects", "--body", "{not json"),
        ("POST", "/v2/projects", "--all-pages"),
        ("FETCH", "/v2/projects"),
        ("GET", "v2/projects"),
        ("GET", "/v2/projects", "--url", "ftp://example.com"),
        ("GET",),
    ],
)
def test_bad_arguments_exit_2_with_usage(env, capsys, argv):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert "usage:" in err
    assert env.calls == []


def test_missing_credentials_exit_2(env, capsys, monkeypatch):
    monkeypatch.delenv("CAPELLA_ACCESS_KEY")
    monkeypatch.delenv("CAPELLA_SECRET_KEY")
    code, _, err = run(capsys, "GET", "/v2/projects")
    assert code == 2
    assert "CAPELLA_ACCESS_KEY" in err


def test_half_the_credentials_exit_1(env, capsys, monkeypatch):
    monkeypatch.delenv("CAPELLA_ACCESS_KEY")
    code, _, err = run(capsys, "GET", "/v2/projects")
    assert code == 1
    assert "both" in err
    assert env.secret_key not in err


def test_credentials_from_secrets_manager(capella_sim, capsys, monkeypatch):
    from moto import mock_aws

    for name in ("CAPELLA_ACCESS_KEY", "CAPELLA_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    capella_sim.add_project("from-secret")
    with mock_aws():
        import boto3

        secrets = boto3.client("secretsmanager", region_name="eu-west-1")
        good = secrets.create_secret(
            Name="capella/v3",
            SecretString=json.dumps(
                {"AccessKey": capella_sim.access_key, "SecretKey": capella_sim.secret_key}
            ),
        )["ARN"]
        bad = secrets.create_secret(Name="capella/bad", SecretString=json.dumps({"AccessKey": "x"}))["ARN"]
        code, out, err = run(
            capsys, "GET", "/v2/projects", "--url", capella_sim.url, "--credentials-secret-arn", good
        )
        assert code == 0, err
        assert json.loads(out)["data"][0]["name"] == "from-secret"
        assert capella_sim.secret_key not in out + err
        code, _, err = run(
            capsys, "GET", "/v2/projects", "--url", capella_sim.url, "--credentials-secret-arn", bad
        )
        assert code == 1
        assert "AccessKey and SecretKey" in err
        missing = good.replace("capella/v3", "capella/none")
        code, _, err = run(
            capsys, "GET", "/v2/projects", "--url", capella_sim.url, "--credentials-secret-arn", missing
        )
        assert code == 1
        assert "ResourceNotFoundException" in err


def test_console_script(capella_sim):
    project_id = capella_sim.add_project("script")
    environ = {
        **os.environ,
        "CAPELLA_API_URL": capella_sim.url,
        "CAPELLA_ACCESS_KEY": capella_sim.access_key,
        "CAPELLA_SECRET_KEY": capella_sim.secret_key,
    }
    result = subprocess.run(
        [str(CBCTL), "capella", "call", "GET", "/v2/projects", "--all-pages"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert [p["id"] for p in json.loads(result.stdout)] == [project_id]
    assert capella_sim.secret_key not in result.stdout + result.stderr
