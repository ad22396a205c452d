"""Secrets named by properties (read, cached) and the secrets the provider owns (created, deleted)."""

from __future__ import annotations

import json

import pytest
from cbprovider.errors import ProviderError
from cbprovider.runtime import ValidationFailed
from cbprovider.secrets.owned import (
    NotOwnedSecret,
    create_owned_secret,
    delete_owned_secret,
    put_owned_secret_value,
)
from cbprovider.secrets.reader import SecretUnreadable, secret_json
from cbprovider.secrets.sharing import SecretNotShared, check_shared, sharing_tags, stack_name_of


def read_secret_json(arn: str, *, field_context: str = "Source.SecretArn") -> dict[str, object]:
    return secret_json(arn, field_context=field_context)


@pytest.fixture
def sm(aws):
    return aws.client("secretsmanager")


def test_reads_a_json_secret_and_caches_it(sm):
    arn = sm.create_secret(Name="db/source", SecretString=json.dumps({"username": "u", "password": "p"}))[
        "ARN"
    ]
    assert read_secret_json(arn) == {"username": "u", "password": "p"}
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps({"username": "rotated"}))
    assert read_secret_json(arn)["username"] == "u", "cached for max_age"


def test_missing_secret_names_the_property(sm):
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:nope-AbCdEf"
    with pytest.raises(SecretUnreadable) as caught:
        read_secret_json(arn, field_context="Destination.SecretArn")
    assert str(caught.value) == f"Destination.SecretArn: cannot read secret {arn} (ResourceNotFoundException)"


def test_secret_that_is_not_json_names_the_property_not_the_value(sm):
    arn = sm.create_secret(Name="db/plain", SecretString="hunter2")["ARN"]
    with pytest.raises(SecretUnreadable, match=r"^Source.SecretArn: secret .* is not JSON$") as caught:
        read_secret_json(arn)
    assert "hunter2" not in str(caught.value)
    list_arn = sm.create_secret(Name="db/list", SecretString="[1, 2]")["ARN"]
    with pytest.raises(SecretUnreadable, match="is not a JSON object"):
        read_secret_json(list_arn)


def test_owned_secret_is_created_tagged_and_deleted(sm):
    arn = create_owned_secret(
        "user/alice", {"AccessKeyId": "AK", "SecretAccessKey": "SK"}, stack_id="arn:stack", logical_id="Alice"
    )
    described = sm.describe_secret(SecretId=arn)
    assert described["Name"].startswith("cfn-replication-provider/user/alice-")
    tags = {t["Key"]: t["Value"] for t in described["Tags"]}
    assert tags["cfn-replication-provider:owner"] == "cfn-replication-provider"
    assert tags["cfn-replication-provider:logical-id"] == "Alice"
    assert json.loads(sm.get_secret_value(SecretId=arn)["SecretString"])["SecretAccessKey"] == "SK"
    assert delete_owned_secret(arn, stack_id="arn:stack") is True
    assert "DeletedDate" in sm.describe_secret(SecretId=arn)
    assert delete_owned_secret(arn, stack_id="arn:stack") is False, "a second delete is fine"


def test_a_secret_that_is_not_ours_is_left_alone(sm):
    arn = sm.create_secret(Name="someone/else", SecretString="{}")["ARN"]
    assert delete_owned_secret(arn, stack_id="arn:stack") is False
    assert "DeletedDate" not in sm.describe_secret(SecretId=arn)


def test_deleting_a_missing_secret_is_fine(sm):
    assert (
        delete_owned_secret("arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf", stack_id="s")
        is False
    )


STACK_A = "arn:aws:cloudformation:us-east-1:123456789012:stack/team-a/0f3c8a60-0000-4000-8000-000000000001"
STACK_B = "arn:aws:cloudformation:us-east-1:123456789012:stack/team-b/0f3c8a60-0000-4000-8000-000000000002"


def test_the_stack_name_comes_from_the_stack_id():
    assert stack_name_of(STACK_A) == "team-a"
    assert stack_name_of("arn:aws-cn:cloudformation:cn-north-1:123456789012:stack/x-1/abc") == "x-1"
    assert stack_name_of("team-a") == ""


def test_a_sharing_decision_for_one_stack_is_never_reused_for_another(sm):
    arn = sm.create_secret(Name="db/shared-a", SecretString="{}", Tags=sharing_tags("team-a"))["ARN"]
    check_shared(arn, property_name="Source.SecretArn", stack_id=STACK_A)
    with pytest.raises(
        SecretNotShared, match=r"^Source.SecretArn: secret .* is shared with other stacks, not"
    ):
        check_shared(arn, property_name="Source.SecretArn", stack_id=STACK_B)
    assert sharing_tags() == [{"Key": "cfn-replication-provider:shared-with", "Value": "*"}]


def test_a_missing_secret_is_unreadable_not_unshared(sm):
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:nope-AbCdEf"
    with pytest.raises(
        SecretUnreadable, match=r"PasswordSecretArn: cannot read secret .* \(ResourceNotFound"
    ):
        check_shared(arn, property_name="PasswordSecretArn", stack_id=STACK_A)


def test_owned_secrets_carry_the_deployment_id_and_serve_only_their_stack(sm, monkeypatch):
    monkeypatch.setenv("PROVIDER_ID", "provider-prod")
    arn = create_owned_secret("user/bob", {"AccessKeyId": "AK"}, stack_id=STACK_A, logical_id="Bob")
    tags = {t["Key"]: t["Value"] for t in sm.describe_secret(SecretId=arn)["Tags"]}
    assert tags["cfn-replication-provider:owner"] == "provider-prod"
    check_shared(arn, property_name="RemoteCredentialsSecretArn", stack_id=STACK_A)
    with pytest.raises(SecretNotShared, match="provider-owned secret of another stack"):
        check_shared(arn, property_name="RemoteCredentialsSecretArn", stack_id=STACK_B)
    with pytest.raises(NotOwnedSecret):
        put_owned_secret_value(arn, {"AccessKeyId": "other"}, stack_id=STACK_B)
    assert delete_owned_secret(arn, stack_id=STACK_B) is False
    put_owned_secret_value(arn, {"AccessKeyId": "AK2"}, stack_id=STACK_A)
    assert json.loads(sm.get_secret_value(SecretId=arn)["SecretString"]) == {"AccessKeyId": "AK2"}
    monkeypatch.setenv("PROVIDER_ID", "provider-test")
    assert delete_owned_secret(arn, stack_id=STACK_A) is False, "another deployment's secret is left alone"


def test_a_secret_error_is_a_provider_error_not_a_validation_failure(sm):
    """Reading a secret is not validating properties: the automation functions and cbctl, which load no
    properties model, raise and catch the same type."""
    for error in (SecretUnreadable, SecretNotShared, NotOwnedSecret):
        assert issubclass(error, ProviderError)
        assert not issubclass(error, ValidationFailed)
