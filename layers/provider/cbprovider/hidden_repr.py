"""A ``repr`` for typed records (msgspec Structs) that leaves secret-bearing fields out.

Typed records are ``msgspec.Struct`` classes: creating one costs a small fraction of a dataclass's class
creation, which dominated the layer's import time on a cold start. Structs have no per-field ``repr=False``,
so a record holding a password, a private key or a raw API answer assigns ``__repr__ = repr_hiding(...)``
naming those fields; the rest read as in the default ``repr``.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec


def repr_hiding(*hidden: str) -> Callable[[msgspec.Struct], str]:
    """A ``__repr__`` showing every field but ``hidden``, like msgspec's own: ``Name(field=value, ...)``."""
    left_out = frozenset(hidden)

    def __repr__(self: msgspec.Struct) -> str:
        shown = ", ".join(
            f"{name}={getattr(self, name)!r}" for name in self.__struct_fields__ if name not in left_out
        )
        return f"{type(self).__name__}({shown})"

    return __repr__
