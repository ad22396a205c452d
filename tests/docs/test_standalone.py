"""The repository stands alone: no file points at design notes or references that live outside it.

The decisions the code relies on are in ``docs/`` (``docs/simulators.md`` for what the simulators assume
where the vendors' documentation is silent); a docstring that cites "open question 8" or a path outside the
repository sends the next reader nowhere.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = re.compile(
    r"/work/shared|\.\./shared/|DESIGN\.md|open questions? \d|reference/(?:cloudbasic|couchbase)"
)
TEXT = (".py", ".md", ".yaml", ".yml", ".toml", ".txt", ".json", ".cfg", ".ini")


def _tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [ROOT / name for name in listed.stdout.splitlines() if name.endswith(TEXT)]


def test_no_file_points_outside_the_repository() -> None:
    this = Path(__file__).resolve()
    found = []
    for path in _tracked_files():
        if path.resolve() == this or not path.is_file():
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert not found, "\n".join(found)


def test_the_simulator_assumptions_cited_by_the_code_are_documented() -> None:
    documented = set(re.findall(r"^\| ([CP]\d+) \|", (ROOT / "docs" / "simulators.md").read_text(), re.M))
    cited: set[str] = set()
    for path in (ROOT / "simulators").rglob("*.py"):
        text = path.read_text()
        for first, joint, last in re.findall(r"(?:assumptions? |\()([CP]\d+)(?:(-| and )([CP]\d+))?\b", text):
            if joint == "-":
                kind, start, end = first[0], int(first[1:]), int(last[1:])
                cited |= {f"{kind}{n}" for n in range(start, end + 1)}
            else:
                cited |= {first, last} - {""}
    missing = sorted(name for name in cited if name not in documented)
    assert documented
    assert not missing, missing
