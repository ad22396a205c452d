"""``cbctl capella call`` on API v4: a bearer token from the environment or a secret, raw paths without an
organisation id, ``{organizationId}`` filled from the option, the environment or the endpoint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from simulators.capella import CapellaSimulator
from simulators.stack import local_aws, register_endpoint
from tests.capella.test_cbctl import run

ORG = "/v4/organizations/{organizationId}"


@pytest.fixture
def v4env(capella_sim: CapellaSimulator, monkeypatch: pytest.MonkeyPatch) -> CapellaSimulator:
    monkeypatch.setenv("CAPELLA_API_URL", capella_sim.url)
    monkeypatch.setenv("CAPELLA_API_KEY_TOKEN", capella_sim.v4.token)
    for name in ("CAPELLA_ACCESS_KEY", "CAPELLA_SECRET_KEY", "CAPELLA_ORGANIZATION_ID"):
        monkeypatch.delenv(name, raising=False)
    return capella_sim


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with local_aws() as boto3:
        yield boto3


def test_a_raw_path_needs_no_organisation_id(
    v4env: CapellaSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    project_id = v4env.v4.add_project("alpha")
    path = f"/v4/organizations/{v4env.v4.organization_id}/projects/{project_id}"
    code, out, err = run(capsys, "GET", path, "--api-version", "v4")
    assert code == 0, err
    assert json.loads(out)["name"] == "alpha"
    assert [c.status for c in v4env.calls if c.path == path] == [200]
    assert v4env.v4.token not in out + err


def test_a_v4_path_picks_v4_and_a_placeholder_takes_the_organisation_from_the_option_or_env(
    v4env: CapellaSimulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [v4env.v4.add_project(f"p-{i}") for i in range(12)]
    org = v4env.v4.organization_id

    code, _, err = run(capsys, "GET", f"{ORG}/projects")
    assert code == 2
    assert "--organization-id" in err
    assert "CAPELLA_ORGANIZATION_ID" in err

    code, out, err = run(capsys, "GET", f"{ORG}/projects?perPage=5", "--all-pages", "--organization-id", org)
    assert code == 0, err
    assert sorted(p["id"] for p in json.loads(out)) == sorted(ids)
    assert sum(c.path == f"/v4/organizations/{org}/projects" for c in v4env.calls) == 3

    monkeypatch.setenv("CAPELLA_ORGANIZATION_ID", org)
    code, out, err = run(capsys, "POST", f"{ORG}/projects", "--body", '{"name": "made-by-cli"}')
    assert code == 0, err
    made = json.loads(out)["id"]
    assert v4env.v4.store.projects[made].name == "made-by-cli"


def test_v4_errors_and_a_missing_token(
    v4env: CapellaSimulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    org = v4env.v4.organization_id
    code, _, err = run(capsys, "GET", f"/v4/organizations/{org}/projects/{'0' * 8}-0000-0000-0000-{'0' * 12}")
    assert code == 1
    assert "404" in err
    code, _, err = run(capsys, "GET", "/v4/organizations/x/projects", "--all-pages", "--body", "{}")
    assert code == 2
    monkeypatch.delenv("CAPELLA_API_KEY_TOKEN")
    code, _, err = run(capsys, "GET", f"/v4/organizations/{org}/projects")
    assert code == 2
    assert "CAPELLA_API_KEY_TOKEN" in err
    monkeypatch.setenv("CAPELLA_API_KEY_TOKEN", "not-the-token")
    code, _, err = run(capsys, "GET", f"/v4/organizations/{org}/projects")
    assert code == 1
    assert "401" in err
    assert "not-the-token" not in err


def test_the_endpoint_gives_url_version_token_and_organisation(
    aws: Any,
    capella_sim: CapellaSimulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("CAPELLA_API_URL", "CAPELLA_API_KEY_TOKEN", "CAPELLA_ORGANIZATION_ID"):
        monkeypatch.delenv(name, raising=False)
    secrets = aws.client("secretsmanager")
    plain = secrets.create_secret(Name="capella/token", SecretString=capella_sim.v4.token)["ARN"]
    broken = secrets.create_secret(Name="capella/broken", SecretString='{"Token": "x"}')["ARN"]
    register_endpoint(
        "capella",
        "org",
        capella_sim.url,
        credentials_secret_arn=plain,
        ApiVersion="v4",
        OrganizationId=capella_sim.v4.organization_id,
    )
    project_id = capella_sim.v4.add_project("via-endpoint")

    code, out, err = run(capsys, "GET", f"{ORG}/projects/{project_id}", "--endpoint", "org")
    assert code == 0, err
    assert json.loads(out)["name"] == "via-endpoint"
    assert capella_sim.v4.token not in out + err

    code, _, err = run(
        capsys, "GET", f"{ORG}/projects", "--endpoint", "org", "--credentials-secret-arn", broken
    )
    assert code == 1
    assert "ApiKeyToken" in err

    code, _, err = run(capsys, "GET", "/v2/projects", "--endpoint", "org", "--api-version", "v3")
    assert code == 1, "the v3 API wants a key pair, and the secret holds a token"
    assert "AccessKey and SecretKey" in err
