"""The SAM template: lint-clean, one exported ServiceToken per resource type, least-privilege IAM."""

from __future__ import annotations

import json
import os
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
    "CapellaBucket",
    "CapellaAllowedCidr",
    "CapellaDatabaseCredential",
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


def test_functions_run_python313_on_arm64_with_the_layer(template):
    globals_ = template["Globals"]["Function"]
    assert globals_["Runtime"] == "python3.13"
    assert globals_["Architectures"] == ["arm64"]
    assert globals_["Layers"] == [{"Ref": "ProviderLayer"}]
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            assert resource["Metadata"]["BuildMethod"] == globals_["Runtime"], name


def test_layer_declares_what_it_is_built_for_and_the_makefile_builds_that(template):
    globals_ = template["Globals"]["Function"]
    layer = template["Resources"]["ProviderLayer"]
    assert layer["Properties"]["CompatibleRuntimes"] == [globals_["Runtime"]]
    assert layer["Properties"]["CompatibleArchitectures"] == globals_["Architectures"]
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    assert layer["Metadata"]["BuildArchitecture"] == globals_["Architectures"][0]
    makefile = (ROOT / layer["Properties"]["ContentUri"] / "Makefile").read_text()
    assert "\nbuild-ProviderLayer:" in makefile
    assert f"\nLAMBDA_PYTHON ?= {globals_['Runtime'].removeprefix('python')}\n" in makefile
    assert f"\nLAMBDA_ARCH ?= {globals_['Architectures'][0]}\n" in makefile


def test_the_tests_run_on_the_functions_python(template):
    """make builds .venv with the template's Python; in CI the suite must run on it, not on any python3."""
    runtime = template["Globals"]["Function"]["Runtime"].removeprefix("python")
    makefile = (ROOT / "Makefile").read_text()
    assert f"\nRUNTIME_PYTHON := {runtime}\n" in makefile
    if os.environ.get("CI") == "true":
        assert "{}.{}".format(*sys.version_info[:2]) == runtime


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


def test_providers_may_read_their_stacks_and_nothing_more_of_cloudformation(template):
    wanted = {
        "cloudformation:DescribeStackResource",
        "cloudformation:DescribeStackResources",
        "cloudformation:DescribeStackEvents",
        "cloudformation:DescribeStacks",
    }
    stack_arn = "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/*"
    for name, resource in template["Resources"].items():
        statements = [
            s
            for p in resource.get("Properties", {}).get("Policies", []) or []
            if isinstance(p, dict) and "Statement" in p
            for s in p["Statement"]
        ]
        granted = [s for s in statements if any(a.startswith("cloudformation:") for a in s["Action"])]
        if name in ("CloudBasicProviderFunction", "CapellaProviderFunction", "AnswerCrashedFunction"):
            assert len(granted) == 1, name
            assert set(granted[0]["Action"]) == wanted
            assert granted[0]["Resource"] == {"Fn::Sub": stack_arn}
        else:
            assert granted == [], name


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


def test_the_poll_state_key_is_the_stacks_own_and_only_the_providers_and_the_crash_answerer_use_it(template):
    resources = template["Resources"]
    assert resources["StateKey"]["Type"] == "AWS::KMS::Key"
    assert resources["StateKey"]["Properties"]["EnableKeyRotation"] is True
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["STATE_KMS_KEY_ARN"] == {"Fn::GetAtt": "StateKey.Arn"}
    for name, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        policies = json.dumps(resource["Properties"].get("Policies", []))
        uses_key = "KMSDecryptPolicy" in policies and "KMSEncryptPolicy" in policies
        # The crash answerer reads kept answers and writes the poll state of a create it hands over.
        assert uses_key == (name.endswith("ProviderFunction") or name == "AnswerCrashedFunction"), name


def _sub(text: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    assert "${" not in text, text
    return text


@pytest.mark.parametrize(("url", "plain"), [("http://10.0.1.10:82", True), ("https://10.0.1.10:4432", False)])
def test_the_default_endpoints_are_entries_the_provider_accepts(
    template: dict[str, Any], url: str, plain: bool
) -> None:
    from cbprovider.endpoints import capella_from_json, cloudbasic_from_json

    resources = template["Resources"]
    cloudbasic = resources["CloudBasicDefaultEndpoint"]["Properties"]
    assert cloudbasic["Name"] == {"Fn::Sub": "${EndpointRegistryPath}/cloudbasic/default"}
    text, variables = cloudbasic["Value"]["Fn::Sub"]
    assert variables == {"Plain": {"Fn::If": ["CloudBasicDefaultIsPlainHttp", "true", "false"]}}
    value = _sub(
        text,
        {
            "CloudBasicApiUrl": url,
            "CloudBasicCredentialsSecretArn": "",
            "CloudBasicSigningRegion": "us-east-1",
            "Plain": "true" if plain else "false",
        },
    )
    entry = cloudbasic_from_json("default", json.loads(value))
    assert (entry.url, entry.credentials_secret_arn, entry.allow_plaintext_http) == (url, None, plain)
    capella = resources["CapellaDefaultEndpoint"]["Properties"]
    value = _sub(
        capella["Value"]["Fn::Sub"],
        {
            "CapellaApiUrl": "https://cloudapi.cloud.couchbase.com",
            "CapellaCredentialsSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:c",
            "CapellaApiVersion": "v3",
            "CapellaOrganizationId": "",
        },
    )
    assert capella_from_json("default", json.loads(value)).api_version == "v3"


def test_the_functions_read_only_the_registry_path(template: dict[str, Any]) -> None:
    arn = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${EndpointRegistryPath}"
    wanted = [{"Fn::Sub": arn}, {"Fn::Sub": arn + "/*"}]
    for name, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        statements = [
            s
            for policy in resource["Properties"]["Policies"]
            if isinstance(policy, dict)
            for s in policy.get("Statement", [])
            if any(
                str(a).startswith("ssm:")
                for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
            )
        ]
        if name == "AnswerCrashedFunction":  # answers from the state table only
            assert statements == [], name
            continue
        assert [s["Resource"] for s in statements] == [wanted], name
        if name == "MonitorWorkerFunction":  # reads the one endpoint its unit names
            assert statements[0]["Action"] == ["ssm:GetParameter"]
            continue
        assert sorted(statements[0]["Action"]) == [
            "ssm:GetParameter",
            "ssm:GetParameters",
            "ssm:GetParametersByPath",
        ]
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["ENDPOINT_REGISTRY_PATH"] == {"Ref": "EndpointRegistryPath"}
    assert not {"CLOUDBASIC_API_URL", "CAPELLA_API_URL", "CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS"} & set(env)
