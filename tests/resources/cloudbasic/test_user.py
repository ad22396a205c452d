"""Custom::CloudBasicUser through the real CloudBasic provider handler, over HTTP and moto."""

from __future__ import annotations

import copy
import io
import json
import logging
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cbprovider.secrets.sharing import sharing_tags

from simulators.cloudbasic import CloudBasicSimulator
from simulators.cloudformation import ResponseReceiver
from simulators.stack import LocalStack, load_handler, local_aws, register_endpoint
from tests.aws_calls import aws_calls
from tests.evidence.killed import killed_after_call, killed_create
from tests.resources.sample_events import NAMES, check_sample_event, load_event

TYPE = "Custom::CloudBasicUser"
PASSWORD = "Console-Pa55word-91c4"


@dataclass
class Env:
    stack: LocalStack
    receiver: ResponseReceiver
    sim: CloudBasicSimulator
    sm: Any
    props: dict[str, Any]
    log: io.StringIO

    def secret(self, arn: str) -> dict[str, Any]:
        return dict(json.loads(self.sm.get_secret_value(SecretId=arn)["SecretString"]))

    def secret_exists(self, arn: str) -> bool:
        return not self.sm.describe_secret(SecretId=arn).get("DeletedDate")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, cfn_receiver: ResponseReceiver) -> Iterator[Env]:
    stream = io.StringIO()
    log_handler = logging.StreamHandler(stream)
    with local_aws() as boto3, CloudBasicSimulator() as sim:
        from cbprovider.runtime.log import logger

        log_handler.setFormatter(logger.registered_formatter)
        logging.getLogger(logger.service).addHandler(log_handler)
        sm = boto3.client("secretsmanager")
        assert sim.admin_keys is not None
        access, secret = sim.admin_keys
        admin_arn = sm.create_secret(
            Name="appliance/admin-keys",
            SecretString=json.dumps({"AccessKeyId": access, "SecretAccessKey": secret}),
        )["ARN"]
        password_arn = sm.create_secret(
            Name="appliance/user-password", SecretString=PASSWORD, Tags=sharing_tags()
        )["ARN"]
        register_endpoint("cloudbasic", "default", sim.url, credentials_secret_arn=admin_arn)
        props = {
            "Email": "ops@example.com",
            "UserName": "ops",
            "FirstName": "Op",
            "LastName": "Erator",
            "PasswordSecretArn": password_arn,
            "IsAdmin": "false",
        }
        try:
            yield Env(
                LocalStack(load_handler("cloudbasic_provider"), cfn_receiver),
                cfn_receiver,
                sim,
                sm,
                props,
                stream,
            )
        finally:
            logging.getLogger(logger.service).removeHandler(log_handler)


def test_create_stores_keys_that_sign_calls(env: Env) -> None:
    from cbprovider.cloudbasic import CloudBasicClient

    created = env.stack.send("Create", TYPE, "Ops", env.props)
    assert created.status == "SUCCESS", created.reason
    assert created.physical_id == "ops"
    assert created.data["UserName"] == "ops"
    assert set(created.data) == {"UserName", "KeysSecretArn"}
    user = env.sim.users["ops"]
    assert (user.email, user.is_admin) == ("ops@example.com", False)
    keys = env.secret(created.data["KeysSecretArn"])
    assert keys == {"AccessKeyId": user.access_key_id, "SecretAccessKey": user.secret_access_key}
    with CloudBasicClient(env.sim.url, (keys["AccessKeyId"], keys["SecretAccessKey"])) as client:
        assert client.replication_service_status().status == "Running"
    assert LocalStack.leftovers() == {"rules": [], "poll_state": []}


def test_admin_flag_and_json_password(env: Env) -> None:
    arn = env.sm.create_secret(
        Name="pw-json", SecretString=json.dumps({"password": PASSWORD}), Tags=sharing_tags()
    )["ARN"]
    props = {**env.props, "PasswordSecretArn": arn, "IsAdmin": "true"}
    created = env.stack.send("Create", TYPE, "Ops", props)
    assert created.status == "SUCCESS", created.reason
    assert env.sim.users["ops"].is_admin


