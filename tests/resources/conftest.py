"""Fixtures for the CloudBasic replication and HA-cluster resource tests.

``cb`` is the real CloudBasic provider handler (functions/cloudbasic_provider/app.py) driven like
CloudFormation by ``LocalStack``, a CloudBasic simulator over HTTP, AWS from moto (the admin key pair
and the database secrets in Secrets Manager) and the runtime's JSON log captured for secret checks.
"""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from cbprovider.secrets.sharing import sharing_tags

if TYPE_CHECKING:
    from simulators.cloudbasic import CloudBasicSimulator
    from simulators.cloudformation import ResponseReceiver
    from simulators.stack import LocalStack


@dataclass
class CloudBasicEnv:
    stack: LocalStack
    sim: CloudBasicSimulator
    sm: Any
    log: io.StringIO
    receiver: ResponseReceiver
    keys_arn: str
    """The admin key pair secret of the ``default`` endpoint."""

    def rds_secret(self, *, host: str, database: str | None = "Sales", password: str, **extra: Any) -> str:
        """An RDS-style secret (as RDS and the Secrets Manager rotation templates write it)."""
        value: dict[str, Any] = {
            "engine": "sqlserver",
            "host": host,
            "port": 1433,
            "username": "admin",
            "password": password,
            **extra,
        }
        if database is not None:
            value["dbname"] = database
        name = f"rds/{host}/{uuid.uuid4().hex[:8]}"
        return str(
            self.sm.create_secret(Name=name, SecretString=json.dumps(value), Tags=sharing_tags())["ARN"]
        )

    def admin_key_secret(self, sim: CloudBasicSimulator, name: str) -> str:
        """A secret (shared with the stacks) holding the admin key pair of another simulator."""
        assert sim.admin_keys is not None
        access, secret = sim.admin_keys
        value = json.dumps({"AccessKeyId": access, "SecretAccessKey": secret})
        return str(self.sm.create_secret(Name=name, SecretString=value, Tags=sharing_tags())["ARN"])

    def everything_sent(self) -> str:
        """Every response body and every log line: where secrets must never appear."""
        bodies = " ".join(json.dumps(r.body) for r in self.receiver.responses)
        return bodies + self.log.getvalue()


@pytest.fixture
def cb(monkeypatch: pytest.MonkeyPatch, cfn_receiver: ResponseReceiver) -> Iterator[CloudBasicEnv]:
    from simulators.cloudbasic import CloudBasicSimulator
    from simulators.stack import LocalStack, load_handler, local_aws, register_endpoint

    stream = io.StringIO()
    log_handler = logging.StreamHandler(stream)
    with local_aws() as boto3, CloudBasicSimulator(seeding_seconds=1.5) as sim:
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
        stack = LocalStack(load_handler("cloudbasic_provider"), cfn_receiver)
        try:
            yield CloudBasicEnv(stack, sim, sm, stream, cfn_receiver, keys["ARN"])
        finally:
            logging.getLogger(logger.service).removeHandler(log_handler)
