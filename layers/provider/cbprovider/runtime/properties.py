"""Typed resource properties: the base model every resource type's properties derive from.

Models are frozen ``msgspec`` structs. CloudFormation sends every scalar as a string, so properties are
converted in msgspec's lax mode (``"5"`` -> 5, ``"true"`` -> True), and numbers are accepted where a
string is declared. Fields are declared in snake_case and read from their PascalCase name
(``api_url`` <- ``ApiUrl``); set ``msgspec.field(name=...)`` where the generated name is wrong
(``TDE``). Nested objects must derive from ``PropertiesModel`` too, so that they also refuse unknown
names. Constraints are ``Annotated[int, Meta(ge=1)]``; a value check is ``Annotated[str, Check(f)]``
(``f`` returns the value to keep or raises ``ValueError``); a check across fields overrides
``validate``.

msgspec stops at the first error; a failed conversion is walked again field by field so that the
message names every wrong property (``Source.Database: field required; Port: input should be a valid
integer``), never echoing a value.
"""

from __future__ import annotations

import functools
import re
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


def describe_errors(model: type[PropertiesModel], value: Any, error: msgspec.ValidationError) -> str:
    """``Source.Database: field required; Port: ...`` for ``value`` that failed as ``model`` with
    ``error``, without echoing any input value."""
    problems = _struct_problems(model, value, (), model.retired_properties)
    if not problems:  # not found again field by field: say what msgspec said
        problems = [_translate(error, model, ())]
    return "; ".join(f"{_dotted(path)}: {message}" for path, message in problems)


@functools.cache
def _checks(model: type[PropertiesModel]) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """The ``Check`` of each field that has one (``Annotated`` directly or inside ``X | None``)."""
    found: list[tuple[str, Callable[[Any], Any]]] = []
    for field in msgspec.structs.fields(model):
        for part in (field.type, *_union_members(field.type)):
            if typing.get_origin(part) is Annotated:
                found.extend((field.name, m.function) for m in part.__metadata__ if isinstance(m, Check))
    return tuple(found)


def _union_members(tp: Any) -> tuple[Any, ...]:
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


def _struct_problems(
    model: type[PropertiesModel], value: Mapping[Any, Any], path: Path, retired: Mapping[str, str]
) -> list[tuple[Path, str]]:
    problems: list[tuple[Path, str]] = []
    fields = msgspec.structs.fields(model)
    for field in fields:
        if field.encode_name in value:
            problems += _problems(field.type, value[field.encode_name], (*path, field.encode_name))
        elif field.required:
            problems.append(((*path, field.encode_name), "field required"))
    if model.__struct_config__.forbid_unknown_fields:
        known = {field.encode_name for field in fields}
        problems += [
            ((*path, str(key)), retired.get(str(key), "unknown property"))
            for key in value
            if key not in known
        ]
    return problems


def _problems(tp: Any, value: Any, path: Path) -> list[tuple[Path, str]]:
    """What is wrong with ``value`` as ``tp``: the parts first, then the whole (its own constraints and
    checks)."""
    base = typing.get_args(tp)[0] if typing.get_origin(tp) is Annotated else tp
    members = _union_members(base)
    if members:
        if value is None and type(None) in members:
            return []
        rest = [m for m in members if m is not type(None)]
        if len(rest) == 1:
            return _problems(rest[0], value, path)
    elif isinstance(base, type) and issubclass(base, PropertiesModel) and isinstance(value, Mapping):
        problems = _struct_problems(base, value, path, {})
        if problems:
            return problems
    elif typing.get_origin(base) in (list, tuple) and isinstance(value, list):
        item = typing.get_args(base)[0]
        problems = [p for i, v in enumerate(value) for p in _problems(item, v, (*path, i))]
        if problems:
            return problems
    try:
        msgspec.convert(value, tp, strict=False)
    except msgspec.ValidationError as error:
        return [_translate(error, tp, path)]
    return []


_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_EXPECTED = {
    "int": "a valid integer",
    "bool": "a valid boolean",
    "str": "a valid string",
    "float": "a valid number",
    "array": "a valid list",
    "object": "a valid object",
    "null": "None",
}
_BOUNDS = {
    ">=": "greater than or equal to",
    "<=": "less than or equal to",
    ">": "greater than",
    "<": "less than",
}
_MESSAGES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(r"Expected `(\w+)`, got `\w+`"),
        lambda m: f"input should be {_EXPECTED.get(m[1], 'a valid ' + m[1])}",
    ),
    (
        re.compile(r"Expected `(?:int|float)` (>=|<=|>|<) (\S+)"),
        lambda m: f"input should be {_BOUNDS[m[1]]} {m[2]}",
    ),
    (
        re.compile(r"Expected `str` of length (>=|<=) (\d+)"),
        lambda m: f"string should have at {'least' if m[1] == '>=' else 'most'} {m[2]} characters",
    ),
    (
        re.compile(r"Expected `array` of length (>=|<=) (\d+)"),
        lambda m: f"list should have at {'least' if m[1] == '>=' else 'most'} {m[2]} items",
    ),
    (re.compile(r"Expected `str` matching regex (.*)"), lambda m: f"string should match pattern {m[1]}"),
    (re.compile(r"Object missing required field `.*`"), lambda m: "field required"),
    (re.compile(r"Object contains unknown field `.*`"), lambda m: "unknown property"),
)


def _translate(error: msgspec.ValidationError, tp: Any, path: Path) -> tuple[Path, str]:
    """msgspec's message in the words the properties' reasons use; never the value itself."""
    cause = error.__cause__
    if isinstance(cause, FieldInvalid):
        names = {f.name: f.encode_name for f in msgspec.structs.fields(_struct_of(tp))}
        return (*path, names.get(cause.name, cause.name)), f"value error, {cause}"
    if isinstance(cause, ValueError):
        return path, f"value error, {cause}"
    text = str(error)
    at = _AT.search(text)
    if at is not None:
        text = text[: at.start()]
        path = (*path, *_parse_path(at["path"]))
    missing = re.fullmatch(r"Object (missing required|contains unknown) field `(.*)`", text)
    if missing is not None:
        path = (*path, missing[2])
    if text.startswith("Invalid enum value"):
        return path, f"input should be {_choices(tp)}"
    for pattern, words in _MESSAGES:
        match = pattern.match(text)
        if match is not None:
            return path, words(match)
    return path, "input is not valid here"


def _struct_of(tp: Any) -> Any:
    base = typing.get_args(tp)[0] if typing.get_origin(tp) is Annotated else tp
    rest = [m for m in _union_members(base) if m is not type(None)]
    return rest[0] if len(rest) == 1 else base


def _choices(tp: Any) -> str:
    """``'Monday', 'Tuesday' or 'Sunday'``: the literal values ``tp`` allows."""
    literal = _struct_of(tp)
    allowed = (
        [repr(v) for v in typing.get_args(literal)] if typing.get_origin(literal) is typing.Literal else []
    )
    if not allowed:
        return "one of the allowed values"
    return allowed[0] if len(allowed) == 1 else f"{', '.join(allowed[:-1])} or {allowed[-1]}"


def _parse_path(text: str) -> Path:
    """``.Servers[0].Name`` -> ``("Servers", 0, "Name")``."""
    return tuple(int(index) if index else name for name, index in re.findall(r"\.([^.\[]+)|\[(\d+)\]", text))


def _dotted(path: Path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".") or "(root)"
