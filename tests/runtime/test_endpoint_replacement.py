"""Moving a resource to another endpoint replaces it, for every type, decided once by the runtime."""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from cbprovider.runtime.planning import replaces
from cbprovider.runtime.properties import ResourceProperties
from cbprovider.runtime.resource import Done, Outcome, Request, ResourceType


class _Props(ResourceProperties):
    name: str = ""


class _NeverAsked(ResourceType[_Props]):
    """A type whose own rule must not be consulted when the endpoint moves (it may read secrets)."""

    type_name = "Custom::Probe"
    properties_model = _Props
    replacement_properties = frozenset({"Name"})
    asked = 0

    def create(self, req: Request[_Props]) -> Outcome:
        return Done("id")

    def requires_replacement(self, new: Mapping[str, Any], old: Mapping[str, Any], *, stack_id: str) -> bool:
        self.asked += 1
        return super().requires_replacement(new, old, stack_id=stack_id)


@pytest.mark.parametrize(
    ("new", "old", "replaced", "asked"),
    [
        ({"Endpoint": "other", "Name": "a"}, {"Name": "a"}, True, 0),
        ({"Endpoint": "b"}, {"Endpoint": "a"}, True, 0),
        ({"Endpoint": "default", "Name": "a"}, {"Name": "a"}, False, 1),
        ({"Endpoint": "", "Name": "a"}, {"Endpoint": "default", "Name": "a"}, False, 1),
        ({"Endpoint": "a", "Name": "b"}, {"Endpoint": "a", "Name": "a"}, True, 1),
    ],
)
def test_an_endpoint_change_replaces_before_the_type_is_asked(new, old, replaced, asked):
    resource = _NeverAsked()
    assert replaces(resource, new, old, stack_id="stack") is replaced
    assert resource.asked == asked


def _served_types() -> list[str]:
    """Every ``module:Class`` the provider functions serve."""
    apps = sorted((Path(__file__).resolve().parents[2] / "functions").glob("*/app.py"))
    return sorted({spec for app in apps for spec in re.findall(r'"([\w.]+:\w+)"', app.read_text())})


@pytest.mark.parametrize("spec", _served_types())
def test_every_served_type_is_replaced_when_its_endpoint_moves(spec):
    module, _, name = spec.partition(":")
    resource = getattr(importlib.import_module(module), name)()
    assert replaces(resource, {"Endpoint": "b"}, {"Endpoint": "a"}, stack_id="stack")
    assert replaces(resource, {"Endpoint": "a"}, {}, stack_id="stack")
