"""Custom::CloudBasicActivation through the real CloudBasic provider handler, over HTTP and moto."""

from __future__ import annotations

import io
import json
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cbprovider.secrets.sharing import sharing_tags

from simulators.cloudbasic import CloudBasicSimulator
from simulators.cloudformation import ResponseReceiver
from simulators.stack import STATE_TABLE, LocalStack, load_handler, local_aws, register_endpoint
from tests.aws_calls import aws_calls
from tests.evidence.killed import killed_create
from tests.resources.sample_events import NAMES, check_sample_event, load_event

TYPE = "Custom::CloudBasicActivation"
INSTANCE = "i-0123456789abcdef0"
OTHER_INSTANCE = "i-0fedcba9876543210"
PASSWORD = "Init-Pa55word-7d1e"
LICENCE = "5f0c2a51-9c1e-4b0e-a8a6-3f1d0c2b7e94"


@dataclass
class Env:
    stack: LocalStack
    sim: CloudBasicSimulator
    sm: Any
    props: dict[str, Any]
    log: io.StringIO

    def secret(self, arn: str) -> dict[str, Any]:
        return dict(json.loads(self.sm.get_secret_value(SecretId=arn)["SecretString"]))

    def live_secrets(self) -> list[str]:
        return [s["ARN"] for s in self.sm.list_secrets()["SecretList"] if not s.get("DeletedDate")]

    def secret_exists(self, arn: str) -> bool:
        return not self.sm.describe_secret(SecretId=arn).get("DeletedDate")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, cfn_receiver: ResponseReceiver) -> Iterator[Env]:
    stream = io.StringIO()
    log_handler = logging.StreamHandler(stream)
    with local_aws() as boto3, CloudBasicSimulator(instance_id=INSTANCE, activated=False) as sim:
        from cbprovider.runtime.log import logger

        log_handler.setFormatter(logger.registered_formatter)
        logging.getLogger(logger.service).addHandler(log_handler)
        sm = boto3.client("secretsmanager")
        password_arn = sm.create_secret(Name="appliance/admin", SecretString=PASSWORD, Tags=sharing_tags())[
            "ARN"
        ]
        register_endpoint("cloudbasic", "default", sim.url)
        props = {
            "InstanceId": INSTANCE,
            "Email": "dba@example.com",
            "PasswordSecretArn": password_arn,
            "Company": "Example Ltd",
            "ContactPerson": "Dee Bee",
            "IsProduction": "true",
            "AgreeToEula": "true",
        }
        try:
            yield Env(LocalStack(load_handler("cloudbasic_provider"), cfn_receiver), sim, sm, props, stream)
        finally:
            logging.getLogger(logger.service).removeHandler(log_handler)


def with_licence(env: Env) -> dict[str, Any]:
    arn = env.sm.create_secret(
        Name="appliance/licence", SecretString=json.dumps({"activationKey": LICENCE}), Tags=sharing_tags()
    )
    return {**env.props, "ActivationKeySecretArn": arn["ARN"]}


def test_create_stores_the_admin_keys_and_they_sign_calls(env: Env) -> None:
    from cbprovider.cloudbasic import CloudBasicClient

    created = env.stack.send("Create", TYPE, "Activation", env.props)
    assert created.status == "SUCCESS", created.reason
    assert created.physical_id == INSTANCE
    assert set(created.data) == {"AdminKeysSecretArn"}
    keys = env.secret(created.data["AdminKeysSecretArn"])
    assert (keys["AccessKeyId"], keys["SecretAccessKey"]) == env.sim.admin_keys
    assert env.sim.activated
    tags = env.sm.describe_secret(SecretId=created.data["AdminKeysSecretArn"])["Tags"]
    assert {"Key": "cfn-replication-provider:owner", "Value": "cfn-replication-provider"} in tags
    with CloudBasicClient(env.sim.url, (keys["AccessKeyId"], keys["SecretAccessKey"])) as client:
        assert client.replication_service_status().status == "Running"
    assert LocalStack.leftovers() == {"rules": [], "poll_state": []}


def test_password_secret_may_be_json(env: Env) -> None:
    arn = env.sm.create_secret(
        Name="appliance/json", SecretString=json.dumps({"password": PASSWORD}), Tags=sharing_tags()
    )["ARN"]
    created = env.stack.send("Create", TYPE, "Activation", {**env.props, "PasswordSecretArn": arn})
    assert created.status == "SUCCESS", created.reason


