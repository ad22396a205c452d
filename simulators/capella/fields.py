"""Typed reads of JSON request fields that fail with a 422 naming the field's path."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from simulators.capella.problems import invalid


def obj(data: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        raise invalid(path, "is required")
    if not isinstance(value, dict):
        raise invalid(path, "must be an object")
    return value


def optional_obj(data: dict[str, Any], key: str, path: str) -> dict[str, Any] | None:
    if data.get(key) is None:
        return None
    return obj(data, key, path)


def text(data: dict[str, Any], key: str, path: str, *, min_len: int = 1, max_len: int = 1024) -> str:
    value = data.get(key)
    if value is None:
        raise invalid(path, "is required")
    if not isinstance(value, str):
        raise invalid(path, "must be a string")
    if not min_len <= len(value) <= max_len:
        raise invalid(path, f"must be {min_len} to {max_len} characters long")
    return value


def optional_text(
    data: dict[str, Any], key: str, path: str, *, min_len: int = 0, max_len: int = 1024
) -> str | None:
    if data.get(key) is None:
        return None
    return text(data, key, path, min_len=min_len, max_len=max_len)


def choice(data: dict[str, Any], key: str, path: str, allowed: Collection[str]) -> str:
    value = data.get(key)
    if not isinstance(value, str) or value not in allowed:
        options = ", ".join(sorted(allowed))
        shown = "missing" if value is None else repr(value)
        raise invalid(path, f"must be one of {options} (got {shown})")
    return value


def optional_choice(data: dict[str, Any], key: str, path: str, allowed: Collection[str]) -> str | None:
    if data.get(key) is None:
        return None
    return choice(data, key, path, allowed)


def integer(data: dict[str, Any], key: str, path: str, low: int, high: int) -> int:
    value = data.get(key)
    if value is None:
        raise invalid(path, "is required")
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(path, "must be an integer")
    if not low <= value <= high:
        raise invalid(path, f"must be between {low} and {high} (got {value})")
    return value


def boolean(data: dict[str, Any], key: str, path: str) -> bool:
    value = data.get(key)
    if not isinstance(value, bool):
        raise invalid(path, "is required and must be true or false")
    return value


def array(data: dict[str, Any], key: str, path: str, *, min_items: int = 1) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise invalid(path, "is required and must be an array")
    if len(value) < min_items:
        raise invalid(path, f"must have at least {min_items} item(s)")
    return value


def uuid_text(value: str, path: str) -> str:
    try:
        uuid.UUID(value)
    except ValueError:
        raise invalid(path, f"must be a UUID (got {value!r})") from None
    return value
