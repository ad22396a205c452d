"""Attack fixtures: the real CloudBasic provider handler, a victim stack played like CloudFormation, and
an outsider's recording server on another loopback address.

``victim.stack`` is a ``LocalStack`` (it records in the CloudFormation stand-in what CloudFormation would);
the attacker sends events straight to ``victim.handler``, as anyone allowed to invoke the function can.
"""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cbprovider.secrets.sharing import sharing_tags

from simulators.cloudbasic import CloudBasicSimulator
from simulators.cloudformation import ResponseReceiver
from simulators.cloudformation_api import CloudFormationApi
from simulators.stack import (
    LambdaContext,
    LocalStack,
    cloudformation_api,
    load_handler,
    local_aws,
    register_endpoint,
)

REPLICATION = "Custom::CloudBasicReplication"
OUTSIDER_HOST = "127.0.0.2"


@dataclass
class Victim:
    stack: LocalStack
    handler: Any
    sim: CloudBasicSimulator
    cfn: CloudFormationApi
    sm: Any
    outsider: ResponseReceiver
    """A recording server on 127.0.0.2: the attacker's own receiver."""
    local_outsider: ResponseReceiver
    """A recording server on 127.0.0.1, a host the test environment admits for response URLs."""
    log: io.StringIO

    def props(self, host: str = "sales-db.example.internal") -> dict[str, Any]:
        def secret(name: str, **extra: Any) -> str:
            value = {"engine": "sqlserver", "host": name, "port": 1433, "username": "admin", **extra}
            value["password"] = "Pa55-" + uuid.uuid4().hex[:8]
            made = self.sm.create_secret(
                Name=f"rds/{uuid.uuid4().hex[:8]}", SecretString=json.dumps(value), Tags=sharing_tags()
            )
            return str(made["ARN"])

        return {
            "Source": {"SecretArn": secret(host, dbname="Sales")},
            "Destination": {"SecretArn": secret("replica-db.example.internal"), "Database": "SalesReplica"},
            "ReplicationName": "sales-dr",
        }

    def outsider_url(self, *, local: bool = False) -> str:
        if local:
            return self.local_outsider.url_for("forged")
        return f"http://{OUTSIDER_HOST}:{self.outsider.port}{self.outsider.path_for('forged')}"

    def send_forged(self, event: dict[str, Any]) -> None:
        """The attacker invokes the function directly (no CloudFormation state is recorded)."""
        self.handler(event, LambdaContext(seconds=30))

    def api_calls(self) -> list[str]:
        return [call.path for call in self.sim.calls]

    def nothing_reached_outsiders(self) -> bool:
        return not self.outsider.responses and not self.outsider.calls and not self.local_outsider.responses

    def refusal_logged(self) -> bool:
        return "Not a genuine CloudFormation request" in self.log.getvalue()


@pytest.fixture
def victim(cfn_receiver: ResponseReceiver) -> Iterator[Victim]:
    stream = io.StringIO()
    log_handler = logging.StreamHandler(stream)
    with (
        local_aws() as boto3,
        CloudBasicSimulator(seeding_seconds=0.0) as sim,
        ResponseReceiver(host=OUTSIDER_HOST) as outsider,
        ResponseReceiver() as local_outsider,
    ):
        from cbprovider.runtime.log import logger

        log_handler.setFormatter(logger.registered_formatter)
        logging.getLogger(logger.service).addHandler(log_handler)
        sm = boto3.client("secretsmanager")
        assert sim.admin_keys is not None
        access, secret = sim.admin_keys
        keys = sm.create_secret(
            Name="cloudbasic/admin",
            SecretString=json.dumps({"AccessKeyId": access, "SecretAccessKey": secret}),
        )
        register_endpoint("cloudbasic", "default", sim.url, credentials_secret_arn=keys["ARN"])
        handler = load_handler("cloudbasic_provider")
        stack = LocalStack(handler, cfn_receiver, stack_name="victim")
        try:
            yield Victim(stack, handler, sim, cloudformation_api(), sm, outsider, local_outsider, stream)
        finally:
            logging.getLogger(logger.service).removeHandler(log_handler)