def test_eula_not_agreed_is_refused_before_any_call(env: Env) -> None:
    created = env.stack.send("Create", TYPE, "Activation", {**env.props, "AgreeToEula": "false"})
    assert created.status == "FAILED"
    assert "AgreeToEula" in created.reason
    assert "must be true" in created.reason
    assert env.sim.calls == []
    assert not env.sim.activated
    assert env.live_secrets() == [env.props["PasswordSecretArn"]]


def test_missing_eula_names_the_property(env: Env) -> None:
    props = {k: v for k, v in env.props.items() if k != "AgreeToEula"}
    created = env.stack.send("Create", TYPE, "Activation", props)
    assert created.status == "FAILED"
    assert "AgreeToEula" in created.reason


def test_credentials_secret_is_refused_with_a_reason(env: Env) -> None:
    props = {**env.props, "CredentialsSecretArn": env.props["PasswordSecretArn"]}
    created = env.stack.send("Create", TYPE, "Activation", props)
    assert created.status == "FAILED"
    assert "CredentialsSecretArn: no longer a property; name a registered endpoint" in created.reason
    assert env.sim.calls == []


def test_already_activated_instance_says_so(env: Env) -> None:
    assert env.stack.send("Create", TYPE, "First", env.props).status == "SUCCESS"
    again = env.stack.send("Create", TYPE, "Second", env.props)
    assert again.status == "FAILED"
    assert "InstanceAlreadyActivated" in again.reason
    assert "already activated" in again.reason
    assert INSTANCE in again.reason
    assert len(env.live_secrets()) == 2, "no second keys secret"


def test_wrong_instance_id_is_a_readable_api_error(env: Env) -> None:
    created = env.stack.send("Create", TYPE, "Activation", {**env.props, "InstanceId": OTHER_INSTANCE})
    assert created.status == "FAILED"
    assert created.reason.startswith("[ApiError 400] CloudBasic ActivateInstance failed")
    assert "InstanceId does not match" in created.reason
    assert "RequestId" in created.reason
    assert created.physical_id.startswith("failed-create-")
    deleted = env.stack.send("Delete", TYPE, "Activation", env.props, physical_id=created.physical_id)
    assert deleted.status == "SUCCESS"
    assert len(env.sim.calls) == 1


def test_bad_instance_id_names_the_property(env: Env) -> None:
    created = env.stack.send("Create", TYPE, "Activation", {**env.props, "InstanceId": "web-1"})
    assert created.status == "FAILED"
    assert "InstanceId" in created.reason
    assert env.sim.calls == []


def test_delete_without_licence_leaves_the_instance_activated(env: Env) -> None:
    created = env.stack.send("Create", TYPE, "Activation", env.props)
    deleted = env.stack.send("Delete", TYPE, "Activation", env.props, physical_id=INSTANCE)
    assert deleted.status == "SUCCESS", deleted.reason
    assert deleted.reason == "no licence key: left the instance activated, removed the keys secret"
    assert env.sim.activated
    assert [c.key for c in env.sim.calls] == ["ActivateInstance"]
    assert not env.secret_exists(created.data["AdminKeysSecretArn"])
    assert "left the instance activated" in env.log.getvalue()


def test_delete_with_licence_deactivates_with_the_admin_keys(env: Env) -> None:
    props = with_licence(env)
    created = env.stack.send("Create", TYPE, "Activation", props)
    assert created.status == "SUCCESS", created.reason
    deleted = env.stack.send("Delete", TYPE, "Activation", props, physical_id=INSTANCE)
    assert deleted.status == "SUCCESS", deleted.reason
    assert deleted.reason == "deactivated and removed the keys secret"
    assert not env.sim.activated
    assert [(c.key, c.status) for c in env.sim.calls][-1] == ("DeactivateInstance", 200)
    assert not env.secret_exists(created.data["AdminKeysSecretArn"])
    again = env.stack.send("Delete", TYPE, "Activation", props, physical_id=INSTANCE)
    assert again.status == "SUCCESS"
    assert "not this stack resource's" in again.reason
    assert [c.key for c in env.sim.calls][-1] == "DeactivateInstance"


