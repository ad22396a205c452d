"""Properties as CloudFormation sends them: strings coerced, unknown names and bad values named."""

from __future__ import annotations

import pytest
from cbprovider.runtime import ValidationFailed
from cbprovider.runtime.properties import parse_properties, values

from tests.runtime.conftest import FakeContext, only_response
from tests.runtime.widgets import WidgetProperties

BASE = {"ServiceToken": "arn:aws:lambda:us-east-1:1:function:f", "ApiUrl": "http://x", "Name": "n"}


def test_strings_are_coerced_and_service_token_is_ignored():
    props = parse_properties(
        WidgetProperties, {**BASE, "Size": "5", "Enabled": "true", "ServiceTimeout": "600"}
    )
    assert props.size == 5
    assert props.enabled is True
    assert props.service_timeout == 600
    assert "service_token" not in values(props)


def test_nested_missing_field_is_named_by_its_path():
    with pytest.raises(ValidationFailed) as caught:
        parse_properties(WidgetProperties, {**BASE, "Source": {"Server": "db1"}})
    assert str(caught.value) == "Invalid Properties: Source.Database: field required"


def test_snake_case_names_are_unknown_properties():
    with pytest.raises(ValidationFailed, match=r"api_url: unknown property"):
        parse_properties(WidgetProperties, {"api_url": "http://x", "Name": "n", "ApiUrl": "http://x"})


def test_unknown_property_fails_the_create_naming_it(provider, events, cfn_receiver, widgets):
    event = events.make("Create", {"Sise": "3"})
    provider(event, FakeContext())
    body = only_response(cfn_receiver, event)
    assert body["Status"] == "FAILED"
    assert body["Reason"] == "[ValidationFailed] Invalid Properties: Sise: unknown property"
    assert widgets.calls == []


def test_bad_type_fails_naming_the_property_without_echoing_the_value(provider, events, cfn_receiver):
    event = events.make("Create", {"Size": "five-thousand", "Enabled": "perhaps"})
    provider(event, FakeContext())
    reason = only_response(cfn_receiver, event)["Reason"]
    assert reason.startswith("[ValidationFailed] Invalid Properties: Size: input should be a valid integer")
    assert "Enabled: input should be a valid boolean" in reason
    assert "five-thousand" not in reason
    assert "perhaps" not in reason


def test_coerced_values_reach_the_resource(provider, events, cfn_receiver, widgets):
    event = events.make("Create", {"Size": "5", "Enabled": "true"})
    provider(event, FakeContext())
    assert only_response(cfn_receiver, event)["Status"] == "SUCCESS"
    assert widgets.widgets["w-0001"]["size"] == 5
    assert widgets.widgets["w-0001"]["enabled"] is True


def test_update_with_unparseable_old_properties_still_updates(provider, events, cfn_receiver, widgets):
    widgets.widgets["w-0042"] = {"name": "alpha", "size": 1, "gets": 0}
    event = events.make("Update", {"Size": "2"}, physical_id="w-0042", old={"Retired": "yes"})
    provider(event, FakeContext())
    body = only_response(cfn_receiver, event)
    assert (body["Status"], body["PhysicalResourceId"]) == ("SUCCESS", "w-0042")
