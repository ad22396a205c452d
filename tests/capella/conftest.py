"""Fixtures for the Capella client tests: a client bound to the ``capella_sim`` simulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cbprovider.capella.client import CapellaClient
from cbprovider.capella.signing import CapellaHmacAuth
from cbprovider.http_message import PreparedRequest
from cbprovider.transport import RetryPolicy

FAST_RETRY = RetryPolicy(base_delay=0.01, max_delay=0.05)


class RecordingAuth:
    """The real signer, remembering every timestamp it signed with (one per attempt)."""

    def __init__(self, access_key: str, secret_key: str) -> None:
        self.inner = CapellaHmacAuth(access_key, secret_key)
        self.timestamps: list[str] = []

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        r = self.inner(r)
        self.timestamps.append(str(r.headers["Couchbase-Timestamp"]))
        return r


@pytest.fixture
def client(capella_sim) -> Iterator[CapellaClient]:
    with CapellaClient(
        capella_sim.url, (capella_sim.access_key, capella_sim.secret_key), retry=FAST_RETRY
    ) as c:
        yield c


@pytest.fixture
def project_id(capella_sim) -> str:
    return str(capella_sim.add_project("proj"))


def hosted_spec(project_id: str, name: str = "orders") -> dict[str, object]:
    return {
        "environment": "hosted",
        "clusterName": name,
        "projectId": project_id,
        "description": "test cluster",
        "place": {
            "singleAZ": True,
            "hosted": {"provider": "aws", "region": "us-east-1", "CIDR": "10.0.0.0/20"},
        },
        "servers": [
            {
                "size": 3,
                "compute": "m5.xlarge",
                "services": ["data", "index", "query"],
                "storage": {"type": "GP3", "size": 50, "IOPS": 3000},
            }
        ],
        "supportPackage": {"type": "DeveloperPro", "timezone": "GMT"},
    }


@pytest.fixture
def v4_sim():
    """The Capella simulator with fast v4 states (strict bodies, the default)."""
    from simulators.capella import CapellaSimulator

    with CapellaSimulator(deploy_seconds=0.4, destroy_seconds=0.2, scale_seconds=0.2) as sim:
        yield sim


@pytest.fixture
def v4(v4_sim):
    from tests.capella.v4_support import v4_client

    with v4_client(v4_sim) as c:
        yield c


@pytest.fixture
def v4_project(v4_sim) -> str:
    return str(v4_sim.v4.add_project("proj"))