def test_delete_removes_the_secret_and_leaves_the_user(env: Env) -> None:
    created = env.stack.send("Create", TYPE, "Ops", env.props)
    calls = len(env.sim.calls)
    deleted = env.stack.send("Delete", TYPE, "Ops", env.props, physical_id="ops")
    assert deleted.status == "SUCCESS", deleted.reason
    assert "no DeleteUser" in deleted.reason
    assert "left on the appliance" in deleted.reason
    assert "ops" in env.sim.users
    assert not env.secret_exists(created.data["KeysSecretArn"])
    assert len(env.sim.calls) == calls, "Delete calls nothing on the appliance"
    warnings = [json.loads(line) for line in env.log.getvalue().splitlines() if '"WARNING"' in line]
    assert any("user ops is left on the appliance" in w["message"] for w in warnings)


def test_replacement_with_new_name_and_email(env: Env) -> None:
    first = env.stack.send("Create", TYPE, "Ops", env.props)
    new_props = {**env.props, "UserName": "ops2", "Email": "ops2@example.com", "LastName": "Two"}
    replaced = env.stack.send("Update", TYPE, "Ops", new_props, physical_id="ops", old_properties=env.props)
    assert replaced.status == "SUCCESS", replaced.reason
    assert replaced.physical_id == "ops2"
    assert replaced.data["KeysSecretArn"] != first.data["KeysSecretArn"]
    old_deleted = env.stack.send("Delete", TYPE, "Ops", env.props, physical_id="ops")
    assert old_deleted.status == "SUCCESS"
    assert not env.secret_exists(first.data["KeysSecretArn"])
    assert env.secret_exists(replaced.data["KeysSecretArn"])
    assert {"ops", "ops2"} <= set(env.sim.users)


@pytest.mark.parametrize(
    ("change", "kept"),
    [({"FirstName": "Renamed"}, "UserName and Email"), ({"UserName": "ops-new"}, "Email")],
)
def test_replacement_that_keeps_name_or_email_fails_clearly(
    env: Env, change: dict[str, str], kept: str
) -> None:
    first = env.stack.send("Create", TYPE, "Ops", env.props)
    new_props = {**env.props, **change}
    updated = env.stack.send("Update", TYPE, "Ops", new_props, physical_id="ops", old_properties=env.props)
    assert updated.status == "FAILED"
    assert updated.physical_id == "ops"
    assert updated.reason.startswith("[UserAlreadyExists] CloudBasic CreateUser: A user with")
    assert f"keeps {kept}" in updated.reason
    assert "change UserName and Email to replace the user" in updated.reason
    assert env.secret_exists(first.data["KeysSecretArn"])
    assert len(env.sm.list_secrets()["SecretList"]) == 3, "no new keys secret"


def test_writing_out_the_default_endpoint_changes_nothing(env: Env) -> None:
    created = env.stack.send("Create", TYPE, "Ops", env.props)
    calls = len(env.sim.calls)
    new_props = {**env.props, "Endpoint": "default"}
    updated = env.stack.send("Update", TYPE, "Ops", new_props, physical_id="ops", old_properties=env.props)
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id == "ops"
    assert updated.data == created.data
    assert len(env.sim.calls) == calls


def test_duplicate_delivery_creates_one_user(env: Env) -> None:
    event = env.stack.event("Create", TYPE, "Ops", env.props)
    env.stack.invoke(event)
    env.stack.invoke(copy.deepcopy(event))
    responses = env.receiver.responses_for(event["RequestId"])
    assert [r.body["Status"] for r in responses] == ["SUCCESS"]
    assert [c.key for c in env.sim.calls] == ["CreateUser"]
    assert len(env.sm.list_secrets()["SecretList"]) == 3


def test_existing_user_on_create_is_a_readable_reason(env: Env) -> None:
    props = {**env.props, "UserName": "admin2", "Email": "admin@example.com"}
    created = env.stack.send("Create", TYPE, "Ops", props)
    assert created.status == "FAILED"
    assert "A user with e-mail admin@example.com already exists" in created.reason
    assert "RequestId" in created.reason
    assert "choose another UserName and Email" in created.reason
    assert created.physical_id.startswith("failed-create-Ops-")


def test_api_4xx_is_readable(env: Env) -> None:
    wrong = env.sm.create_secret(
        Name="appliance/wrong-keys",
        SecretString=json.dumps({"AccessKeyId": "AKIAWRONGWRONGWRONG0", "SecretAccessKey": "x" * 40}),
        Tags=sharing_tags(),
    )["ARN"]
    register_endpoint("cloudbasic", "wrong-keys", env.sim.url, credentials_secret_arn=wrong)
    created = env.stack.send("Create", TYPE, "Ops", {**env.props, "Endpoint": "wrong-keys"})
    assert created.status == "FAILED"
    assert created.reason.startswith("[ApiError 400] CloudBasic CreateUser failed with HTTP 400")
    assert "RequestId" in created.reason
    assert "ops" not in env.sim.users


