"""The promotion function's Route 53 permissions: only the operator's record names, every name of a batch."""

from __future__ import annotations

import re
from typing import Any

import pytest
from cbprovider.automation.record_names import RecordNamePolicy

from tests.template import test_template

template = test_template.template
"""The parsed template (the fixture of ``test_template``)."""


def route53_statements(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    policies = template["Resources"]["PromoteFunction"]["Properties"]["Policies"]
    [dns] = [
        p["Fn::If"]
        for p in policies
        if isinstance(p, dict) and "Fn::If" in p and p["Fn::If"][0] == "HasPromotionDns"
    ]
    return {s["Sid"]: s for s in dns[1]["Statement"]}


def test_changes_are_limited_to_every_name_of_a_batch_being_allowed(template):
    statements = route53_statements(template)
    change = statements["UpsertPromotionCname"]
    assert change["Action"] == "route53:ChangeResourceRecordSets"
    assert change["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:route53:::hostedzone/${PromotionHostedZoneId}"
    }
    assert change["Condition"] == {
        "ForAllValues:StringEquals": {
            "route53:ChangeResourceRecordSetsRecordTypes": ["CNAME"],
            "route53:ChangeResourceRecordSetsActions": ["UPSERT"],
        },
        "ForAllValues:StringLike": {
            "route53:ChangeResourceRecordSetsNormalizedRecordNames": {
                "Fn::Split": [",", {"Ref": "PromotionRecordNames"}]
            }
        },
    }
    assert statements["CheckPromotionZone"]["Action"] == "route53:GetHostedZone"
    env = template["Resources"]["PromoteFunction"]["Properties"]["Environment"]["Variables"]
    assert env["PROMOTION_RECORD_NAMES"] == {"Ref": "PromotionRecordNames"}


def test_no_dns_permission_without_record_names(template):
    condition = template["Conditions"]["HasPromotionDns"]["Fn::And"]
    assert {"Fn::Not": [{"Fn::Equals": [{"Ref": "PromotionRecordNames"}, ""]}]} in condition
    assert template["Parameters"]["PromotionRecordNames"]["Default"] == ""


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("", True),
        ("sales-db.example.com", True),
        ("*.db.example.com,sales.example.com", True),
        ("db?.example.com", True),
        ("Sales.example.com", False),  # IAM compares lower-case names: upper case would never match
        ("sales.example.com.", False),  # nor a trailing dot
        ("a.example.com, b.example.com", False),  # the space would be part of the IAM pattern
        ("a.example.com,,b.example.com", False),
    ],
)
def test_the_parameter_admits_only_what_iam_and_the_code_read_alike(template, value, accepted):
    pattern = template["Parameters"]["PromotionRecordNames"]["AllowedPattern"]
    assert bool(re.fullmatch(pattern, value)) is accepted
    if accepted:
        assert RecordNamePolicy.from_setting(value).patterns == tuple(filter(None, value.split(",")))
