"""A package's public surface, imported on first use (PEP 562): one table, module -> the names it gives.

``import cbprovider.cloudbasic`` must cost next to nothing at cold start, so a package ``__init__`` does
not import its modules; it names them::

    if TYPE_CHECKING:  # what type checkers and IDEs read; nothing is imported at run time
        from cbprovider.capella.client import *  # noqa: F403
        from cbprovider.capella.models import *  # noqa: F403
    else:
        __all__, __getattr__, __dir__ = lazy_exports(
            __name__,
            {
                "cbprovider.capella.client": ("CapellaClient", "DEFAULT_URL"),
                "cbprovider.capella.models": ("Cluster", "Project"),
            },
        )

Each name is written once, in the table. The ``TYPE_CHECKING`` star imports name only modules: mypy
(``--strict``, where a plain import is not a re-export) treats star-imported names as the package's
own, so ``from cbprovider.capella import CapellaClient`` is typed, and as it does not see the
``__getattr__`` a name no module defines is an error. A public name of a listed module that the table
leaves out passes the type check but raises ``AttributeError`` at run time; a test resolves every name
of every table.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

Exports = tuple[list[str], Callable[[str], Any], Callable[[], list[str]]]
"""``__all__``, ``__getattr__`` and ``__dir__`` of a package."""


def lazy_exports(package: str, table: Mapping[str, Iterable[str]]) -> Exports:
    """``__all__``, ``__getattr__`` and ``__dir__`` for ``package`` exporting ``table``'s names lazily.

    The first access to a name imports its module and keeps the value in the package's namespace, so
    later accesses are plain attribute reads.
    """
    where = {name: module for module, names in table.items() for name in names}
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *where})

    return sorted(where), __getattr__, __dir__
