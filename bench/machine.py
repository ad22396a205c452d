"""The machine the numbers come from, for the "how to reproduce" section."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
"""The repository root (``bench/machine.py`` -> ``.``)."""


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def load() -> str:
    """The 1/5/15-minute load averages and the core count, e.g. ``8.1 / 7.9 / 6.2 on 2 cores``."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores"


def describe() -> list[str]:
    """Lines describing this machine and interpreter."""
    return [
        f"CPU: {cpu_model()}, {os.cpu_count()} logical cores",
        f"OS: {platform.system()} {platform.release()} ({platform.machine()})",
        f"Python: {platform.python_implementation()} {platform.python_version()} ({sys.executable})",
    ]
