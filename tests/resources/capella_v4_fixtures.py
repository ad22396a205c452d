"""The v4 Capella resource tests' world: the simulator's v4 API registered as the ``default`` endpoint
(``ApiVersion: v4``, its organisation, its API key token in Secrets Manager), and the real handler of
functions/capella_provider/app.py driven by ``LocalStack`` like CloudFormation drives it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cbprovider.capella.v4 import CapellaV4Client
from cbprovider.secrets.sharing import sharing_tags

from simulators.capella import CapellaSimulator
from simulators.capella.v4.state import V4Store
from simulators.cloudformation import ResponseReceiver
from simulators.stack import LocalStack, local_aws, register_endpoint
from tests.capella.v4_support import v4_client
from tests.resources.capella_fixtures import load_handler

PROJECT = "Custom::CapellaProject"
CLUSTER = "Custom::CapellaCluster"
BUCKET = "Custom::CapellaBucket"
CIDR = "Custom::CapellaAllowedCidr"
CREDENTIAL = "Custom::CapellaDatabaseCredential"
PASSWORD = "Str0ng!Passw0rd-one"
OTHER_PASSWORD = "An0ther#Secret-two"
ORG = "/v4/organizations/{organizationId}"
PROJECTS = ORG + "/projects"
CLUSTERS = PROJECTS + "/{projectId}/clusters"
CLUSTER_PATH = CLUSTERS + "/{clusterId}"


@dataclass
class V4World:
    sim: CapellaSimulator
    stack: LocalStack
    secrets: Any
    token_arn: str

    @property
    def store(self) -> V4Store:
        return self.sim.v4.store

    def secret(self, value: str) -> str:
        """A new secret holding ``value``, shared as a property-named secret must be; its ARN."""
        name = f"test-{uuid.uuid4().hex[:12]}"
        return str(self.secrets.create_secret(Name=name, SecretString=value, Tags=sharing_tags())["ARN"])

    def project(self) -> str:
        return self.sim.v4.add_project(f"p-{uuid.uuid4().hex[:6]}")

    def healthy_cluster(self, project_id: str | None = None) -> tuple[str, str]:
        """``(project_id, cluster_id)`` of a healthy cluster seeded behind the stack's back."""
        project_id = project_id or self.project()
        return project_id, self.sim.v4.add_clusters(project_id, 1)[0]

    def client(self) -> CapellaV4Client:
        return v4_client(self.sim)

    def calls(self, key: str) -> int:
        return sum(call.key == key for call in self.sim.calls)

    def everything_sent(self) -> str:
        return json.dumps([r.body for r in self.stack.receiver.responses])


def make_v4_world(receiver: ResponseReceiver, aws: Any, sim: CapellaSimulator) -> V4World:
    secrets = aws.client("secretsmanager")
    token = json.dumps({"ApiKeyToken": sim.v4.token})
    arn = str(secrets.create_secret(Name=f"capella-token-{uuid.uuid4().hex[:8]}", SecretString=token)["ARN"])
    register_endpoint(
        "capella",
        "default",
        sim.url,
        credentials_secret_arn=arn,
        ApiVersion="v4",
        OrganizationId=sim.v4.organization_id,
    )
    return V4World(sim, LocalStack(load_handler(), receiver), secrets, arn)


@pytest.fixture
def v4world(monkeypatch: pytest.MonkeyPatch, cfn_receiver: ResponseReceiver) -> Iterator[V4World]:
    monkeypatch.setenv("CAPELLA_REQUESTS_PER_MINUTE", "60000")
    sim = CapellaSimulator(deploy_seconds=0.6, destroy_seconds=0.3, scale_seconds=0.3)
    with local_aws() as aws, sim:
        yield make_v4_world(cfn_receiver, aws, sim)


def cluster_properties(project_id: str, **overrides: Any) -> dict[str, Any]:
    """v4 cluster properties as CloudFormation sends them (every scalar a string)."""
    props: dict[str, Any] = {
        "ProjectId": project_id,
        "Name": "orders",
        "Description": "orders cache",
        "CloudProvider": {"Type": "aws", "Region": "us-east-1", "Cidr": "10.0.16.0/23"},
        "ServiceGroups": [
            {
                "Node": {
                    "Compute": {"Cpu": "4", "Ram": "16"},
                    "Disk": {"Type": "gp3", "Storage": "50", "Iops": "3000"},
                },
                "NumOfNodes": "3",
                "Services": ["data", "index", "query"],
            }
        ],
        "Availability": {"Type": "single"},
        "Support": {"Plan": "developer pro", "Timezone": "GMT"},
        "ServiceTimeout": "900",
    }
    props.update(overrides)
    return props
