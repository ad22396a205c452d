"""The resource types a provider serves, by CloudFormation type name, each imported on first use."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Mapping
from typing import Any

from cbprovider.errors import ProviderError
from cbprovider.runtime.resource import ResourceType


class UnknownResourceType(ProviderError):
    """The request names a resource type this provider does not serve."""


class ResourceTypes:
    """``{"Custom::X": "pkg.module:XResource" or an instance}``; a string is imported (and instantiated
    without arguments) when a request for that type first arrives."""

    def __init__(self, declared: Mapping[str, str | ResourceType[Any]]) -> None:
        self._declared = dict(declared)
        self._loaded: dict[str, ResourceType[Any]] = {}
        self._lock = threading.Lock()

    @property
    def declared(self) -> dict[str, str | ResourceType[Any]]:
        """The type names served, each with its ``module:Class`` (or instance) as declared."""
        return dict(self._declared)

    def resolve(self, type_name: str) -> ResourceType[Any]:
        """The resource type serving ``type_name`` (``UnknownResourceType`` if none does)."""
        with self._lock:
            loaded = self._loaded.get(type_name)
            if loaded is not None:
                return loaded
            declared = self._declared.get(type_name)
            if declared is None:
                known = ", ".join(sorted(self._declared)) or "none"
                raise UnknownResourceType(f"this provider does not serve {type_name} (it serves {known})")
            if isinstance(declared, str):
                module_name, _, class_name = declared.partition(":")
                declared = getattr(importlib.import_module(module_name), class_name)()
                if not isinstance(declared, ResourceType):  # a wrong entry in the handler's map
                    raise TypeError(f"{module_name}:{class_name} is not a ResourceType")
            self._loaded[type_name] = declared
            return declared