def test_delete_of_an_instance_deactivated_elsewhere_still_removes_the_secret(env: Env) -> None:
    from cbprovider.cloudbasic import CloudBasicClient

    props = with_licence(env)
    created = env.stack.send("Create", TYPE, "Activation", props)
    keys = env.secret(created.data["AdminKeysSecretArn"])
    with CloudBasicClient(env.sim.url, (keys["AccessKeyId"], keys["SecretAccessKey"])) as client:
        client.deactivate_instance()
    deleted = env.stack.send("Delete", TYPE, "Activation", props, physical_id=INSTANCE)
    assert deleted.status == "SUCCESS", deleted.reason
    assert "no longer activated" in deleted.reason
    assert not env.secret_exists(created.data["AdminKeysSecretArn"])


def test_deactivate_failure_keeps_the_secret_and_is_readable(env: Env) -> None:
    props = with_licence(env)
    created = env.stack.send("Create", TYPE, "Activation", props)
    env.sim.faults.add("DeactivateInstance", status=403, times=None)
    deleted = env.stack.send("Delete", TYPE, "Activation", props, physical_id=INSTANCE)
    assert deleted.status == "FAILED"
    assert deleted.reason.startswith("[ApiError 403] CloudBasic DeactivateInstance failed")
    assert env.secret_exists(created.data["AdminKeysSecretArn"])


def test_replacement_activates_the_new_instance(env: Env) -> None:
    first = env.stack.send("Create", TYPE, "Activation", env.props)
    new_props = {**env.props, "InstanceId": OTHER_INSTANCE}
    with CloudBasicSimulator(instance_id=OTHER_INSTANCE, activated=False) as other:
        register_endpoint("cloudbasic", "other", other.url)
        new_props["Endpoint"] = "other"
        replaced = env.stack.send(
            "Update", TYPE, "Activation", new_props, physical_id=INSTANCE, old_properties=env.props
        )
        assert replaced.status == "SUCCESS", replaced.reason
        assert replaced.physical_id == OTHER_INSTANCE
        assert other.activated
        assert replaced.data["AdminKeysSecretArn"] != first.data["AdminKeysSecretArn"]
        old_deleted = env.stack.send("Delete", TYPE, "Activation", env.props, physical_id=INSTANCE)
        assert old_deleted.status == "SUCCESS"
        assert not env.secret_exists(first.data["AdminKeysSecretArn"])
        assert env.secret_exists(replaced.data["AdminKeysSecretArn"])


def test_other_changes_for_the_same_instance_fail_clearly(env: Env) -> None:
    env.stack.send("Create", TYPE, "Activation", env.props)
    calls = len(env.sim.calls)
    new_props = {**env.props, "Company": "Renamed Ltd"}
    updated = env.stack.send(
        "Update", TYPE, "Activation", new_props, physical_id=INSTANCE, old_properties=env.props
    )
    assert updated.status == "FAILED"
    assert updated.physical_id == INSTANCE
    assert "Company" in updated.reason
    assert "cannot be activated again" in updated.reason
    assert len(env.sim.calls) == calls


def test_an_endpoint_change_for_the_same_instance_fails_clearly(env: Env) -> None:
    env.stack.send("Create", TYPE, "Activation", env.props)
    register_endpoint("cloudbasic", "same-appliance", env.sim.url + "/")
    new_props = {**env.props, "Endpoint": "same-appliance"}
    updated = env.stack.send(
        "Update", TYPE, "Activation", new_props, physical_id=INSTANCE, old_properties=env.props
    )
    assert updated.status == "FAILED"
    assert updated.physical_id == INSTANCE
    assert "Endpoint of the activation" in updated.reason
    assert len(env.sim.calls) == 1


def test_unknown_and_placeholder_ids_delete_nothing(env: Env) -> None:
    props = with_licence(env)
    created = env.stack.send("Create", TYPE, "Activation", props)
    for physical_id in ("failed-create-Activation-0a1b2c3d", "demo-stack-Activation-1X2Y3Z", "i-zzzz"):
        deleted = env.stack.send("Delete", TYPE, "Activation", props, physical_id=physical_id)
        assert deleted.status == "SUCCESS", deleted.reason
    assert env.sim.activated
    assert len(env.sim.calls) == 1
    assert env.secret_exists(created.data["AdminKeysSecretArn"])


