"""Request parameters looked up case-insensitively, with the string-or-native coercions the docs imply.

JSON samples mix camelCase and PascalCase keys and send booleans and integers both natively and as
strings (assumptions C9 and C10 in docs/simulators.md), so every lookup lower-cases the key and every
typed accessor accepts both forms. Paths are dotted (``source.connectionString``); the name used in an
error message is the JSON spelling, or its PascalCase form when the request came as XML.
"""

from __future__ import annotations

from typing import Any

from simulators.cloudbasic.errors import ApiFault


def pascal(name: str) -> str:
    """``source.connectionString`` -> ``Source.ConnectionString``."""
    return ".".join(part[:1].upper() + part[1:] for part in name.split("."))


class Params:
    """A parsed request body: nested dicts whose keys are already lower-cased."""

    def __init__(self, data: dict[str, Any], *, xml: bool = False) -> None:
        self._data = data
        self.xml = xml

    def field_name(self, path: str) -> str:
        return pascal(path) if self.xml else path

    def raw(self, path: str) -> Any:
        node: Any = self._data
        for part in path.lower().split("."):
            if not isinstance(node, dict):
                return None
            node = node.get(part)
        return node

    def has(self, path: str) -> bool:
        value = self.raw(path)
        return value is not None and not (isinstance(value, str) and not value.strip())

    def text(self, path: str, default: str | None = None) -> str | None:
        value = self.raw(path)
        if value is None:
            return default
        if isinstance(value, dict | list):
            raise ApiFault(f"{self.field_name(path)} must be a string")
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def require(self, path: str) -> str:
        value = self.text(path)
        if value is None or not value.strip():
            raise ApiFault(f"{self.field_name(path)} is required")
        return value.strip()

    def flag(self, path: str, default: bool = False) -> bool:
        value = self.raw(path)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise ApiFault(f"{self.field_name(path)} must be true or false")

    def number(self, path: str, default: int | None = None, *, required: bool = False) -> int | None:
        value = self.raw(path)
        if value is None or value == "":
            if required:
                raise ApiFault(f"{self.field_name(path)} is required")
            return default
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value.strip())
        raise ApiFault(f"{self.field_name(path)} must be an integer")

    def scalars(self) -> dict[str, Any]:
        """Top-level scalar values (lower-cased keys), for settings kept as given."""
        return {k: v for k, v in self._data.items() if not isinstance(v, dict | list)}
