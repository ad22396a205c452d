"""The Capella resource tests' world: moto, the Capella simulator, credentials in Secrets Manager, and the
real handler of functions/capella_provider/app.py driven by ``LocalStack`` like CloudFormation drives it.
"""

from __future__ import annotations

import importlib.util
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from simulators.capella import CapellaSimulator
from simulators.cloudformation import ResponseReceiver
from simulators.stack import LocalStack, local_aws

APP = Path(__file__).resolve().parents[2] / "functions" / "capella_provider" / "app.py"
PROJECT = "Custom::CapellaProject"
CLUSTER = "Custom::CapellaCluster"
USER = "Custom::CapellaDatabaseUser"
PASSWORD = "Str0ng!Passw0rd-one"
OTHER_PASSWORD = "An0ther#Secret-two"


def load_handler() -> Any:
    """The provider function's module, loaded afresh (call inside ``local_aws()``)."""
    spec = importlib.util.spec_from_file_location(f"capella_provider_app_{uuid.uuid4().hex}", APP)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.lambda_handler


@dataclass
class CapellaWorld:
    sim: CapellaSimulator
    stack: LocalStack
    secrets: Any
    credentials_arn: str

    def secret(self, value: str) -> str:
        """A new secret holding ``value``; its ARN."""
        name = f"test-{uuid.uuid4().hex[:12]}"
        return str(self.secrets.create_secret(Name=name, SecretString=value)["ARN"])

    def project(self) -> str:
        return self.sim.add_project(f"p-{uuid.uuid4().hex[:6]}")

    def healthy_cluster(self) -> str:
        return self.sim.add_clusters(self.project(), 1)[0]


def make_world(
    monkeypatch: pytest.MonkeyPatch, receiver: ResponseReceiver, aws: Any, sim: CapellaSimulator
) -> CapellaWorld:
    secrets = aws.client("secretsmanager")
    keys = json.dumps({"AccessKey": sim.access_key, "SecretKey": sim.secret_key})
    arn = str(secrets.create_secret(Name=f"capella-keys-{uuid.uuid4().hex[:8]}", SecretString=keys)["ARN"])
    monkeypatch.setenv("CAPELLA_API_URL", sim.url)
    monkeypatch.setenv("CAPELLA_CREDENTIALS_SECRET_ARN", arn)
    return CapellaWorld(sim, LocalStack(load_handler(), receiver), secrets, arn)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, cfn_receiver: ResponseReceiver) -> Iterator[CapellaWorld]:
    with (
        local_aws() as aws,
        CapellaSimulator(deploy_seconds=0.6, destroy_seconds=0.3, scale_seconds=0.3) as sim,
    ):
        yield make_world(monkeypatch, cfn_receiver, aws, sim)


def cluster_properties(project_id: str, **overrides: Any) -> dict[str, Any]:
    """Cluster properties as CloudFormation sends them (every scalar a string)."""
    props: dict[str, Any] = {
        "ProjectId": project_id,
        "Name": "orders",
        "Description": "orders cache",
        "Provider": "aws",
        "Region": "us-east-1",
        "Cidr": "10.0.16.0/20",
        "SingleAZ": "false",
        "Servers": [
            {
                "Size": "3",
                "Compute": "m5.xlarge",
                "Services": ["data", "index", "query"],
                "Storage": {"Type": "GP3", "Size": "50", "Iops": "3000"},
            }
        ],
        "SupportPackage": {"Type": "DeveloperPro", "Timezone": "GMT"},
        "ServiceTimeout": "900",
    }
    props.update(overrides)
    return props


def nothing_left() -> bool:
    return LocalStack.leftovers() == {"rules": [], "poll_state": []}
