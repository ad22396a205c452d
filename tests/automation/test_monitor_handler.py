"""The monitor's Lambda entry point: settings from the environment, secrets from moto, EMF on stdout."""

from __future__ import annotations

import json

import pytest
from cbprovider.automation.errors import InputError
from cbprovider.automation.lambda_monitor import handle
from cbprovider.automation.settings import settings_from_env

from tests.automation.conftest import (
    FakeContext,
    closed_port_url,
    dimensions,
    emf_documents,
    emf_value,
    put_secret,
)


def test_handler_reads_endpoints_and_secrets_and_publishes(
    aws, cloudbasic_sim, capella_sim, monkeypatch, capsys, caplog
):
    ids = cloudbasic_sim.add_replications(3)
    capella_sim.add_clusters(capella_sim.add_project("p"), 2)
    access, secret = cloudbasic_sim.admin_keys
    cb_arn = put_secret("monitor/cloudbasic", {"AccessKeyId": access, "SecretAccessKey": secret})
    cap_arn = put_secret(
        "monitor/capella", {"AccessKey": capella_sim.access_key, "SecretKey": capella_sim.secret_key}
    )
    endpoints = [
        {"Name": "eu-primary", "ApiUrl": cloudbasic_sim.url, "CredentialsSecretArn": cb_arn},
        {
            "Name": "gone",
            "ApiUrl": closed_port_url(),
            "CredentialsSecretArn": cb_arn,
            "SigningRegion": "us-east-1",
        },
    ]
    monkeypatch.setenv("MONITOR_CLOUDBASIC_ENDPOINTS", json.dumps(endpoints))
    monkeypatch.setenv("CAPELLA_API_URL", capella_sim.url)
    monkeypatch.setenv("CAPELLA_CREDENTIALS_SECRET_ARN", cap_arn)
    monkeypatch.setenv("MONITOR_CONCURRENCY", "4")

    summary = handle({"source": "aws.events"}, FakeContext(30))

    output = capsys.readouterr().out
    assert secret not in output
    assert capella_sim.secret_key not in output
    json.dumps(summary)
    by_name = {e["name"]: e for e in summary["cloudbasic"]}
    assert by_name["eu-primary"]["status"] == "ok"
    assert sorted(r["replicationId"] for r in by_name["eu-primary"]["replications"]) == sorted(ids)
    assert by_name["gone"]["status"] == "unreachable"
    assert summary["capella"]["clusterCount"] == 2
    assert summary["counts"] == {
        "ok": 1 + 3 + 1 + 2,
        "unhealthy": 0,
        "error": 0,
        "unreachable": 1,
        "skipped": 0,
    }
    docs = emf_documents(output)
    endpoint_docs = {d["Endpoint"]: d for d in docs if dimensions(d) == ["Endpoint"]}
    assert emf_value(endpoint_docs["gone"], "EndpointReachable") == 0
    assert emf_value(endpoint_docs["eu-primary"], "Replications") == 3
    summary_lines = [r.getMessage() for r in caplog.records if "replication monitor:" in r.getMessage()]
    assert len(summary_lines) == 1
    assert "gone unreachable" in summary_lines[0]


def test_unreadable_secret_is_reported_for_its_endpoint(aws, cloudbasic_sim, monkeypatch, capsys):
    arn = put_secret("monitor/bad", {"AccessKeyId": "only-one-half"})
    monkeypatch.setenv(
        "MONITOR_CLOUDBASIC_ENDPOINTS",
        json.dumps([{"ApiUrl": cloudbasic_sim.url, "CredentialsSecretArn": arn}]),
    )
    monkeypatch.delenv("CAPELLA_CREDENTIALS_SECRET_ARN", raising=False)

    summary = handle({}, FakeContext(10))

    [endpoint] = summary["cloudbasic"]
    assert endpoint["status"] == "error"
    assert "SecretAccessKey" in endpoint["reason"]
    assert cloudbasic_sim.calls == []
    capsys.readouterr()


def test_default_endpoint_from_provider_settings():
    settings = settings_from_env(
        {
            "CLOUDBASIC_API_URL": "http://10.0.1.10:82",
            "CLOUDBASIC_CREDENTIALS_SECRET_ARN": "arn:x",
            "MONITOR_CONCURRENCY": "16",
        }
    )
    [target] = settings.cloudbasic
    assert (target.name, target.api_url, target.credentials_secret_arn) == (
        "default",
        "http://10.0.1.10:82",
        "arn:x",
    )
    assert settings.capella is None
    assert settings.concurrency == 16


@pytest.mark.parametrize(
    ("environ", "field"),
    [
        ({"MONITOR_CLOUDBASIC_ENDPOINTS": "{"}, "MONITOR_CLOUDBASIC_ENDPOINTS"),
        ({"MONITOR_CLOUDBASIC_ENDPOINTS": '[{"ApiUrl": "nope"}]'}, "MONITOR_CLOUDBASIC_ENDPOINTS[0].ApiUrl"),
        (
            {"MONITOR_CLOUDBASIC_ENDPOINTS": '[{"ApiUrl": "http://a", "Url": "x"}]'},
            "MONITOR_CLOUDBASIC_ENDPOINTS[0].Url",
        ),
        ({"MONITOR_CONCURRENCY": "0"}, "MONITOR_CONCURRENCY"),
        ({"MONITOR_CONCURRENCY": "many"}, "MONITOR_CONCURRENCY"),
    ],
)
def test_bad_settings_name_the_variable(environ, field):
    with pytest.raises(InputError) as caught:
        settings_from_env(environ)
    assert caught.value.field == field


def test_duplicate_endpoint_names_are_refused():
    text = json.dumps([{"Name": "a", "ApiUrl": "http://x:82"}, {"Name": "a", "ApiUrl": "http://y:82"}])
    with pytest.raises(InputError, match="unique"):
        settings_from_env({"MONITOR_CLOUDBASIC_ENDPOINTS": text})
