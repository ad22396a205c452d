"""Rules of the house that code review alone would let slip."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import cbprovider


def _project_classes() -> list[type]:
    classes = []
    for info in pkgutil.walk_packages(cbprovider.__path__, "cbprovider."):
        module = importlib.import_module(info.name)
        classes += [
            c for c in vars(module).values() if inspect.isclass(c) and c.__module__ == module.__name__
        ]
    return classes


def test_no_class_overrides_a_private_method_of_a_third_party_class():
    """A subclass that overrides another library's private method breaks silently when that library
    changes it; hook into public methods (or compose) instead."""
    overrides = []
    for cls in _project_classes():
        for name, value in vars(cls).items():
            if not name.startswith("_") or name.startswith("__") or not inspect.isfunction(value):
                continue
            if not value.__qualname__.startswith(cls.__qualname__ + "."):
                continue  # put there by a metaclass (enum), not written in the class
            for base in cls.__mro__[1:]:
                if base.__module__.split(".")[0] not in ("cbprovider", "builtins") and name in vars(base):
                    overrides.append(f"{cls.__module__}.{cls.__qualname__}.{name} over {base.__module__}")
    assert not overrides
