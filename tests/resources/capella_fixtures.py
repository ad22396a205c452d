"""The Capella resource tests' world: moto, the Capella simulator, credentials in Secrets Manager, and the
real handler of functions/capella_provider/app.py driven by ``LocalStack`` like CloudFormation drives it.
"""

from __future__ import annotations

import importlib.util
import io
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cbprovider.capella import CapellaClient
from cbprovider.secrets.sharing import sharing_tags

from simulators.capella import CapellaSimulator
from simulators.capella.state import HostedCluster
from simulators.cloudformation import ResponseReceiver
from simulators.server import Request, Response
from simulators.stack import LocalStack, local_aws, register_endpoint

APP = Path(__file__).resolve().parents[2] / "functions" / "capella_provider" / "app.py"
PROJECT = "Custom::CapellaProject"
CLUSTER = "Custom::CapellaCluster"
USER = "Custom::CapellaDatabaseUser"
PASSWORD = "Str0ng!Passw0rd-one"
OTHER_PASSWORD = "An0ther#Secret-two"
SHORT_CONTEXT = 10.0
"""A Lambda with 10 s left: with the runtime's 5 s backstop and 3 s work reserves, API calls get 2 s."""
SLOW = 2.5
"""Longer than those 2 s: a call held this long times out, and the simulator carries it out afterwards."""


def load_handler() -> Any:
    """The provider function's module, loaded afresh (call inside ``local_aws()``)."""
    spec = importlib.util.spec_from_file_location(f"capella_provider_app_{uuid.uuid4().hex}", APP)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.lambda_handler


def slow_create(stack: LocalStack, sim: CapellaSimulator, key: str) -> None:
    """The next call ``key`` (a fault key such as ``POST /v3/clusters``) is held ``SLOW`` seconds, so that
    in a Lambda with ``SHORT_CONTEXT`` left it times out and is carried out afterwards; the polls that
    follow wait until the simulator has carried it out.

    CloudFormation's polls come a minute apart; the test plays them at once, so without the wait whether
    the first look-ups find the object would depend on how loaded the machine is.
    """
    sim.faults.add(key, delay=SLOW)

    def once_carried_out(kind: str, _event: object) -> None:
        if kind != "poll":
            return
        give_up = time.monotonic() + SLOW + 10.0
        while not any(call.key == key for call in sim.calls):
            assert time.monotonic() < give_up, f"{key} was never carried out (was it sent at all?)"
            time.sleep(0.02)

    stack.on_invoke = once_carried_out


class LossyCapellaSimulator(CapellaSimulator):
    """The Capella simulator, able to carry out the next cluster create and then answer 502 instead of 202
    (what a client sees when the response to a create that happened is lost on the way).
    """

    lose_next_create = False

    def handle(self, request: Request) -> Response:
        response = super().handle(request)
        if self.lose_next_create and (request.method, request.path) == ("POST", "/v3/clusters"):
            self.lose_next_create = False
            if response.status == 202:
                return Response.json(502, {"errorType": "BadGateway", "message": "upstream timed out"})
        return response


@dataclass
class CapellaWorld:
    sim: LossyCapellaSimulator
    stack: LocalStack
    secrets: Any
    credentials_arn: str

    def secret(self, value: str) -> str:
        """A new secret holding ``value``; its ARN."""
        name = f"test-{uuid.uuid4().hex[:12]}"
        return str(self.secrets.create_secret(Name=name, SecretString=value, Tags=sharing_tags())["ARN"])

    def project(self) -> str:
        return self.sim.add_project(f"p-{uuid.uuid4().hex[:6]}")

    def healthy_cluster(self) -> str:
        return self.sim.add_clusters(self.project(), 1)[0]

    def cluster(self, cluster_id: str) -> HostedCluster:
        """The simulator's record of a hosted cluster."""
        found = self.sim.clusters[cluster_id]
        assert isinstance(found, HostedCluster)
        return found

    def client(self) -> CapellaClient:
        """A client of the simulator, for setting the scene the way another API user would."""
        return CapellaClient(self.sim.url, (self.sim.access_key, self.sim.secret_key))

    def everything_sent(self) -> str:
        """Every response body CloudFormation received, as one text."""
        return json.dumps([r.body for r in self.stack.receiver.responses])


def make_world(
    monkeypatch: pytest.MonkeyPatch, receiver: ResponseReceiver, aws: Any, sim: LossyCapellaSimulator
) -> CapellaWorld:
    secrets = aws.client("secretsmanager")
    keys = json.dumps({"AccessKey": sim.access_key, "SecretKey": sim.secret_key})
    arn = str(secrets.create_secret(Name=f"capella-keys-{uuid.uuid4().hex[:8]}", SecretString=keys)["ARN"])
    register_endpoint("capella", "default", sim.url, credentials_secret_arn=arn)
    return CapellaWorld(sim, LocalStack(load_handler(), receiver), secrets, arn)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, cfn_receiver: ResponseReceiver) -> Iterator[CapellaWorld]:
    sim = LossyCapellaSimulator(deploy_seconds=0.6, destroy_seconds=0.3, scale_seconds=0.3)
    with local_aws() as aws, sim:
        yield make_world(monkeypatch, cfn_receiver, aws, sim)


@pytest.fixture
def logged(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> Iterator[Callable[[], str]]:
    """Everything logged at DEBUG and above, as records, as the JSON log lines and as output."""
    from cbprovider.runtime.log import logger

    caplog.set_level(logging.DEBUG)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    target = logging.getLogger(logger.service)
    target.addHandler(handler)

    def everything() -> str:
        out, err = capfd.readouterr()
        records = " ".join(str(vars(r)) for r in caplog.records)
        return records + caplog.text + stream.getvalue() + out + err

    try:
        yield everything
    finally:
        target.removeHandler(handler)


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


def fails_without_adopting(
    stack: LocalStack, resource_type: str, properties: dict[str, Any], *, sought: str
) -> None:
    """A Create whose answer is lost while an object of its name existed before: FAILED under the
    placeholder, saying no ``sought`` (``bucket named 'orders'``) besides those there before appeared,
    nothing left behind; its rollback Delete succeeds (the caller checks the object is still there)."""
    failed = stack.send("Create", resource_type, "Thing", properties)
    assert failed.status == "FAILED", "an object made before the call was adopted"
    assert failed.physical_id.startswith("failed-create-Thing-")
    assert f"no {sought} besides those there before the call appeared" in failed.reason
    assert nothing_left()
    rollback = stack.send("Delete", resource_type, "Thing", properties, physical_id=failed.physical_id)
    assert rollback.status == "SUCCESS", rollback.reason
