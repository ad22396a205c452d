"""The path a call takes through the project's files, recorded with ``sys.setprofile``.

``CallPath`` keeps, for the thread that records, a stack with the project file of each Python frame
(``None`` for frames outside the project: the standard library, boto3, the simulators) and notes:

- every call from one project file into another (``edges``), and the order in which files are first
  entered (``files``);
- every *re-entry*: a call from file X into file Y while Y already has a frame lower on the stack, i.e.
  the flow comes back into a file it had called out of (a callback, or a cycle between modules).

Only the recording thread is seen (the path of a request runs on the handler's thread; the backstop's
timer thread does nothing unless the invocation runs out of time).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PROJECT = (ROOT / "layers" / "provider" / "cbprovider", ROOT / "functions")


@dataclass(frozen=True)
class ReEntry:
    """A call from ``caller`` (in ``function``) back into ``callee`` (its ``target``), which was active."""

    caller: str
    function: str
    callee: str
    target: str

    def __str__(self) -> str:
        return f"{self.caller}:{self.function} -> {self.callee}:{self.target}"


@dataclass
class CallPath:
    """What one recording saw (see the module docstring)."""

    files: list[str] = field(default_factory=list)
    edges: set[tuple[str, str]] = field(default_factory=set)
    re_entries: list[ReEntry] = field(default_factory=list)
    _stack: list[tuple[str | None, str]] = field(default_factory=list)
    _names: dict[str, str | None] = field(default_factory=dict)

    @contextmanager
    def recording(self) -> Iterator[CallPath]:
        previous = sys.getprofile()
        sys.setprofile(self._event)
        try:
            yield self
        finally:
            sys.setprofile(previous)

    def _project_file(self, filename: str) -> str | None:
        known = self._names.get(filename, "")
        if known != "":
            return known
        path = Path(filename).resolve()
        name = next(
            (str(path.relative_to(ROOT)) for base in PROJECT if path.is_relative_to(base)),
            None,
        )
        self._names[filename] = name
        return name

    def _event(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "return":
            if self._stack:
                self._stack.pop()
            return
        if event != "call":
            return  # calls of C functions: no frame of their own
        callee = self._project_file(frame.f_code.co_filename)
        function = frame.f_code.co_qualname
        if callee is not None:
            caller = next(((f, n) for f, n in reversed(self._stack) if f is not None), None)
            if caller is not None and caller[0] != callee:
                assert caller[0] is not None
                self.edges.add((caller[0], callee))
                if any(f == callee for f, _ in self._stack):
                    self.re_entries.append(ReEntry(caller[0], caller[1], callee, function))
            if callee not in self.files:
                self.files.append(callee)
        self._stack.append((callee, function))

    def calls_from_leaves(self, stages: frozenset[str]) -> list[tuple[str, str]]:
        """Calls from a leaf into a stage file (a leaf calls only other leaves)."""
        return sorted((a, b) for a, b in self.edges if a not in stages and b in stages)


def module_summary(relative: str) -> str:
    """The first line of a module's docstring (what the module is for)."""
    import ast

    doc = ast.get_docstring(ast.parse((ROOT / relative).read_text())) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""
