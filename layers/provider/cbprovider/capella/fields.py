"""Tolerant reads of JSON fields shared by the Capella v3 and v4 models.

Each helper returns a default for a missing or mistyped optional field; ``required`` and ``obj`` raise
``ModelError``, which the clients turn into a ``ResponseFormatError`` naming the operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ModelError(ValueError):
    """A JSON value does not have the shape of the model it should describe."""


def obj(data: object, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ModelError(f"{what} is not a JSON object")
    return data


def required(data: Mapping[str, Any], key: str, what: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ModelError(f"{what} has no {key!r} string")
    return value


def text(data: Mapping[str, Any], key: str, default: str = "") -> str:
    value = data.get(key)
    return value if isinstance(value, str) else default


def optional_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def integer(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def mapping(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def array(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def strings(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))
