"""A CloudFormation template as the demo reads it: parameters and ``!Ref``/``!GetAtt``/``!If`` resolved.

``load_template`` reads YAML with CloudFormation's short-form intrinsics (and any other ``!Tag``, as
``{"Fn::Tag": ...}``, for the demo's scenarios); ``ExampleStack`` resolves a resource's properties as
CloudFormation would send them: scalars as strings, without ``ServiceToken``. ``functions`` resolves
further ``Fn::`` names (the scenarios' ``!Secret`` and ``!Sim``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

NO_VALUE = object()


class UnsupportedTemplate(ValueError):
    """The example uses a construct the demo's small template reader does not resolve."""


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form intrinsics (``!Ref X`` becomes ``{"Ref": "X"}``)."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        return {name: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {name: loader.construct_sequence(node, deep=True)}
    return {name: loader.construct_mapping(node, deep=True)}  # type: ignore[arg-type]


_Loader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.load(path.read_text(), Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    return data


@dataclass
class ExampleStack:
    """One stack of a template: its parameter values and what its resources answered."""

    template: dict[str, Any]
    parameters: dict[str, str]
    physical_ids: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    functions: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    """``Fn::`` names beyond CloudFormation's: name -> the value for the (unresolved) argument."""

    @classmethod
    def of(
        cls,
        template: dict[str, Any],
        overrides: Mapping[str, str] | None = None,
        functions: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> ExampleStack:
        values = {name: str(p.get("Default", "")) for name, p in template.get("Parameters", {}).items()}
        return cls(template, {**values, **(overrides or {})}, functions=functions or {})

    def resources(self) -> list[str]:
        """Logical ids in template order; each must come after the resources it refers to."""
        order = list(self.template["Resources"])
        for position, logical_id in enumerate(order):
            later = set(order[position:]) & _references(self.template["Resources"][logical_id])
            if later:
                raise UnsupportedTemplate(f"{logical_id} refers to {sorted(later)}, listed after it")
        return order

    def type_of(self, logical_id: str) -> str:
        return str(self.template["Resources"][logical_id]["Type"])

    def properties(self, logical_id: str) -> dict[str, Any]:
        """The resource's properties as CloudFormation sends them (without ``ServiceToken``)."""
        raw = dict(self.template["Resources"][logical_id].get("Properties", {}))
        raw.pop("ServiceToken", None)
        resolved = self.resolve(raw)
        assert isinstance(resolved, dict)
        return resolved

    def outputs(self) -> dict[str, Any]:
        return {name: self.resolve(o["Value"]) for name, o in self.template.get("Outputs", {}).items()}

    def with_parameters(self, overrides: Mapping[str, str]) -> ExampleStack:
        changed = ExampleStack(self.template, {**self.parameters, **overrides}, functions=self.functions)
        changed.physical_ids, changed.attributes = dict(self.physical_ids), dict(self.attributes)
        return changed

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [v for v in (self.resolve(item) for item in value) if v is not NO_VALUE]
        if not isinstance(value, dict):
            return str(value).lower() if isinstance(value, bool) else str(value)
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self._ref(str(argument))
            if key == "Fn::GetAtt":
                logical_id, _, attribute = (
                    argument.partition(".") if isinstance(argument, str) else (argument[0], ".", argument[1])
                )
                return self.attributes[logical_id][attribute]
            if key == "Fn::If":
                condition, then, otherwise = argument
                return self.resolve(then if self._condition(condition) else otherwise)
            if key in self.functions:
                return self.functions[key](argument)
            if key.startswith("Fn::"):
                raise UnsupportedTemplate(f"{key} is not resolved by the demo")
        resolved = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.parameters:
            return self.parameters[name]
        return self.physical_ids[name]

    def _condition(self, name: str) -> bool:
        return bool(self._truth(self.template["Conditions"][name]))

    def _truth(self, expression: Any) -> Any:
        ((key, argument),) = expression.items()
        if key == "Fn::Not":
            return not self._truth(argument[0])
        if key == "Fn::Equals":
            return self.resolve(argument[0]) == self.resolve(argument[1])
        if key == "Condition":
            return self._condition(str(argument))
        raise UnsupportedTemplate(f"condition {key} is not resolved by the demo")


def _references(value: Any) -> set[str]:
    """The logical ids a resource refers to (``Ref``, ``GetAtt``, ``DependsOn``)."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= _references(item)
    elif isinstance(value, dict):
        for key, argument in value.items():
            if key in ("Ref", "DependsOn") and isinstance(argument, str):
                found.add(argument)
            elif key == "DependsOn" and isinstance(argument, list):
                found |= {str(a) for a in argument}
            elif key == "Fn::GetAtt":
                found.add(str(argument).partition(".")[0] if isinstance(argument, str) else str(argument[0]))
            else:
                found |= _references(argument)
    return found
