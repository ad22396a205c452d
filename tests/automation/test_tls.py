"""A self-signed CloudBasic appliance: monitor and promotion trust it through a CA bundle, and only then."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cbprovider.automation.lambda_monitor import handle as monitor_handle
from cbprovider.automation.lambda_promote import handle as promote_handle
from cbprovider.automation.promotion_request import PromotionRequest
from cbprovider.cloudbasic.ca_bundle import ca_bundle_file
from cbprovider.errors import ApiConnectionError
from cbprovider.secrets.reader import SecretUnreadable

from cbctl.cli import main
from simulators.cloudbasic import CloudBasicSimulator
from simulators.stack import register_endpoint
from tests.automation.conftest import FakeContext, put_secret
from tests.tls import self_signed_certificate


@pytest.fixture
def tls_sim(tmp_path: Path) -> Iterator[tuple[CloudBasicSimulator, Path]]:
    """A CloudBasic simulator behind TLS with a fresh self-signed certificate: ``(simulator, PEM path)``."""
    cert, key = self_signed_certificate(tmp_path)
    with CloudBasicSimulator().with_tls(cert, key) as sim:
        yield sim, cert


def https_url(sim: CloudBasicSimulator) -> str:
    return f"https://127.0.0.1:{sim.port}"


def secrets_for(sim: CloudBasicSimulator, pem: Path) -> tuple[str, str]:
    """``(key pair secret ARN, CA bundle secret ARN)`` in moto."""
    import boto3

    assert sim.admin_keys is not None
    access, secret = sim.admin_keys
    keys = put_secret("cloudbasic/tls-admin", {"AccessKeyId": access, "SecretAccessKey": secret})
    client = boto3.client("secretsmanager", region_name="us-east-1")
    bundle = str(client.create_secret(Name="cloudbasic/tls-ca", SecretString=pem.read_text())["ARN"])
    return keys, bundle


def promotions(sim: CloudBasicSimulator) -> list[str]:
    return [c.key for c in sim.calls if c.key.startswith("Promote")]


# -- monitor (Lambda) ---------------------------------------------------------------------------
def test_monitor_trusts_the_bundle_and_reports_the_endpoint_without_it_unreachable(
    aws, tls_sim, monkeypatch, capsys
):
    sim, pem = tls_sim
    ids = sim.add_replications(2)
    keys, bundle = secrets_for(sim, pem)
    register_endpoint(
        "cloudbasic", "trusted", https_url(sim), credentials_secret_arn=keys, CaBundleSecretArn=bundle
    )
    register_endpoint("cloudbasic", "untrusting", https_url(sim), credentials_secret_arn=keys)

    summary = monitor_handle({}, FakeContext(30))

    capsys.readouterr()
    by_name = {e["name"]: e for e in summary["cloudbasic"]}
    assert by_name["trusted"]["status"] == "ok", by_name["trusted"]
    assert sorted(r["replicationId"] for r in by_name["trusted"]["replications"]) == sorted(ids)
    assert by_name["untrusting"]["status"] == "unreachable"
    assert by_name["untrusting"]["reason"].startswith("TLS handshake failed")


def test_monitor_reports_a_bundle_secret_without_a_certificate_for_its_endpoint(
    aws, tls_sim, monkeypatch, capsys
):
    sim, pem = tls_sim
    keys, _ = secrets_for(sim, pem)
    not_pem = put_secret("cloudbasic/not-a-ca", {"hello": "world"})
    register_endpoint(
        "cloudbasic", "default", https_url(sim), credentials_secret_arn=keys, CaBundleSecretArn=not_pem
    )

    summary = monitor_handle({}, FakeContext(10))

    capsys.readouterr()
    [endpoint] = summary["cloudbasic"]
    assert endpoint["status"] == "error"
    assert "CaBundleSecretArn" in endpoint["reason"]
    assert "PEM" in endpoint["reason"]
    assert sim.calls == []


# -- promotion (Lambda) -------------------------------------------------------------------------
def test_promotion_succeeds_with_the_bundle_and_fails_clearly_without_it(aws, tls_sim, monkeypatch):
    sim, pem = tls_sim
    [replication_id] = sim.add_replications(1)
    keys, bundle = secrets_for(sim, pem)
    monkeypatch.delenv("PROMOTION_HOSTED_ZONE_ID", raising=False)
    register_endpoint("cloudbasic", "tls", https_url(sim), credentials_secret_arn=keys)
    event = {"ReplicationId": replication_id, "Endpoint": "tls", "PollIntervalSeconds": 0.1}

    with pytest.raises(ApiConnectionError) as refused:
        promote_handle(event, FakeContext(30))
    assert str(refused.value).startswith("CloudBasic PromoteDbReplicaToPrimary: could not reach the API")
    assert promotions(sim) == []

    register_endpoint(
        "cloudbasic", "tls", https_url(sim), credentials_secret_arn=keys, CaBundleSecretArn=bundle
    )
    result = promote_handle(event, FakeContext(30))
    assert result["status"] == "Success"
    assert promotions(sim)[0] == "PromoteDbReplicaToPrimary"


def test_the_endpoint_survives_a_resume_event():
    request = PromotionRequest.from_event(
        {"ReplicationId": "998acaec-9211-4dac-b90b-196fd1d17993", "Endpoint": " tls "}
    )
    assert request.endpoint == "tls"
    assert request.to_event(resume=True)["Endpoint"] == "tls"


def test_a_bundle_file_is_private_and_written_once(aws):
    pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ0E=\n-----END CERTIFICATE-----\n"
    import boto3

    client = boto3.client("secretsmanager", region_name="us-east-1")
    arn = str(client.create_secret(Name="automation/ca-file", SecretString=pem)["ARN"])
    path = ca_bundle_file(arn)
    assert Path(path).read_text() == pem
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert ca_bundle_file(arn) == path
    with pytest.raises(SecretUnreadable, match="CaBundleSecretArn: cannot read secret"):
        ca_bundle_file(arn + "-missing")


# -- cbctl ----------------------------------------------------------------------------------------
@pytest.fixture
def tls_env(tls_sim, monkeypatch):
    sim, pem = tls_sim
    assert sim.admin_keys is not None
    access, secret = sim.admin_keys
    monkeypatch.setenv("CLOUDBASIC_ACCESS_KEY_ID", access)
    monkeypatch.setenv("CLOUDBASIC_SECRET_ACCESS_KEY", secret)
    for name in ("CLOUDBASIC_API_URL", "CLOUDBASIC_CREDENTIALS_SECRET_ARN", "MONITOR_CLOUDBASIC_ENDPOINTS"):
        monkeypatch.delenv(name, raising=False)
    return sim, pem


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_cbctl_monitor_needs_the_ca_bundle(tls_env, capsys):
    sim, pem = tls_env
    sim.add_replications(1)
    base = ("monitor", "--cloudbasic-url", https_url(sim), "--json")

    code, out, err = run(capsys, *base, "--ca-bundle", str(pem))
    assert code == 0, err
    [endpoint] = json.loads(out)["cloudbasic"]
    assert endpoint["status"] == "ok"

    code, out, _ = run(capsys, *base)
    assert code == 1
    [endpoint] = json.loads(out)["cloudbasic"]
    assert endpoint["status"] == "unreachable"


def test_cbctl_promote_needs_the_ca_bundle(tls_env, capsys):
    sim, pem = tls_env
    [replication_id] = sim.add_replications(1)
    base = ("promote", replication_id, "--url", https_url(sim), "--poll-interval", "0.1", "--wait", "20")

    code, _, err = run(capsys, *base)
    assert code == 1
    assert err.startswith("cbctl: ")
    assert "could not reach the API" in err
    assert promotions(sim) == []

    code, out, err = run(capsys, *base, "--ca-bundle", str(pem))
    assert code == 0, err
    assert f"Promotion of {replication_id}: Success (100%)" in out


@pytest.mark.parametrize("command", ["monitor", "promote"])
def test_cbctl_refuses_a_ca_bundle_that_is_not_a_pem_file(tls_env, tmp_path, capsys, command):
    sim, _ = tls_env
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("hello")
    args = {
        "monitor": ("monitor", "--cloudbasic-url", https_url(sim)),
        "promote": ("promote", "998acaec-9211-4dac-b90b-196fd1d17993", "--url", https_url(sim)),
    }[command]
    for bad in (str(not_pem), str(tmp_path / "missing.pem")):
        code, _, err = run(capsys, *args, "--ca-bundle", bad)
        assert code == 2
        assert "--ca-bundle" in err
    assert sim.calls == []