def test_missing_and_unknown_properties_are_named(env: Env) -> None:
    props = {k: v for k, v in env.props.items() if k != "FirstName"}
    created = env.stack.send("Create", TYPE, "Ops", {**props, "Pasword": "typo"})
    assert created.status == "FAILED"
    assert "FirstName: field required" in created.reason
    assert "Pasword: unknown property" in created.reason
    assert env.sim.calls == []


def test_unreadable_password_secret_names_the_property(env: Env) -> None:
    missing = env.props["PasswordSecretArn"] + "-gone"
    created = env.stack.send("Create", TYPE, "Ops", {**env.props, "PasswordSecretArn": missing})
    assert created.status == "FAILED"
    assert "PasswordSecretArn: cannot read secret" in created.reason
    assert env.sim.calls == []


def test_json_password_secret_without_password_names_the_property(env: Env) -> None:
    arn = env.sm.create_secret(
        Name="pw-other", SecretString=json.dumps({"username": "ops"}), Tags=sharing_tags()
    )["ARN"]
    created = env.stack.send("Create", TYPE, "Ops", {**env.props, "PasswordSecretArn": arn})
    assert created.status == "FAILED"
    assert "PasswordSecretArn: secret" in created.reason
    assert "without a 'password'" in created.reason
    assert env.sim.calls == []


def test_placeholder_and_unknown_deletes_touch_nothing(env: Env) -> None:
    created = env.stack.send("Create", TYPE, "Ops", env.props)
    calls = len(env.sim.calls)
    for physical_id in ("failed-create-Ops-0a1b2c3d", "somebody-else"):
        deleted = env.stack.send("Delete", TYPE, "Ops", env.props, physical_id=physical_id)
        assert deleted.status == "SUCCESS", deleted.reason
    other_stack = LocalStack(env.stack.handler, env.receiver, stack_name="other-stack")
    assert other_stack.send("Delete", TYPE, "Ops", env.props, physical_id="ops").status == "SUCCESS"
    assert env.secret_exists(created.data["KeysSecretArn"])
    assert len(env.sim.calls) == calls


def test_secrets_never_reach_logs_or_responses(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    created = env.stack.send("Create", TYPE, "Ops", env.props)
    keys = env.secret(created.data["KeysSecretArn"])
    env.stack.send("Create", TYPE, "Again", env.props)
    env.stack.send("Delete", TYPE, "Ops", env.props, physical_id="ops")
    assert env.sim.admin_keys is not None
    out = capsys.readouterr()
    responses = json.dumps([r.body for r in env.receiver.responses])
    seen = env.log.getvalue() + out.out + out.err + responses
    assert "Created the user" in env.log.getvalue()
    for secret in (PASSWORD, keys["SecretAccessKey"], env.sim.admin_keys[1]):
        assert secret not in seen


@pytest.mark.parametrize("name", NAMES)
def test_sample_events_parse_and_classify(name: str) -> None:
    from cbprovider.resources.cloudbasic.user import User

    check_sample_event(User(), load_event("cloudbasic-user", name), name)


def test_the_rollback_of_a_refused_replacement_keeps_the_user(env: Env) -> None:
    first = env.stack.send("Create", TYPE, "Ops", env.props)
    changed = {**env.props, "FirstName": "Changed"}
    refused = env.stack.send("Update", TYPE, "Ops", changed, physical_id="ops", old_properties=env.props)
    assert refused.status == "FAILED"
    rollback = env.stack.send("Update", TYPE, "Ops", env.props, physical_id="ops", old_properties=changed)
    assert rollback.status == "SUCCESS", rollback.reason
    assert rollback.physical_id == "ops"
    assert rollback.data["KeysSecretArn"] == first.data["KeysSecretArn"]
    assert env.secret_exists(first.data["KeysSecretArn"])


# -- the user's keys survive a failing Secrets Manager ---------------------------------------------
def test_no_user_without_a_secret_to_keep_its_keys_in(env: Env) -> None:
    with aws_calls(CreateSecret=math.inf):
        created = env.stack.send("Create", TYPE, "Ops", env.props)
    assert created.status == "FAILED"
    assert "ops" not in env.sim.users
    assert env.stack.send("Create", TYPE, "Ops", env.props).status == "SUCCESS"


def test_user_keys_survive_until_the_next_poll_writes_them(env: Env) -> None:
    with aws_calls(CreateSecret=lambda: "ops" in env.sim.users, PutSecretValue=math.inf) as faults:
        env.stack.on_invoke = lambda kind, _event: faults.heal() if kind == "poll" else None
        created = env.stack.send("Create", TYPE, "Ops", env.props)
    assert created.status == "SUCCESS", created.reason
    assert created.invocations == 2
    user = env.sim.users["ops"]
    keys = env.secret(created.data["KeysSecretArn"])
    assert keys == {"AccessKeyId": user.access_key_id, "SecretAccessKey": user.secret_access_key}
    assert user.secret_access_key not in env.log.getvalue()
    assert LocalStack.leftovers() == {"rules": [], "poll_state": []}


def test_keys_that_can_be_neither_written_nor_sealed_fail_saying_so(env: Env) -> None:
    # No key to seal with, only for this request (the local driver restores its own environment).
    key, os.environ["STATE_KMS_KEY_ARN"] = os.environ["STATE_KMS_KEY_ARN"], ""
    try:
        with aws_calls(CreateSecret=lambda: "ops" in env.sim.users, PutSecretValue=math.inf):
            created = env.stack.send("Create", TYPE, "Ops", env.props)
    finally:
        os.environ["STATE_KMS_KEY_ARN"] = key
    assert created.status == "FAILED"
    assert created.reason.startswith("[KeysNotStored] CloudBasic CreateUser handed out the key pair of ops")
    assert env.sim.users["ops"].secret_access_key not in env.log.getvalue() + created.reason


def _live_owned_secrets(env: Env) -> list[str]:
    listed = env.sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]
    owned = [s for s in listed if s["Name"].startswith("cfn-replication-provider/")]
    return [s["Name"] for s in owned if not s.get("DeletedDate")]


