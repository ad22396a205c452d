"""The handlers' import cost: nothing from tests, simulators or moto, no boto3 (only the DNS step needs
it, imported then), and not the custom-resource runtime (property models, idempotency). msgspec is
allowed: the handlers' typed records are msgspec Structs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

LAYER = Path(__file__).resolve().parents[2] / "layers" / "provider"
FORBIDDEN = ("moto", "pytest", "simulators", "tests", "boto3", "pydantic")


@pytest.mark.parametrize("module", ["lambda_monitor", "lambda_promote", "lambda_dispatch", "lambda_worker"])
def test_handlers_import_only_what_they_need(module):
    code = (
        "import sys\n"
        f"import cbprovider.automation.{module}\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
        "bad += [m for m in sys.modules if m.startswith('cbprovider.runtime')]\n"
        "print(','.join(sorted(bad)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=LAYER)
    assert out.stdout.strip() == ""
