"""Attacks on the secrets the provider reads, through the real CloudBasic handler over HTTP and moto.

The provider's role can read secrets that no stack author can. A resource property that names a secret
is honoured only when the secret says it is shared with the requesting stack (the tag
``cfn-replication-provider:shared-with``), or it is a provider-owned secret of that same stack; anything
else is one FAILED ``[SecretNotShared]`` before any call: no secret value read, nothing sent.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from simulators.stack import LocalStack
from tests.aws_calls import AwsCalls, aws_calls
from tests.resources import conftest as resources_conftest
from tests.resources.conftest import CloudBasicEnv

cb = resources_conftest.cb

SHARED_WITH = "cfn-replication-provider:shared-with"
THEIR_PASSWORD = "Their-Rds-Pa55word-0042"
REPLICATION = "Custom::CloudBasicReplication"
HA_CLUSTER = "Custom::CloudBasicHACluster"
USER = "Custom::CloudBasicUser"


def their_secret(cb: CloudBasicEnv, *, shared_with: str | None = None) -> str:
    """Another team's RDS secret, tagged ``shared-with`` only if ``shared_with`` is given."""
    value = {"host": "payroll-db.internal", "port": 1433, "username": "payroll", "password": THEIR_PASSWORD}
    tags = [] if shared_with is None else [{"Key": SHARED_WITH, "Value": shared_with}]
    name = f"payroll/rds/{uuid.uuid4().hex[:8]}"
    return str(cb.sm.create_secret(Name=name, SecretString=json.dumps(value), Tags=tags)["ARN"])


def replication(cb: CloudBasicEnv, source_arn: str) -> dict[str, Any]:
    destination = cb.rds_secret(host="replica-db.example.internal", database=None, password="Rep-Pa55w0rd-1")
    return {
        "Source": {"SecretArn": source_arn, "Database": "Payroll"},
        "Destination": {"SecretArn": destination, "Database": "PayrollCopy"},
        "ReplicationName": "exfiltrate",
    }


def assert_refused(outcome: Any, cb: CloudBasicEnv, calls: AwsCalls, arn: str, *names: str) -> None:
    """One FAILED [SecretNotShared] naming ``names``; the secret never read; nothing reached the appliance."""
    assert outcome.status == "FAILED", outcome.reason
    assert outcome.reason.startswith("[SecretNotShared] "), outcome.reason
    for name in (*names, SHARED_WITH):
        assert name in outcome.reason
    assert calls.named("GetSecretValue", SecretId=arn) == []
    assert [call.path for call in cb.sim.calls] == []
    assert THEIR_PASSWORD not in cb.everything_sent()


def test_an_unshared_secret_named_as_source_is_refused_before_anything_is_sent(cb: CloudBasicEnv) -> None:
    arn = their_secret(cb)
    with aws_calls() as calls:
        refused = cb.stack.send("Create", REPLICATION, "Steal", replication(cb, arn))
    assert_refused(refused, cb, calls, arn, "Source.SecretArn", "demo-stack")
    assert cb.sim.replications == {}


def test_a_secret_shared_with_other_stacks_only_is_refused(cb: CloudBasicEnv) -> None:
    arn = their_secret(cb, shared_with="payroll-prod payroll-dr demo-stack-2")
    with aws_calls() as calls:
        refused = cb.stack.send("Create", REPLICATION, "Steal", replication(cb, arn))
    assert_refused(refused, cb, calls, arn, "Source.SecretArn", "demo-stack")


@pytest.mark.parametrize("shared_with", ["*", "payroll-prod demo-stack", "demo-stack"])
def test_a_secret_shared_with_every_stack_or_this_one_is_used(cb: CloudBasicEnv, shared_with: str) -> None:
    arn = their_secret(cb, shared_with=shared_with)
    created = cb.stack.send("Create", REPLICATION, "Shared", replication(cb, arn))
    assert created.status == "SUCCESS", created.reason
    assert THEIR_PASSWORD in cb.sim.replications[created.physical_id].source


def test_an_unshared_password_secret_of_a_user_is_refused(cb: CloudBasicEnv) -> None:
    arn = str(cb.sm.create_secret(Name="payroll/console", SecretString=THEIR_PASSWORD)["ARN"])
    user = {
        "Email": "x@example.com",
        "UserName": "x",
        "FirstName": "X",
        "LastName": "Y",
        "PasswordSecretArn": arn,
    }
    with aws_calls() as calls:
        refused = cb.stack.send("Create", USER, "Intruder", user)
    assert_refused(refused, cb, calls, arn, "PasswordSecretArn")


TEAM_A = "team-a"


def owned_keys_of_team_a(cb: CloudBasicEnv) -> tuple[LocalStack, str]:
    """The stack ``team-a`` and the provider-owned keys secret of a user it created."""
    team_a = LocalStack(cb.stack.handler, cb.receiver, stack_name=TEAM_A)
    user = {
        "Email": "ops@example.com",
        "UserName": "ops",
        "FirstName": "Op",
        "LastName": "Erator",
        "PasswordSecretArn": their_secret(cb, shared_with=TEAM_A),
        "IsAdmin": "true",
    }
    created = team_a.send("Create", USER, "OpsUser", user)
    assert created.status == "SUCCESS", created.reason
    cb.sim.calls.clear()
    return team_a, str(created.data["KeysSecretArn"])


def cluster(keys_arn: str) -> dict[str, str]:
    return {"LocalServer": "10.0.1.10", "RemoteServer": "10.0.2.10", "RemoteCredentialsSecretArn": keys_arn}


def test_another_stacks_owned_keys_secret_is_refused_as_remote_credentials(cb: CloudBasicEnv) -> None:
    _, keys_arn = owned_keys_of_team_a(cb)
    with aws_calls() as calls:
        refused = cb.stack.send("Create", HA_CLUSTER, "Cluster", cluster(keys_arn))
    assert refused.status == "FAILED", refused.reason
    assert refused.reason.startswith("[SecretNotShared] "), refused.reason
    assert "RemoteCredentialsSecretArn" in refused.reason
    assert calls.named("GetSecretValue", SecretId=keys_arn) == []
    assert cb.sim.calls == []


def test_an_owned_keys_secret_of_another_stack_stays_refused_even_when_tagged_shared(
    cb: CloudBasicEnv,
) -> None:
    _, keys_arn = owned_keys_of_team_a(cb)
    cb.sm.tag_resource(SecretId=keys_arn, Tags=[{"Key": SHARED_WITH, "Value": "*"}])
    refused = cb.stack.send("Create", HA_CLUSTER, "Cluster", cluster(keys_arn))
    assert refused.reason.startswith("[SecretNotShared] "), refused.reason
    assert cb.sim.calls == []


def test_an_owned_keys_secret_of_the_same_stack_needs_no_tag(cb: CloudBasicEnv) -> None:
    team_a, keys_arn = owned_keys_of_team_a(cb)
    created = team_a.send("Create", HA_CLUSTER, "Cluster", cluster(keys_arn))
    assert created.status == "SUCCESS", created.reason
