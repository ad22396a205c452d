"""The monitor's Lambda entry point: settings from the environment, secrets from moto, EMF on stdout."""

from __future__ import annotations

import json

import pytest
from cbprovider.automation.errors import InputError
from cbprovider.automation.lambda_monitor import handle
from cbprovider.automation.settings import settings_from_env

from simulators.stack import register_endpoint
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
    register_endpoint("cloudbasic", "eu-primary", cloudbasic_sim.url, credentials_secret_arn=cb_arn)
    register_endpoint("cloudbasic", "gone", closed_port_url(), credentials_secret_arn=cb_arn)
    register_endpoint("capella", "default", capella_sim.url, credentials_secret_arn=cap_arn)
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
    assert [org["clusterCount"] for org in summary["capella"]] == [2]
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
    register_endpoint("cloudbasic", "default", cloudbasic_sim.url, credentials_secret_arn=arn)

    summary = handle({}, FakeContext(10))

    [endpoint] = summary["cloudbasic"]
    assert endpoint["status"] == "error"
    assert "SecretAccessKey" in endpoint["reason"]
    assert cloudbasic_sim.calls == []
    capsys.readouterr()


def test_settings_list_every_registered_endpoint_and_the_refused_ones(aws, monkeypatch):
    monkeypatch.delenv("CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS")
    for number in range(12):  # more than one page of GetParametersByPath
        register_endpoint(
            "cloudbasic", f"node-{number:02d}", f"http://10.0.1.{number + 1}:82", AllowPlaintextHttp=True
        )
    register_endpoint("cloudbasic", "metadata", "https://169.254.169.254")
    register_endpoint("capella", "eu", "https://10.0.9.9", credentials_secret_arn="arn:x", ApiVersion="v3")
    settings = settings_from_env({"MONITOR_CONCURRENCY": "16"})
    assert [t.name for t in settings.cloudbasic] == [f"node-{n:02d}" for n in range(12)]
    assert settings.cloudbasic[0].signing_region == "us-east-1"
    assert [(t.name, t.api_url, t.credentials_secret_arn) for t in settings.capella] == [
        ("eu", "https://10.0.9.9", "arn:x")
    ]
    [refused] = settings.refused
    assert (refused.vendor, refused.name) == ("cloudbasic", "metadata")
    assert "cloud metadata" in refused.reason
    assert settings.concurrency == 16


def test_a_refused_entry_is_reported_and_never_called(aws, cloudbasic_sim, capsys):
    register_endpoint("cloudbasic", "inward", "http://127.0.0.2:82", AllowPlaintextHttp=True)
    summary = handle({}, FakeContext(10))
    [endpoint] = summary["cloudbasic"]
    assert (endpoint["name"], endpoint["status"]) == ("inward", "error")
    assert "loopback" in endpoint["reason"]
    capsys.readouterr()


@pytest.mark.parametrize("value", ["0", "many"])
def test_bad_settings_name_the_variable(value):
    with pytest.raises(InputError) as caught:
        settings_from_env({"MONITOR_CONCURRENCY": value})
    assert caught.value.field == "MONITOR_CONCURRENCY"
