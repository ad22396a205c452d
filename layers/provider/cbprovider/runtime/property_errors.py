"""What is wrong with properties that failed to convert: every wrong property named, no value echoed.

msgspec stops at the first error, so a failed conversion is walked again field by field, and msgspec's
messages are put in the words the reasons have always used (``Source.Database: field required; Port:
input should be a valid integer``). Imported only when properties are wrong.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any

import msgspec

from cbprovider.runtime.properties import FieldInvalid, Path, PropertiesModel, union_members


def describe_errors(model: type[PropertiesModel], value: Any, error: msgspec.ValidationError) -> str:
    """``Source.Database: field required; Port: ...`` for ``value`` that failed as ``model`` with
    ``error``, without echoing any input value."""
    problems = _struct_problems(model, value, (), model.retired_properties)
    if not problems:  # not found again field by field: say what msgspec said
        problems = [_translate(error, model, ())]
    return "; ".join(f"{_dotted(path)}: {message}" for path, message in problems)


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
    members = union_members(base)
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
    rest = [m for m in union_members(base) if m is not type(None)]
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