def test_a_create_killed_during_its_call_fails_under_the_user_name_saying_the_keys_are_lost(env: Env) -> None:
    """The process is killed right after CreateUser answered: the key pair is lost (CloudBasic shows it
    only in that answer). The FAILED names the user, so the rollback Delete acts on it as every Delete
    does, says what happened and what to do, and no secret is left holding only its placeholder."""
    failed = killed_create(
        env.stack, TYPE, "Ops", env.props, function="cloudbasic_provider", operation="CreateUser"
    )
    assert failed.status == "FAILED"
    assert failed.physical_id == "ops"
    assert failed.reason.startswith("[KeysLost] CloudBasic CreateUser for user ops was in flight")
    assert "the key pair CreateUser hands out only in its answer was lost" in failed.reason
    assert "its keys secret, which held only a placeholder, was removed" in failed.reason
    advice = "remove it in the CloudBasic console, or give this resource another UserName and Email"
    assert advice in failed.reason
    assert "ops" in env.sim.users
    assert _live_owned_secrets(env) == []
    assert LocalStack.leftovers() == {"rules": [], "poll_state": []}
    rollback = env.stack.send("Delete", TYPE, "Ops", env.props, physical_id=failed.physical_id)
    assert rollback.status == "SUCCESS", rollback.reason
    assert "user ops is left on the appliance" in rollback.reason


def test_a_replacement_killed_during_its_call_is_not_answered_with_the_old_users_keys(env: Env) -> None:
    """A replacing Update that keeps the UserName dies during CreateUser: the keys secret of the user this
    resource already has holds a key pair, but it is not this call's; the answer is the honest FAILED,
    and the old user's secret is kept."""
    first = env.stack.send("Create", TYPE, "Ops", env.props)
    assert first.status == "SUCCESS", first.reason
    new_props = {**env.props, "FirstName": "Renamed"}
    event = env.stack.event("Update", TYPE, "Ops", new_props, physical_id="ops", old_properties=env.props)
    death = killed_after_call(env.stack, event, function="cloudbasic_provider", operation="CreateUser")
    print(death.output)
    assert death.died, "the invocation did not die"
    [answer] = death.outcome.responses
    assert answer.body["Status"] == "FAILED", answer.body
    assert answer.body["Reason"].startswith("[KeysLost] CloudBasic CreateUser for user ops was in flight")
    assert env.secret_exists(first.data["KeysSecretArn"]), "the old user's keys secret is kept"
    assert _live_owned_secrets(env) == [env.sm.describe_secret(SecretId=first.data["KeysSecretArn"])["Name"]]
