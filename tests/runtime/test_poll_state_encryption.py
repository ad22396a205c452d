"""The poll state never holds the presigned ResponseURL in clear: it is KMS-encrypted with the state key."""

from __future__ import annotations

import json
from typing import Any

from tests.runtime.conftest import TABLE, FakeContext, only_response


def _poll_items(aws) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = aws.client("dynamodb").scan(TableName=TABLE)["Items"]
    return [i for i in items if i["id"]["S"].startswith("poll#")]


def _poll_event(aws) -> dict[str, Any]:
    events = aws.client("events")
    rule = events.list_rules(NamePrefix="cfnprov-")["Rules"][0]["Name"]
    event: dict[str, Any] = json.loads(events.list_targets_by_rule(Rule=rule)["Targets"][0]["Input"])
    return event


def test_the_response_url_is_stored_encrypted_and_the_answer_still_arrives(
    provider, aws, events, cfn_receiver, widgets, monkeypatch
):
    key = aws.client("kms").create_key(Description="state")["KeyMetadata"]["Arn"]
    monkeypatch.setenv("STATE_KMS_KEY_ARN", key)
    widgets.ready_after = 1
    event = events.make("Create", {"Wait": "true"})
    provider(event, FakeContext())
    assert cfn_receiver.responses == []

    (item,) = _poll_items(aws)
    url = event["ResponseURL"]
    stored_text = json.dumps({k: v for k, v in item.items() if k != "response_url"})
    assert url not in stored_text
    assert url.split("?")[1] not in stored_text, "no part of the signature is kept in clear"
    assert "ResponseURL" not in json.loads(item["event"]["S"])
    assert url not in item["response_url"]["S"]

    provider(_poll_event(aws), FakeContext())
    assert only_response(cfn_receiver, event)["Status"] == "SUCCESS"
    assert _poll_items(aws) == []


def test_without_a_key_the_state_still_works(provider, aws, events, cfn_receiver, widgets, monkeypatch):
    monkeypatch.delenv("STATE_KMS_KEY_ARN", raising=False)
    widgets.ready_after = 1
    event = events.make("Create", {"Wait": "true"})
    provider(event, FakeContext())
    provider(_poll_event(aws), FakeContext())
    assert only_response(cfn_receiver, event)["Status"] == "SUCCESS"
