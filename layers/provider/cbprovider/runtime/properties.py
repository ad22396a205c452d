"""Typed resource properties: the base model every resource type's properties derive from.

Models are frozen ``msgspec`` structs. CloudFormation sends every scalar as a string, so properties are
converted in msgspec's lax mode (``"5"`` -> 5, ``"true"`` -> True), and numbers are accepted where a
string is declared. Fields are declared in snake_case and read from their PascalCase name
(``api_url`` <- ``ApiUrl``); set ``msgspec.field(name=...)`` where the generated name is wrong
(``TDE``). Nested objects must derive from ``PropertiesModel`` too, so that they also refuse unknown
names. Constraints are ``Annotated[int, Meta(ge=1)]``; a value check is ``Annotated[str, Check(f)]``
(``f`` returns the value to keep or raises ``ValueError``); a check across fields overrides
``validate``.

msgspec stops at the first error; ``property_errors`` walks a failed conversion again field by field so
that the message names every wrong property, never echoing a value.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any, ClassVar

import msgspec
from msgspec import Meta

from cbprovider.errors import ProviderError

Path = tuple[str | int, ...]


class ValidationFailed(ProviderError):
    """The resource's properties are wrong; the message names the property path."""


class Check:
    """``Annotated`` metadata: ``function(value)`` returns the value to keep or raises ``ValueError``.

    Applied after conversion, to a value that is not ``None``.
    """

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function


class FieldInvalid(ValueError):
    """A ``Check`` of field ``name`` (snake_case) refused its value."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


class _KeywordOnly(msgspec.StructMeta):
    """Every model's fields are keyword-only, so that a subclass may add required fields after optional
    ones (msgspec does not inherit ``kw_only``; ``frozen`` and the rest it does)."""

    def __new__(mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> Any:
        kwargs.setdefault("kw_only", True)
        return super().__new__(mcls, name, bases, namespace, **kwargs)


@typing.dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(msgspec.field,))
class PropertiesModel(
    msgspec.Struct,
    metaclass=_KeywordOnly,
    frozen=True,
    kw_only=True,
    forbid_unknown_fields=True,
    rename="pascal",
):
    """Base of every properties model: PascalCase names, unknown names refused, strings coerced."""

    retired_properties: ClassVar[Mapping[str, str]] = {}
    """Top-level names that were properties once: refused as unknown, with this text as the reason."""
    excluded: ClassVar[frozenset[str]] = frozenset()
    """Fields that are not the object's own settings (left out of ``values``)."""

    def __post_init__(self) -> None:
        for name, check in _checks(type(self)):
            value = getattr(self, name)
            if value is None:
                continue
            try:
                kept = check(value)
            except ValueError as error:
                raise FieldInvalid(name, str(error)) from None
            if kept is not value:
                msgspec.structs.force_setattr(self, name, kept)
        self.validate()

    def validate(self) -> None:
        """Checks across fields, run after each field's own: raise ``ValueError`` naming the problem."""


class ResourceProperties(PropertiesModel):
    """Base of a resource's top-level properties: also accepts what CloudFormation itself adds.

    ``ServiceToken`` is accepted and ignored. ``ServiceTimeout`` (seconds) bounds how long a long
    operation may keep polling.
    """

    excluded: ClassVar[frozenset[str]] = frozenset({"service_token", "service_timeout"})

    service_token: str | None = None
    service_timeout: Annotated[int, Meta(ge=1)] | None = None


MAX_NESTING = 32
"""Properties nested deeper than this are refused before validation (no resource type needs more)."""
UNKNOWN = "unknown_properties"
"""Where a model that keeps unknown names (``forbid_unknown_fields=False, dict=True``) finds them."""


def parse_properties[M: PropertiesModel](
    model: type[M], raw: Mapping[str, Any] | None, *, what: str = "Properties"
) -> M:
    """``raw`` validated as ``model``; a ``ValidationFailed`` naming each wrong property otherwise."""
    path = too_deep(raw or {}, MAX_NESTING)
    if path is not None:
        raise ValidationFailed(
            f"Invalid {what}: {path or '(root)'}: nested more than {MAX_NESTING} levels deep"
        )
    try:
        value = _numbers_as_text(dict(raw or {}))
        try:
            props = msgspec.convert(value, model, strict=False)
        except msgspec.ValidationError as error:
            from cbprovider.runtime.property_errors import describe_errors  # only when they are wrong

            problems = describe_errors(model, value, error)
            raise ValidationFailed(f"Invalid {what}: {problems}") from None
    except (RecursionError, MemoryError):
        raise ValidationFailed(f"Invalid {what}: too large or too deeply nested") from None
    if not model.__struct_config__.forbid_unknown_fields:
        known = {field.encode_name for field in msgspec.structs.fields(model)}
        props.__dict__[UNKNOWN] = {k: v for k, v in (raw or {}).items() if k not in known}
    return props


def unknown_properties(props: PropertiesModel) -> dict[str, Any]:
    """The names a model that keeps unknown names did not declare, with their values as sent."""
    return dict(getattr(props, "__dict__", {}).get(UNKNOWN, {}))


def values(props: PropertiesModel, *, by_name: bool = False) -> dict[str, Any]:
    """The fields and their values (nested models as they are), without the ``excluded`` ones; keyed by
    the PascalCase property names with ``by_name``."""
    return {
        field.encode_name if by_name else field.name: getattr(props, field.name)
        for field in msgspec.structs.fields(props)
        if field.name not in props.excluded
    }


def property_names(model: type[PropertiesModel]) -> set[str]:
    """The PascalCase names ``model`` accepts at the top level."""
    return {field.encode_name for field in msgspec.structs.fields(model)}


def too_deep(value: Any, limit: int) -> str | None:
    """The path of the first property nested deeper than ``limit`` levels, or ``None``; iterative, so a
    hostile value thousands of levels deep cannot exhaust the stack."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if depth > limit:
            return path.split(".")[0][:100]
        if isinstance(item, Mapping):
            stack.extend((v, f"{path}.{k}" if path else str(k), depth + 1) for k, v in item.items())
        elif isinstance(item, list | tuple):
            stack.extend((v, path, depth + 1) for v in item)
    return None


@functools.cache
def _checks(model: type[PropertiesModel]) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """The ``Check`` of each field that has one (``Annotated`` directly or inside ``X | None``)."""
    found: list[tuple[str, Callable[[Any], Any]]] = []
    for field in msgspec.structs.fields(model):
        for part in (field.type, *union_members(field.type)):
            if typing.get_origin(part) is Annotated:
                found.extend((field.name, m.function) for m in part.__metadata__ if isinstance(m, Check))
    return tuple(found)


def union_members(tp: Any) -> tuple[Any, ...]:
    return typing.get_args(tp) if typing.get_origin(tp) in (typing.Union, types.UnionType) else ()


def _numbers_as_text(value: Any) -> Any:
    """Numbers written as text (lax conversion turns text back into numbers where one is declared)."""
    if isinstance(value, Mapping):
        return {k: _numbers_as_text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_numbers_as_text(v) for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return str(value)
        except ValueError:  # an integer too long to write out: refused as it is
            return value
    return value
