"""An answer always reaches CloudFormation: one whose every PUT failed is kept and sent again."""

from __future__ import annotations

import json
from typing import Any

import boto3
from cbprovider.runtime.delivery import answer_key, url_expiry

from simulators.stack import LambdaContext
from tests.runtime.conftest import Events, only_response


def _kept_answer_polls() -> list[dict[str, Any]]:
    events = boto3.client("events")
    found = []
    for rule in events.list_rules().get("Rules", []):
        for target in events.list_targets_by_rule(Rule=rule["Name"]).get("Targets", []):
            found.append(json.loads(target["Input"]))
    return found


def _state_keys() -> list[str]:
    items = boto3.client("dynamodb").scan(TableName="provider-state").get("Items", [])
    return [item["id"]["S"] for item in items]


def test_an_answer_whose_every_put_failed_is_sent_again_by_the_rule(
    provider: Any, events: Events, cfn_receiver: Any
) -> None:
    event = events.make("Create")
    cfn_receiver.faults.add(cfn_receiver.path_for(event["RequestId"]), status=500, times=None)
    provider(event, LambdaContext(seconds=60))
    assert cfn_receiver.responses == []
    assert answer_key(event) in _state_keys()
    polls = _kept_answer_polls()
    assert polls == [{"CfnProviderPoll": answer_key(event)}]

    provider(polls[0], LambdaContext(seconds=60))  # CloudFormation's host still fails: kept
    assert cfn_receiver.responses == []
    assert answer_key(event) in _state_keys()

    cfn_receiver.faults.clear()
    provider(polls[0], LambdaContext(seconds=60))
    assert only_response(cfn_receiver, event)["Status"] == "SUCCESS"
    assert answer_key(event) not in _state_keys()
    assert _kept_answer_polls() == []


def test_a_duplicate_delivery_sends_the_kept_answer(provider: Any, events: Events, cfn_receiver: Any) -> None:
    event = events.make("Create")
    cfn_receiver.faults.add(cfn_receiver.path_for(event["RequestId"]), drop=True, times=None)
    provider(event, LambdaContext(seconds=60))
    assert cfn_receiver.responses == []
    cfn_receiver.faults.clear()
    provider(event, LambdaContext(seconds=60))
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("SUCCESS", "w-0001")
    assert _kept_answer_polls() == []


def test_a_kept_answer_whose_url_expired_is_dropped(provider: Any, events: Events, cfn_receiver: Any) -> None:
    event = events.make("Create")
    event["ResponseURL"] = event["ResponseURL"].replace("X-Amz-Expires=7200", "X-Amz-Expires=1")
    cfn_receiver.faults.add(cfn_receiver.path_for(event["RequestId"]), status=500, times=None)
    provider(event, LambdaContext(seconds=60))
    cfn_receiver.faults.clear()
    import time

    time.sleep(1.1)
    provider(_kept_answer_polls()[0], LambdaContext(seconds=60))
    assert cfn_receiver.responses == []
    assert _kept_answer_polls() == []
    assert answer_key(event) not in _state_keys()


def test_url_expiry_reads_both_signature_versions() -> None:
    assert url_expiry("https://h/p?Expires=1700000000&Signature=x", now=0) == 1700000000
    sigv4 = "https://h/p?X-Amz-Date=20261202T100000Z&X-Amz-Expires=7200&X-Amz-Signature=x"
    assert url_expiry(sigv4, now=0) == 1796205600 + 7200
    assert url_expiry("https://h/p", now=50.0) == 50.0 + 7200
