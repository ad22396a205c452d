"""A request whose invocation dies still gets one FAILED answer, from the on-failure destination.

Each provider invocation runs in its own process against moto's server (``simulators.lambda_runner``);
the process fails to import, is killed as for running out of memory, or is killed at its timeout, and the
destination handler (``cbprovider.runtime.crash``) is given the record Lambda would send.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from simulators.lambda_runner import destination_record, run_async
from simulators.stack import FUNCTION_ARN, RULE_PREFIX, STATE_TABLE, LambdaContext
from tests.runtime.conftest import Events, only_response

APP = Path(__file__).with_name("crashing_app.py")


@pytest.fixture
def aws_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """moto as a real server, so that the provider's own process and this one share AWS."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "IDEMPOTENCY_TABLE": STATE_TABLE,
        "POLL_RULE_PREFIX": RULE_PREFIX,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.setattr("cbprovider.runtime.crash._answerer", None)
    requests.post(f"http://{host}:{port}/moto-api/reset", timeout=10).raise_for_status()
    boto3.client("dynamodb").create_table(
        TableName=STATE_TABLE,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    try:
        yield env
    finally:
        server.stop()
        boto3.DEFAULT_SESSION = None  # its config (the endpoint URL above) must not outlive this test


def _die_and_answer(event: dict[str, Any], env: dict[str, str], crash: str, seconds: float = 20.0) -> str:
    from cbprovider.runtime import crash as destination

    invocation = run_async(APP, event, seconds=seconds, env={**env, "CRASH": crash})
    assert invocation.failed
    destination.handler(destination_record(invocation, FUNCTION_ARN), LambdaContext(seconds=30))
    return str(invocation.error_type)


def test_an_init_error_is_answered_failed(
    aws_server: dict[str, str], events: Events, cfn_receiver: Any
) -> None:
    event = events.make("Create")
    error = _die_and_answer(event, aws_server, "init-error")
    assert error == "Runtime.ImportModuleError"
    body = only_response(cfn_receiver, event)
    assert body["Status"] == "FAILED"
    assert body["PhysicalResourceId"].startswith("failed-create-MyWidget-")
    assert body["Reason"].startswith("[InvocationFailed]")


def test_a_timeout_before_the_backstop_is_answered_failed(
    aws_server: dict[str, str], events: Events, cfn_receiver: Any
) -> None:
    event = events.make("Delete", physical_id="w-0007", owned=False)
    error = _die_and_answer(event, aws_server, "init-hang", seconds=4.0)
    assert error == "Sandbox.Timedout"
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("FAILED", "w-0007")


def test_a_process_killed_after_its_create_hands_it_over_to_the_look_up(
    aws_server: dict[str, str], events: Events, cfn_receiver: Any, widgets: Any
) -> None:
    """The create was in flight: the destination schedules the poll that looks the widget up."""
    import json

    import boto3

    event = events.make("Create")
    error = _die_and_answer(event, aws_server, "killed-after-create")
    assert error == "Runtime.ExitError"
    assert list(widgets.widgets) == ["w-0001"]
    assert not cfn_receiver.responses_for(event["RequestId"]), "answered before the look-up"
    rules = boto3.client("events").list_rules(NamePrefix=RULE_PREFIX)["Rules"]
    assert len(rules) == 1, rules
    targets = boto3.client("events").list_targets_by_rule(Rule=rules[0]["Name"])["Targets"]
    assert targets[0]["Arn"] == FUNCTION_ARN
    from tests.runtime.crashing_app import lambda_handler

    lambda_handler(json.loads(targets[0]["Input"]), LambdaContext(seconds=60))
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("SUCCESS", "w-0001")
    assert not boto3.client("events").list_rules(NamePrefix=RULE_PREFIX)["Rules"]


def test_a_request_the_provider_finished_is_not_answered_again(
    aws_server: dict[str, str], events: Events, cfn_receiver: Any
) -> None:
    from cbprovider.runtime import crash as destination

    event = events.make("Create")
    finished = run_async(APP, event, seconds=20.0, env=aws_server)
    assert not finished.failed
    assert only_response(cfn_receiver, event)["Status"] == "SUCCESS"
    forged = destination_record(finished, FUNCTION_ARN)
    destination.handler(forged, LambdaContext(seconds=30))
    assert len(cfn_receiver.responses_for(event["RequestId"])) == 1


def test_a_made_up_record_is_answered_to_nobody(
    aws_server: dict[str, str], events: Events, cfn_receiver: Any
) -> None:
    from cbprovider.runtime import crash as destination

    from simulators.lambda_runner import AsyncInvocation

    with cfn_receiver.__class__(host="127.0.0.2") as outsider:
        event = events.make("Delete", physical_id="w-0009", owned=False)
        event["ResponseURL"] = outsider.url_for(event["RequestId"])
        forged = destination_record(AsyncInvocation(event, "Runtime.ExitError", 1.0), FUNCTION_ARN)
        destination.handler(forged, LambdaContext(seconds=30))
        assert outsider.responses == []
    assert cfn_receiver.responses == []
