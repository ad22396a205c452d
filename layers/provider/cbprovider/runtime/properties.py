"""Typed resource properties: the base model every resource type's properties derive from.

CloudFormation sends every scalar as a string, so fields are validated in pydantic's lax mode
(``"5"`` -> 5, ``"true"`` -> True, numbers accepted where a string is declared). Fields are declared
in snake_case and read from their PascalCase alias (``api_url`` <- ``ApiUrl``); set ``alias=`` where the
generated name is wrong (``Field(alias="TDE")``). Nested objects must derive from ``PropertiesModel`` too,
so that they also refuse unknown names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_pascal

from cbprovider.errors import ProviderError


class ValidationFailed(ProviderError):
    """The resource's properties are wrong; the message names the property path."""


class PropertiesModel(BaseModel):
    """Base of every properties model: PascalCase names, unknown names refused, strings coerced."""

    model_config = ConfigDict(
        alias_generator=to_pascal,
        validate_by_alias=True,
        validate_by_name=False,
        extra="forbid",
        coerce_numbers_to_str=True,
        frozen=True,
    )

    retired_properties: ClassVar[Mapping[str, str]] = {}
    """Top-level names that were properties once: refused as unknown, with this text as the reason."""


class ResourceProperties(PropertiesModel):
    """Base of a resource's top-level properties: also accepts what CloudFormation itself adds.

    ``ServiceToken`` is accepted and ignored. ``ServiceTimeout`` (seconds) bounds how long a long
    operation may keep polling.
    """

    service_token: str | None = Field(default=None, exclude=True)
    service_timeout: int | None = Field(default=None, ge=1, exclude=True)


MAX_NESTING = 32
"""Properties nested deeper than this are refused before validation (no resource type needs more)."""


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
        return model.model_validate(dict(raw or {}))
    except ValidationError as error:
        raise ValidationFailed(
            f"Invalid {what}: {describe_errors(error, retired=model.retired_properties)}"
        ) from None
    except (RecursionError, MemoryError):
        raise ValidationFailed(f"Invalid {what}: too large or too deeply nested") from None


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


def describe_errors(error: ValidationError, *, retired: Mapping[str, str] | None = None) -> str:
    """``Source.Database: field required; Port: ...`` without echoing any input value."""
    parts = []
    for item in error.errors(include_url=False, include_input=False):
        path = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in item["loc"]) or "(root)"
        path = path.replace(".[", "[")
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = (retired or {}).get(path, "unknown property")
        parts.append(f"{path}: {message[:1].lower()}{message[1:]}")
    return "; ".join(parts)
