"""Observability in the template: alarms notify AlarmTopicArn, the heartbeat treats a missing run as
breaching, every function logs JSON to its own log group with retention, and the alarms and dashboard read
metrics the monitor really publishes."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from cbprovider.automation.metrics import publish
from cbprovider.automation.report import EndpointReport, MonitorReport, ReplicationReport, Status

from tests.automation.conftest import emf_documents, metric_names
from tests.template.cfn import load

NAMESPACE = "CfnReplicationProvider"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:on-call"
ALC_LEVELS = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}
PROVIDER_FUNCTIONS = ["CloudBasicProviderFunction", "CapellaProviderFunction"]


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load()


def _resources(template: dict[str, Any], type_name: str) -> dict[str, dict[str, Any]]:
    return {n: r for n, r in template["Resources"].items() if r["Type"] == type_name}


def _resolve(template: dict[str, Any], value: Any, parameters: dict[str, str]) -> Any:
    """Evaluates Ref (parameters, AWS::NoValue), Fn::If, Fn::Not, Fn::Equals, Fn::Join and conditions."""
    if isinstance(value, list):
        resolved = [_resolve(template, v, parameters) for v in value]
        return [v for v in resolved if v is not _NO_VALUE]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"}:
        name = value["Ref"]
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in template["Parameters"]:
            return parameters.get(name, template["Parameters"][name].get("Default"))
        return value
    if set(value) == {"Fn::If"}:
        condition, yes, no = value["Fn::If"]
        chosen = yes if _condition(template, condition, parameters) else no
        return _resolve(template, chosen, parameters)
    if set(value) == {"Fn::Not"}:
        return not _resolve(template, value["Fn::Not"][0], parameters)
    if set(value) == {"Fn::Equals"}:
        left, right = (_resolve(template, v, parameters) for v in value["Fn::Equals"])
        return left == right
    if set(value) == {"Fn::Join"}:
        separator, items = value["Fn::Join"]
        resolved = _resolve(template, items, parameters)
        return separator.join(resolved if isinstance(resolved, list) else [resolved])
    resolved_map = {k: _resolve(template, v, parameters) for k, v in value.items()}
    return {k: v for k, v in resolved_map.items() if v is not _NO_VALUE}


_NO_VALUE = object()


def _condition(template: dict[str, Any], name: str, parameters: dict[str, str]) -> bool:
    return bool(_resolve(template, template["Conditions"][name], parameters))


def test_every_alarm_notifies_the_topic_when_one_is_given(template):
    alarms = _resources(template, "AWS::CloudWatch::Alarm")
    assert len(alarms) >= 5
    for name, alarm in alarms.items():
        given = _resolve(template, alarm["Properties"], {"AlarmTopicArn": TOPIC})
        assert given["AlarmActions"] == [TOPIC], name
        assert given["OKActions"] == [TOPIC], name
        blank = _resolve(template, alarm["Properties"], {"AlarmTopicArn": ""})
        assert "AlarmActions" not in blank, name
        assert "OKActions" not in blank, name


def test_alarm_topic_parameter_is_optional_and_must_be_an_sns_arn(template):
    parameter = template["Parameters"]["AlarmTopicArn"]
    assert parameter["Default"] == ""
    pattern = re.compile(parameter["AllowedPattern"])
    assert pattern.fullmatch("")
    assert pattern.fullmatch(TOPIC)
    assert not pattern.fullmatch("arn:aws:sqs:eu-west-1:123456789012:queue")
    assert not pattern.fullmatch("on-call")


def test_heartbeat_alarm_treats_a_missing_monitor_run_as_breaching(template):
    alarm = template["Resources"]["MonitorHeartbeatAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == (NAMESPACE, "MonitorRuns")
    assert alarm["TreatMissingData"] == "breaching"
    assert alarm["Statistic"] == "Sum"
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("LessThanThreshold", 1)
    assert alarm["Period"] == {"Ref": "MonitorHeartbeatSeconds"}
    periods = template["Parameters"]["MonitorHeartbeatSeconds"]["AllowedValues"]
    assert all(p % 60 == 0 for p in periods)


def test_replication_lag_alarm_uses_its_threshold_parameter(template):
    alarm = template["Resources"]["ReplicationLagAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == (NAMESPACE, "MaxReplicationLatency")
    assert alarm["Threshold"] == {"Ref": "ReplicationLagAlarmSeconds"}
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"


@pytest.mark.parametrize("function", PROVIDER_FUNCTIONS)
def test_each_provider_function_has_an_errors_alarm(template, function):
    alarms = [
        a["Properties"]
        for a in _resources(template, "AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Dimensions") == [{"Name": "FunctionName", "Value": {"Ref": function}}]
    ]
    assert [(a["Namespace"], a["MetricName"]) for a in alarms] == [("AWS/Lambda", "Errors")]
    assert alarms[0]["Threshold"] == 1


def _published_metric_names() -> set[str]:
    import contextlib
    import io

    replication = ReplicationReport(endpoint="e", replication_id="r", status=Status.OK, latency_seconds=3.0)
    endpoint = EndpointReport(
        name="e", api_url="http://127.0.0.1:1", status=Status.OK, replications=[replication]
    )
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        publish(MonitorReport(started_at=datetime.now(UTC), endpoints=[endpoint]))
    return set().union(*(metric_names(d) for d in emf_documents(out.getvalue())))


def test_alarms_read_metrics_the_monitor_publishes(template):
    published = _published_metric_names()
    for name, alarm in _resources(template, "AWS::CloudWatch::Alarm").items():
        if alarm["Properties"]["Namespace"] == NAMESPACE:
            assert alarm["Properties"]["MetricName"] in published, name


def test_dashboard_is_valid_json_over_published_metrics_and_existing_resources(template):
    dashboards = _resources(template, "AWS::CloudWatch::Dashboard")
    assert len(dashboards) == 1
    body = next(iter(dashboards.values()))["Properties"]["DashboardBody"]["Fn::Sub"]
    names = set(re.findall(r"\$\{([A-Za-z0-9:.]+)\}", body))
    for name in names:
        base = name.split(".")[0]
        known = base.startswith("AWS::") or base in template["Resources"] or base in template["Parameters"]
        assert known, name
    document = json.loads(re.sub(r"\$\{[A-Za-z0-9:.]+\}", "1", body))
    published = _published_metric_names()
    shown: set[str] = set()
    for widget in document["widgets"]:
        for metric in widget["properties"].get("metrics", []):
            if metric[0] == NAMESPACE:
                shown.add(metric[1])
    assert shown <= published
    assert {"MaxReplicationLatency", "UnhealthyItems", "MonitorRuns", "MonitoredItems"} <= shown
    alarms = next(w for w in document["widgets"] if w["type"] == "alarm")["properties"]["alarms"]
    assert len(alarms) == len(_resources(template, "AWS::CloudWatch::Alarm"))


def _logging_config(template: dict[str, Any], function: dict[str, Any]) -> dict[str, Any]:
    """SAM merges the Globals' LoggingConfig map with the function's own."""
    merged = dict(template["Globals"]["Function"].get("LoggingConfig", {}))
    merged.update(function["Properties"].get("LoggingConfig", {}))
    return merged


def test_every_function_logs_json_to_its_own_log_group_with_retention(template):
    functions = _resources(template, "AWS::Serverless::Function")
    groups = _resources(template, "AWS::Logs::LogGroup")
    used = []
    for name, function in functions.items():
        config = _logging_config(template, function)
        assert config["LogFormat"] == "JSON", name
        assert config["SystemLogLevel"] == "WARN", name
        group = config["LogGroup"]["Ref"]
        assert groups[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, name
        used.append(group)
    assert len(set(used)) == len(functions)
    assert template["Parameters"]["LogRetentionDays"]["Default"] == 30


def test_application_log_level_follows_log_level_and_the_monitor_keeps_its_metrics(template):
    """Lambda counts a line without a "level" (every EMF metric document) as INFO: a monitor filtered
    at WARN would drop its metrics, so its level never rises above INFO."""
    levels = template["Mappings"]["ApplicationLogLevels"]
    assert set(levels) == set(template["Parameters"]["LogLevel"]["AllowedValues"])
    for log_level, row in levels.items():
        assert row["Functions"] in ALC_LEVELS
        assert row["Functions"] == {"WARNING": "WARN"}.get(log_level, log_level)
        assert row["Monitor"] in ({"DEBUG", "INFO"} if log_level != "DEBUG" else {"DEBUG"})
    monitor = _logging_config(template, template["Resources"]["MonitorFunction"])
    expected = {"Fn::FindInMap": ["ApplicationLogLevels", {"Ref": "LogLevel"}, "Monitor"]}
    assert monitor["ApplicationLogLevel"] == expected
    for name in PROVIDER_FUNCTIONS:
        config = _logging_config(template, template["Resources"][name])
        assert config["ApplicationLogLevel"]["Fn::FindInMap"][2] == "Functions"
