"""The packages' public surfaces (``cbprovider.lazy``): every listed name resolves, and importing a
package imports none of the modules its names come from."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

LAYER = Path(__file__).resolve().parents[1] / "layers" / "provider"
PACKAGES = [
    "cbprovider.capella",
    "cbprovider.capella.v4",
    "cbprovider.cloudbasic",
    "cbprovider.runtime",
    "cbprovider.secrets",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_every_exported_name_resolves_and_is_listed(name):
    package = importlib.import_module(name)
    assert package.__all__, name
    for exported in package.__all__:
        assert getattr(package, exported) is not None, exported
        assert exported in dir(package)
    with pytest.raises(AttributeError, match="has no attribute 'not_exported'"):
        _ = package.not_exported


@pytest.mark.parametrize("name", PACKAGES)
def test_importing_a_package_imports_none_of_its_modules(name):
    code = (
        "import sys\n"
        f"import {name} as package\n"
        "loaded = [m for m in sys.modules if m.startswith(package.__name__ + '.')]\n"
        "print(','.join(sorted(loaded)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=LAYER)
    assert out.stdout.strip() == ""
