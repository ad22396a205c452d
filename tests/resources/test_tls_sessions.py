"""Invocations of the real provider handler against an HTTPS appliance share one connection and one TLS
session: the client of each request is new, the session under it is the container's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from simulators.cloudbasic import CloudBasicSimulator
from simulators.stack import register_endpoint
from tests.resources.cloudbasic.test_ha_cluster import props
from tests.resources.conftest import CloudBasicEnv
from tests.tls import self_signed_certificate

TYPE = "Custom::CloudBasicHACluster"


@pytest.fixture
def tls_endpoint(cb: CloudBasicEnv, tmp_path: Path) -> Iterator[CloudBasicSimulator]:
    """A TLS appliance registered as endpoint ``tls``, trusted through a CA bundle secret."""
    cert, key = self_signed_certificate(tmp_path)
    with CloudBasicSimulator().with_tls(cert, key) as sim:
        keys = cb.admin_key_secret(sim, "cloudbasic/tls-admin")
        bundle = cb.sm.create_secret(Name="cloudbasic/tls-ca", SecretString=cert.read_text())["ARN"]
        register_endpoint("cloudbasic", "tls", sim.url, credentials_secret_arn=keys, CaBundleSecretArn=bundle)
        yield sim


def test_two_invocations_over_https_open_one_tls_connection(
    cb: CloudBasicEnv, tls_endpoint: CloudBasicSimulator
) -> None:
    given = props(cb, Endpoint="tls")
    created = cb.stack.send("Create", TYPE, "Cluster", given)
    assert created.status == "SUCCESS", created.reason
    deleted = cb.stack.send("Delete", TYPE, "Cluster", given, physical_id=created.physical_id)
    assert deleted.status == "SUCCESS", deleted.reason
    assert tls_endpoint.cluster is None
    assert len(tls_endpoint.calls) >= 2
    assert tls_endpoint.accepted == 1, f"{tls_endpoint.accepted} TLS handshakes for two invocations"
