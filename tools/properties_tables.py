"""Markdown property tables generated from a resource type's properties model (a msgspec struct).

The documentation site renders these at build time, so a page always shows the properties the provider
accepts: names (the PascalCase aliases CloudFormation sends), types, whether they are required, defaults,
constraints and whether changing them replaces the object. Nested objects get a table of their own.
"""

from __future__ import annotations

import importlib
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any, Literal

import msgspec
from cbprovider.runtime.properties import PropertiesModel
from msgspec.structs import FieldInfo

SCALARS = {str: "string", int: "integer", bool: "boolean", float: "number"}


def load_resource_type(spec: str) -> Any:
    """The resource type class named ``module:Class`` (as the provider functions name them)."""
    module_name, _, class_name = spec.partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def versions_of(resource: Any) -> dict[str, str]:
    """API version -> ``module:Class`` of a versioned type (one type name served by a class per API
    version, chosen by the endpoint, like ``capella_versions.CapellaClusterType``); ``{}`` for any other.
    A versioned type's own model reads only what picks the version: its properties are its versions'.
    """
    implementations = getattr(resource, "implementations", None)
    return dict(implementations) if isinstance(implementations, Mapping) else {}


def resource_tables(spec: str) -> str:
    """Every table of the resource type ``spec``: its top-level properties, then each nested object; for
    a versioned type, those of each version under a heading ``### API <version>``.
    """
    resource = load_resource_type(spec)
    versions = versions_of(resource)
    if versions:
        return "\n\n".join(
            f"### API {version}\n\n{resource_tables(versions[version])}" for version in sorted(versions)
        )
    return "\n\n".join(_tables(resource.properties_model, replaced_by(resource)))


def replaced_by(resource: Any) -> frozenset[str]:
    """The properties whose change replaces the object: the type's own, and ``Endpoint`` (every type
    moves to another endpoint only by replacement, see ``cbprovider.runtime.planning.replaces``)."""
    from cbprovider.endpoints.entries import ENDPOINT_PROPERTY

    replaced: frozenset[str] = getattr(resource, "replacement_properties", frozenset())
    return replaced | {ENDPOINT_PROPERTY}


def _tables(model: type[PropertiesModel], replaced: frozenset[str]) -> Iterator[str]:
    yield model_table(model, replaced)
    for nested in nested_models(model):
        yield f"#### `{nested.__name__}`\n\n{model_table(nested, frozenset())}"


def nested_models(model: type[PropertiesModel]) -> list[type[PropertiesModel]]:
    """The object types reachable from ``model``'s fields, each once, in the order they appear."""
    found: list[type[PropertiesModel]] = []

    def visit(current: type[PropertiesModel]) -> None:
        for field in msgspec.structs.fields(current):
            for candidate in _models_in(field.type):
                if candidate not in found:
                    found.append(candidate)
                    visit(candidate)

    visit(model)
    return found


def _models_in(annotation: Any) -> Iterator[type[PropertiesModel]]:
    if isinstance(annotation, type) and issubclass(annotation, PropertiesModel):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _models_in(argument)


def model_table(model: type[PropertiesModel], replaced: frozenset[str]) -> str:
    """One row per accepted property (fields CloudFormation adds itself, like ServiceToken, are left out)."""
    show_replacement = bool(replaced)
    header = "| property | type | required | default | constraints |"
    rule = "| --- | --- | --- | --- | --- |"
    if show_replacement:
        header += " change |"
        rule += " --- |"
    rows = [header, rule]
    for field in msgspec.structs.fields(model):
        if field.name in model.excluded:
            continue
        alias = field.encode_name
        row = (
            f"| `{alias}` | {type_text(field.type)} | {'yes' if field.required else 'no'} "
            f"| {default_text(field)} | {constraints_text(field)} |"
        )
        if show_replacement:
            row += f" {'replaces' if alias in replaced else 'in place'} |"
        rows.append(row)
    return "\n".join(rows)


def type_text(annotation: Any) -> str:
    """``string``, ``integer``, ``one of `A`, `B` ``, ``list of ...``, ``object [`Name`](#name)``."""
    origin = typing.get_origin(annotation)
    arguments = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_text(a) for a in arguments)
    if origin is Literal:
        return "one of " + ", ".join(f"`{value}`" for value in typing.get_args(annotation))
    if origin in (list, tuple, frozenset, set):
        items = [a for a in arguments if a is not Ellipsis]
        return "list of " + (type_text(items[0]) if items else "values")
    if origin is typing.Annotated:
        return type_text(arguments[0])
    if isinstance(annotation, type) and issubclass(annotation, PropertiesModel):
        return f"object [`{annotation.__name__}`](#{annotation.__name__.lower()})"
    if annotation in SCALARS:
        return SCALARS[annotation]
    return f"`{getattr(annotation, '__name__', annotation)}`"


def default_text(field: FieldInfo) -> str:
    if field.required or field.default is None or field.default is msgspec.NODEFAULT:
        return ""
    value = field.default
    if value == "":
        return '`""`'
    if value in ((), []):
        return "`[]`"
    return f"`{str(value).lower() if isinstance(value, bool) else value}`"


def constraints_text(field: FieldInfo) -> str:
    annotation = field.type
    arguments = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(arguments) == 1:
        annotation = arguments[0]
    if typing.get_origin(annotation) is not typing.Annotated:
        return ""
    base = typing.get_args(annotation)[0]
    unit = "items" if typing.get_origin(base) in (list, tuple, frozenset, set) else "characters"
    parts = []
    for meta in annotation.__metadata__:
        if not isinstance(meta, msgspec.Meta):
            continue
        for attribute, words in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if getattr(meta, attribute) is not None:
                parts.append(f"{words} {getattr(meta, attribute)}")
        if meta.min_length is not None:
            parts.append(f"at least {meta.min_length} {unit}")
        if meta.max_length is not None:
            parts.append(f"at most {meta.max_length} {unit}")
    return ", ".join(parts)
