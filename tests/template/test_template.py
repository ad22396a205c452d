"""The SAM template: lint-clean, one exported ServiceToken per resource type, least-privilege IAM."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.template.cfn import ROOT, TEMPLATE, load
from tests.template.cfn import Loader as _Loader

RESOURCE_TYPES = [
    "CloudBasicReplication",
    "CloudBasicHACluster",
    "CloudBasicUser",
    "CloudBasicActivation",
    "CapellaProject",
    "CapellaCluster",
    "CapellaDatabaseUser",
]


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load()


def test_cfn_lint_reports_nothing():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), str(TEMPLATE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("type_name", RESOURCE_TYPES)
def test_every_resource_type_has_an_exported_service_token(template, type_name):
    output = template["Outputs"][f"{type_name}ServiceToken"]
    assert output["Export"]["Name"] == {"Fn::Sub": f"${{AWS::StackName}}-{type_name}ServiceToken"}
    function = output["Value"]["Fn::GetAtt"].split(".")[0]
    assert template["Resources"][function]["Type"] == "AWS::Serverless::Function"


def test_functions_run_python312_with_the_layer(template):
    globals_ = template["Globals"]["Function"]
    assert globals_["Runtime"] == "python3.12"
    assert globals_["Layers"] == [{"Ref": "ProviderLayer"}]


def test_function_code_folders_exist(template):
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            code = ROOT / resource["Properties"]["CodeUri"]
            handler_module = resource["Properties"]["Handler"].split(".")[0]
            assert (code / f"{handler_module}.py").is_file(), name


def test_no_statement_allows_every_action(template):
    for name, resource in template["Resources"].items():
        for policy in resource.get("Properties", {}).get("Policies", []) or []:
            if isinstance(policy, dict) and "Statement" in policy:
                for statement in policy["Statement"]:
                    actions = statement["Action"]
                    actions = [actions] if isinstance(actions, str) else actions
                    assert all("*" not in a.split(":")[1] for a in actions), (name, actions)


def test_poll_rules_are_scoped_to_the_provider_prefix(template):
    for name in ("CloudBasicProviderFunction", "CapellaProviderFunction"):
        statements = [
            s
            for p in template["Resources"][name]["Properties"]["Policies"]
            if isinstance(p, dict) and "Statement" in p
            for s in p["Statement"]
        ]
        events = [s for s in statements if any(a.startswith("events:") for a in s["Action"])]
        assert events
        assert all(s["Resource"]["Fn::Sub"].endswith(":rule/${PollRulePrefix}*") for s in events)


def test_async_invocations_are_not_retried_blindly(template):
    configs = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::EventInvokeConfig"]
    assert len(configs) == 2
    assert all(c["Properties"]["MaximumRetryAttempts"] == 0 for c in configs)


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.name)
def test_example_stacks_lint_clean_and_use_the_exported_tokens(example):
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), str(example)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    stack = yaml.load(example.read_text(), Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    custom = {n: r for n, r in stack["Resources"].items() if r["Type"].startswith("Custom::")}
    assert custom
    for name, resource in custom.items():
        type_name = resource["Type"].removeprefix("Custom::")
        assert type_name in RESOURCE_TYPES, name
        token = json.dumps(resource["Properties"]["ServiceToken"])
        assert "Fn::ImportValue" in token, name
        assert f"{type_name}ServiceToken" in token, name


def test_sample_events_name_a_type_the_template_serves(template):
    served = set(RESOURCE_TYPES)
    for path in sorted((ROOT / "events").glob("*.json")):
        event = json.loads(path.read_text())
        if "ResourceType" in event:
            assert event["ResourceType"].removeprefix("Custom::") in served, path.name
            assert event["RequestType"] in ("Create", "Update", "Delete"), path.name