def test_secrets_never_reach_logs_or_responses(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    props = with_licence(env)
    created = env.stack.send("Create", TYPE, "Activation", props)
    keys = env.secret(created.data["AdminKeysSecretArn"])
    env.stack.send("Create", TYPE, "Again", props)
    env.stack.send("Delete", TYPE, "Activation", props, physical_id=INSTANCE)
    out = capsys.readouterr()
    seen = env.log.getvalue() + out.out + out.err + json.dumps([r.body for r in env.stack.receiver.responses])
    assert env.log.getvalue(), "the log was captured"
    for secret in (PASSWORD, LICENCE, keys["SecretAccessKey"]):
        assert secret not in seen


@pytest.mark.parametrize("name", NAMES)
def test_sample_events_parse_and_classify(name: str) -> None:
    from cbprovider.resources.cloudbasic.activation import Activation

    check_sample_event(Activation(), load_event("cloudbasic-activation", name), name)


# -- the admin keys survive a failing Secrets Manager ----------------------------------------------
def test_no_activation_without_a_secret_to_keep_the_keys_in(env: Env) -> None:
    with aws_calls(CreateSecret=math.inf):
        created = env.stack.send("Create", TYPE, "Activation", env.props)
    assert created.status == "FAILED"
    assert not env.sim.activated, "the one-time keys would have had nowhere to go"
    assert [c for c in env.sim.calls if c.path.endswith("/ActivateInstance")] == []
    again = env.stack.send("Create", TYPE, "Activation", env.props)
    assert again.status == "SUCCESS", again.reason


def test_keys_are_written_again_within_the_invocation(env: Env) -> None:
    with aws_calls(CreateSecret=lambda: env.sim.activated, PutSecretValue=2) as calls:
        created = env.stack.send("Create", TYPE, "Activation", env.props)
    assert created.status == "SUCCESS", created.reason
    assert created.invocations == 1
    assert len(calls.named("PutSecretValue")) == 3
    keys = env.secret(created.data["AdminKeysSecretArn"])
    assert (keys["AccessKeyId"], keys["SecretAccessKey"]) == env.sim.admin_keys


def test_keys_that_cannot_be_written_are_sealed_in_the_poll_state_and_written_by_the_next_poll(
    env: Env,
) -> None:
    from cbprovider.cloudbasic import CloudBasicClient

    state_seen: list[str] = []

    def on_invoke(kind: str, _event: object) -> None:
        if kind == "poll":  # Secrets Manager is back; what did the state hold meanwhile?
            import boto3

            state_seen.append(json.dumps(boto3.client("dynamodb").scan(TableName=STATE_TABLE)["Items"]))
            faults.heal()

    env.stack.on_invoke = on_invoke
    with aws_calls(CreateSecret=lambda: env.sim.activated, PutSecretValue=math.inf) as faults:
        created = env.stack.send("Create", TYPE, "Activation", env.props)
    assert created.status == "SUCCESS", created.reason
    assert created.invocations == 2, "written by the poll"
    assert env.sim.admin_keys is not None
    access, private = env.sim.admin_keys
    keys = env.secret(created.data["AdminKeysSecretArn"])
    assert (keys["AccessKeyId"], keys["SecretAccessKey"]) == (access, private)
    assert len(state_seen) == 1
    assert "sealed_keys" in state_seen[0]
    assert private not in state_seen[0], "sealed, not in clear"
    assert private not in env.log.getvalue()
    with CloudBasicClient(env.sim.url, (access, private)) as client:
        assert client.replication_service_status().status == "Running"
    assert LocalStack.leftovers() == {"rules": [], "poll_state": []}


def test_a_create_killed_during_its_call_fails_under_the_instance_id_saying_the_keys_are_lost(
    env: Env,
) -> None:
    """The process is killed right after ActivateInstance answered: the admin key pair is lost. The FAILED
    names the instance, says what happened and what to do, and no secret is left holding only its
    placeholder; the rollback Delete succeeds (there are no keys to deactivate with)."""
    props = with_licence(env)
    failed = killed_create(
        env.stack, TYPE, "Activation", props, function="cloudbasic_provider", operation="ActivateInstance"
    )
    assert failed.status == "FAILED"
    assert failed.physical_id == INSTANCE
    assert failed.reason.startswith(f"[KeysLost] CloudBasic ActivateInstance for instance {INSTANCE}")
    assert "the admin key pair ActivateInstance hands out only in its answer was lost" in failed.reason
    assert "its licence key stays bound to it" in failed.reason
    assert "activate a fresh instance" in failed.reason
    assert env.sim.activated
    assert [s for s in env.live_secrets() if "cloudbasic-activation" in s] == []
    assert LocalStack.leftovers() == {"rules": [], "poll_state": []}
    rollback = env.stack.send("Delete", TYPE, "Activation", props, physical_id=failed.physical_id)
    assert rollback.status == "SUCCESS", rollback.reason
    assert env.sim.activated
