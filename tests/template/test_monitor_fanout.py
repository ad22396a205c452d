"""The fanned-out monitor in the template: the dispatcher on the schedule, an encrypted queue with a
dead-letter queue, workers on an SQS event source bounded by MonitorWorkerConcurrency, least privilege."""

from __future__ import annotations

from typing import Any

import pytest

from tests.template.cfn import load


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load()


def _statements(function: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        s for p in function["Properties"]["Policies"] if isinstance(p, dict) for s in p.get("Statement", [])
    ]


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def test_queues_are_encrypted_and_failed_units_end_in_the_dead_letter_queue(template):
    resources = template["Resources"]
    queue = resources["MonitorQueue"]["Properties"]
    dead = resources["MonitorDeadLetterQueue"]["Properties"]
    assert queue["SqsManagedSseEnabled"] is True
    assert dead["SqsManagedSseEnabled"] is True
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": "MonitorDeadLetterQueue.Arn"}
    assert queue["RedrivePolicy"]["maxReceiveCount"] >= 2
    worker_timeout = resources["MonitorWorkerFunction"]["Properties"]["Timeout"]
    assert queue["VisibilityTimeout"] >= 6 * worker_timeout
    alarm = resources["MonitorDeadLetterAlarm"]["Properties"]
    assert alarm["Dimensions"][0]["Value"] == {"Fn::GetAtt": "MonitorDeadLetterQueue.QueueName"}


def test_workers_take_one_unit_at_a_time_with_a_maximum_concurrency(template):
    worker = template["Resources"]["MonitorWorkerFunction"]["Properties"]
    [event] = worker["Events"].values()
    assert event["Type"] == "SQS"
    props = event["Properties"]
    assert props["Queue"] == {"Fn::GetAtt": "MonitorQueue.Arn"}
    assert props["BatchSize"] == 1
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["ScalingConfig"]["MaximumConcurrency"] == {"Ref": "MonitorWorkerConcurrency"}
    parameter = template["Parameters"]["MonitorWorkerConcurrency"]
    assert (parameter["MinValue"], parameter["MaxValue"]) == (2, 1000)  # what Lambda accepts


def test_the_dispatcher_runs_on_the_schedule_and_only_queues(template):
    dispatcher = template["Resources"]["MonitorFunction"]["Properties"]
    assert dispatcher["Handler"] == "app.lambda_handler"
    assert dispatcher["CodeUri"] == "functions/monitor/"
    [event] = dispatcher["Events"].values()
    assert (event["Type"], event["Properties"]["Schedule"]) == ("Schedule", {"Ref": "MonitorSchedule"})
    assert dispatcher["Environment"]["Variables"]["MONITOR_QUEUE_URL"] == {"Ref": "MonitorQueue"}
    statements = _statements(template["Resources"]["MonitorFunction"])
    actions = {a for s in statements for a in _actions(s)}
    assert not any(a.startswith(("secretsmanager:", "kms:")) for a in actions)
    assert "VpcConfig" not in dispatcher
    [send] = [s for s in statements if "sqs:SendMessage" in _actions(s)]
    assert _actions(send) == ["sqs:SendMessage"]
    assert send["Resource"] == {"Fn::GetAtt": "MonitorQueue.Arn"}


@pytest.mark.parametrize("function", ["MonitorFunction", "MonitorWorkerFunction"])
def test_monitor_functions_touch_only_the_monitor_keys_of_the_state_table(template, function):
    statements = _statements(template["Resources"][function])
    tables = [s for s in statements if any(a.startswith("dynamodb:") for a in _actions(s))]
    assert len(tables) == 1
    [statement] = tables
    assert statement["Resource"] == {"Fn::GetAtt": "StateTable.Arn"}
    assert statement["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["monitor#*"]}}
    assert not {"dynamodb:DeleteItem", "dynamodb:Scan", "dynamodb:Query"} & set(_actions(statement))
    policies = template["Resources"][function]["Properties"]["Policies"]
    assert not [p for p in policies if isinstance(p, dict) and "DynamoDBCrudPolicy" in p]


@pytest.mark.parametrize("function", ["MonitorFunction", "MonitorWorkerFunction"])
def test_per_replication_metrics_follow_the_opt_in_parameter(template, function):
    variables = template["Resources"][function]["Properties"]["Environment"]["Variables"]
    assert variables["MONITOR_ITEM_METRICS"] == {"Ref": "MonitorReplicationMetrics"}
    parameter = template["Parameters"]["MonitorReplicationMetrics"]
    assert parameter["Default"] == "false"
    assert sorted(parameter["AllowedValues"]) == ["false", "true"]
    # Both print metric lines (the worker that completes a run, the dispatcher for an empty registry).
    level = template["Resources"][function]["Properties"]["LoggingConfig"]["ApplicationLogLevel"]
    assert level == {"Fn::FindInMap": ["ApplicationLogLevels", {"Ref": "LogLevel"}, "Monitor"]}
