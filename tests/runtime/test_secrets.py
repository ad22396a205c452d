"""Secrets named by properties (read, cached) and the secrets the provider owns (created, deleted)."""

from __future__ import annotations

import json

import pytest
from cbprovider.runtime import ValidationFailed, create_owned_secret, delete_owned_secret, read_secret_json


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
    with pytest.raises(ValidationFailed) as caught:
        read_secret_json(arn, field_context="Destination.SecretArn")
    assert str(caught.value) == f"Destination.SecretArn: cannot read secret {arn} (ResourceNotFoundException)"


def test_secret_that_is_not_json_names_the_property_not_the_value(sm):
    arn = sm.create_secret(Name="db/plain", SecretString="hunter2")["ARN"]
    with pytest.raises(ValidationFailed, match=r"^Source.SecretArn: secret .* is not JSON$") as caught:
        read_secret_json(arn)
    assert "hunter2" not in str(caught.value)
    list_arn = sm.create_secret(Name="db/list", SecretString="[1, 2]")["ARN"]
    with pytest.raises(ValidationFailed, match="is not a JSON object"):
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
    assert delete_owned_secret(arn) is True
    assert "DeletedDate" in sm.describe_secret(SecretId=arn)
    assert delete_owned_secret(arn) is False, "a second delete is fine"


def test_a_secret_that_is_not_ours_is_left_alone(sm):
    arn = sm.create_secret(Name="someone/else", SecretString="{}")["ARN"]
    assert delete_owned_secret(arn) is False
    assert "DeletedDate" not in sm.describe_secret(SecretId=arn)


def test_deleting_a_missing_secret_is_fine(sm):
    assert delete_owned_secret("arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf") is False
