"""Resource types the overhead and memory items drive: simulator, secrets, environment, properties.

A scenario is entered inside ``simulators.stack.local_aws()`` (it writes its secrets to moto's Secrets
Manager) and yields everything needed to send Create/Update/Delete for its type through the real
handler of ``functions/<function>/app.py``, and to send the same API calls with plain urllib3.
``Custom::CloudBasicReplication`` is preferred; ``Custom::CapellaProject`` is the fallback while the
replication type is not in the layer.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cbprovider.http_message import Signer

from bench.machine import REPO

LAYER_RESOURCES = REPO / "layers" / "provider" / "cbprovider" / "resources"


@dataclass
class Scenario:
    type_name: str
    function: str
    url: str
    auth: Signer
    create: dict[str, Any]
    update: dict[str, Any]
    """Properties of an in-place Update (same physical id)."""
    objects: Callable[[], set[str]]
    """The ids of the objects of this type the simulator holds now."""
    simulator: Any = None
    """The simulator behind ``url`` (its calls, accepted connections and state)."""


@contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _secret(sm: Any, name: str, value: dict[str, Any]) -> str:
    from cbprovider.secrets.sharing import sharing_tags

    return str(
        sm.create_secret(
            Name=f"{name}-{uuid.uuid4().hex[:8]}", SecretString=json.dumps(value), Tags=sharing_tags()
        )["ARN"]
    )


def _rds_secret(sm: Any, host: str, database: str | None) -> str:
    value: dict[str, Any] = {
        "engine": "sqlserver",
        "host": host,
        "port": 1433,
        "username": "admin",
        "password": "Bench-Pa55w0rd-1",
    }
    if database:
        value["dbname"] = database
    return _secret(sm, f"rds/{host}", value)


@contextmanager
def replication(
    boto3: Any,
    *,
    latency: float = 0.0,
    seeding_seconds: float = 2.0,
    tls: tuple[Path, Path] | None = None,
    endpoint: str = "default",
) -> Iterator[Scenario]:
    """``tls`` (certificate, key): the appliance serves HTTPS and the endpoint ``endpoint`` trusts its
    certificate through a CA bundle secret."""
    from cbprovider.cloudbasic.signing import CloudBasicSigV4Auth

    from simulators.cloudbasic import CloudBasicSimulator
    from simulators.stack import register_endpoint

    sm = boto3.client("secretsmanager")
    sim = CloudBasicSimulator(latency=latency, seeding_seconds=seeding_seconds)
    trust: dict[str, str] = {}
    if tls is not None:
        sim.with_tls(*tls)
        bundle = sm.create_secret(
            Name=f"cloudbasic/ca-{uuid.uuid4().hex[:8]}", SecretString=tls[0].read_text()
        )
        trust["CaBundleSecretArn"] = str(bundle["ARN"])
    with sim:
        assert sim.admin_keys is not None
        access, secret = sim.admin_keys
        keys = _secret(sm, "cloudbasic/admin", {"AccessKeyId": access, "SecretAccessKey": secret})
        props: dict[str, Any] = {
            "Endpoint": endpoint,
            "Source": {"SecretArn": _rds_secret(sm, "sales-db.example.internal", "Sales")},
            "Destination": {
                "SecretArn": _rds_secret(sm, "replica-db.example.internal", None),
                "Database": "SalesReplica",
            },
            "ReplicationName": "sales-dr",
        }
        register_endpoint("cloudbasic", endpoint, sim.url, credentials_secret_arn=keys, **trust)
        with environment(CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS="true"):
            yield Scenario(
                type_name="Custom::CloudBasicReplication",
                function="cloudbasic_provider",
                url=sim.url,
                auth=CloudBasicSigV4Auth(access, secret),
                create=props,
                update={**props, "ReplicationName": "sales-dr-renamed", "ParallelTablesLimit": "4"},
                objects=lambda: set(sim.replications),
                simulator=sim,
            )


@contextmanager
def capella_project(boto3: Any, *, latency: float = 0.0) -> Iterator[Scenario]:
    from cbprovider.capella.signing import CapellaHmacAuth

    from simulators.capella import CapellaSimulator
    from simulators.stack import register_endpoint

    sm = boto3.client("secretsmanager")
    with CapellaSimulator(latency=latency) as sim:
        keys = {"AccessKey": sim.access_key, "SecretKey": sim.secret_key}
        first = _secret(sm, "capella/a", keys)
        register_endpoint("capella", "default", sim.url, credentials_secret_arn=first)
        with environment(CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS="true"):
            yield Scenario(
                type_name="Custom::CapellaProject",
                function="capella_provider",
                url=sim.url,
                auth=CapellaHmacAuth(sim.access_key, sim.secret_key),
                create={"Name": "bench"},
                update={"Name": "bench", "Endpoint": "default"},
                objects=lambda: set(sim.projects),
                simulator=sim,
            )


def available() -> Callable[..., Any]:
    """The preferred scenario whose resource module exists in the layer."""
    if (LAYER_RESOURCES / "cloudbasic" / "replication.py").exists():
        return replication
    if (LAYER_RESOURCES / "capella" / "project.py").exists():
        return capella_project
    raise RuntimeError(
        "neither cbprovider/resources/cloudbasic/replication.py nor capella/project.py exists yet"
    )
