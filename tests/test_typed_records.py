"""Typed records are msgspec Structs: the layer and the handlers define no dataclass.

Creating a frozen dataclass class costs about 1.5 ms of CPU on Python 3.13, a ``msgspec.Struct`` class
about 0.04 ms, and every record class of a module is created when a cold start imports it. So a record is
a Struct (``hidden_repr.repr_hiding`` keeps a secret-bearing field out of its ``repr``; copies with a
changed field are ``msgspec.structs.replace``), and nothing in the layer or the functions imports
``dataclasses`` at all.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (ROOT / "layers" / "provider" / "cbprovider", ROOT / "functions")


def _python_files() -> list[Path]:
    return sorted(path for folder in SOURCES for path in folder.rglob("*.py"))


def dataclass_uses(source: str) -> list[str]:
    """Each import of ``dataclasses`` in ``source`` (the module, or a name from it), by line."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names if a.name == "dataclasses"]
        elif isinstance(node, ast.ImportFrom) and node.module == "dataclasses":
            found.append(f"{node.lineno}: from dataclasses import {', '.join(a.name for a in node.names)}")
    return found


def test_the_check_sees_a_dataclass() -> None:
    source = (
        "from dataclasses import dataclass, field\nimport dataclasses\n\n@dataclass\nclass A:\n    x: int\n"
    )
    assert dataclass_uses(source) == ["1: from dataclasses import dataclass, field", "2: import dataclasses"]
    assert dataclass_uses("import msgspec\n\nclass A(msgspec.Struct, frozen=True):\n    x: int\n") == []


def test_typed_records_are_msgspec_structs() -> None:
    files = _python_files()
    assert len(files) > 100, "the layer and the functions are where this test looks"
    found = {
        str(path.relative_to(ROOT)): uses
        for path in files
        if (uses := dataclass_uses(path.read_text(encoding="utf-8")))
    }
    assert found == {}, (
        "typed records are msgspec Structs (msgspec.Struct, msgspec.field, msgspec.structs.replace; "
        "hidden_repr.repr_hiding for fields kept out of repr), not dataclasses"
    )
