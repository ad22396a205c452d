"""Helpers for the automation tests: monitor settings bound to the simulators, EMF lines, Lambda contexts."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from cbprovider.automation.settings import CapellaTarget, CloudBasicTarget, MonitorSettings
from cbprovider.transport import RetryPolicy, Timeouts

from simulators.stack import LambdaContext

REGION = "us-east-1"
FAST_RETRY = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.05)


def cloudbasic_target(sim: Any, name: str = "primary") -> CloudBasicTarget:
    return CloudBasicTarget(name=name, api_url=sim.url, credentials=sim.admin_keys)


def capella_target(sim: Any) -> CapellaTarget:
    return CapellaTarget(api_url=sim.url, credentials=(sim.access_key, sim.secret_key))


def settings(
    *targets: CloudBasicTarget, capella: CapellaTarget | None = None, concurrency: int = 8
) -> MonitorSettings:
    return MonitorSettings(
        cloudbasic=targets,
        capella=() if capella is None else (capella,),
        concurrency=concurrency,
        retry=FAST_RETRY,
        timeouts=Timeouts(connect=2.0, read=10.0),
    )


def closed_port_url() -> str:
    """A URL on which nothing listens (the port was bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def emf_documents(stdout: str) -> list[dict[str, Any]]:
    """The EMF documents among the printed lines."""
    docs = []
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith("{") and '"_aws"' in line:
            docs.append(json.loads(line))
    return docs


def emf_value(doc: dict[str, Any], name: str) -> float:
    value = doc[name]
    return float(value[0] if isinstance(value, list) else value)


def metric_names(doc: dict[str, Any]) -> set[str]:
    return {m["Name"] for m in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]}


def dimensions(doc: dict[str, Any]) -> list[str]:
    sets = doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
    assert len(sets) == 1
    return list(sets[0])


FakeContext = LambdaContext
"""A Lambda context whose remaining time counts down from ``seconds`` (the local stack driver's)."""


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto for every AWS call (Secrets Manager, Route 53), in us-east-1 with dummy credentials."""
    from moto import mock_aws

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS": "true",  # the simulators listen on 127.0.0.1
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


def put_secret(name: str, value: dict[str, str]) -> str:
    import boto3

    client = boto3.client("secretsmanager", region_name=REGION)
    return str(client.create_secret(Name=name, SecretString=json.dumps(value))["ARN"])


def hosted_zone(domain: str = "example.internal") -> str:
    import boto3

    client = boto3.client("route53", region_name=REGION)
    zone = client.create_hosted_zone(Name=domain, CallerReference=str(time.time()))
    return str(zone["HostedZone"]["Id"]).removeprefix("/hostedzone/")


def cname_records(zone_id: str) -> dict[str, tuple[str, int]]:
    """name -> (target, ttl) of the zone's CNAME records."""
    import boto3

    client = boto3.client("route53", region_name=REGION)
    records = client.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return {
        r["Name"]: (r["ResourceRecords"][0]["Value"], int(r["TTL"])) for r in records if r["Type"] == "CNAME"
    }
