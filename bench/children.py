"""Fresh interpreters: run a child Python, read the one JSON line it prints last."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.machine import REPO


class ChildFailed(RuntimeError):
    """A child interpreter exited with an error (its stderr tail is in the message)."""


@dataclass(frozen=True)
class ChildResult:
    data: dict[str, Any]
    wall_seconds: float
    """Start to exit of the process, measured by the parent."""
    stderr: str = ""


def run_python(
    args: Sequence[str],
    *,
    python: str | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120.0,
    capture_stderr: bool = False,
) -> ChildResult:
    """Run ``python <args>`` (``sys.executable`` unless ``python`` is given) from the repository root; the
    last stdout line must be a JSON object."""
    child_env = dict(os.environ)
    child_env.pop("PYTHONPATH", None)
    child_env.update(env or {})
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603  # our own interpreter with our own arguments
        [python or sys.executable, *args],
        cwd=REPO,
        env=child_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-8:])
        raise ChildFailed(f"python {' '.join(args[:2])} exited {done.returncode}: {tail}")
    lines = done.stdout.strip().splitlines()
    data = json.loads(lines[-1]) if lines else {}
    if not isinstance(data, dict):
        raise ChildFailed("child did not print a JSON object last")
    return ChildResult(data, wall, done.stderr if capture_stderr else "")
