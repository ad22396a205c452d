"""The sample events under ``events/``: what every type's sample must satisfy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cbprovider.runtime.planning import replaces
from cbprovider.runtime.properties import parse_properties

EVENTS = Path(__file__).resolve().parents[2] / "events"
NAMES = ("create", "update", "update-replace", "delete")
"""The samples each type has: ``events/<vendor>-<type>-<name>.json``."""


def load_event(stem: str, name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{stem}-{name}.json").read_text())
    return event


def check_sample_event(resource: Any, event: dict[str, Any], name: str) -> Any:
    """The event is for ``resource``'s type, carries strings as CloudFormation does, parses, is replacing
    exactly when ``name`` is ``update-replace`` and names an object of the type; its parsed properties."""
    assert event["ResourceType"] == resource.type_name
    assert all(isinstance(leaf, str) for leaf in _leaves(event["ResourceProperties"])), (
        "CloudFormation sends strings"
    )
    properties = parse_properties(resource.properties_model, event["ResourceProperties"])
    if event["RequestType"] == "Update":
        new, old = event["ResourceProperties"], event["OldResourceProperties"]
        parse_properties(resource.properties_model, old)
        assert replaces(resource, new, old, stack_id=event["StackId"]) == (name == "update-replace")
    if event["RequestType"] != "Create":
        assert resource.owns_physical_id(event["PhysicalResourceId"])
    return properties


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]
