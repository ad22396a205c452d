"""The distribution as a user gets it: an sdist and a wheel built from it (in a temporary copy, without
network), checked by twine, holding the typed client library and nothing of the repository's tools."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import cbprovider
import pytest
from packaging.requirements import Requirement

from tests.template.cfn import ROOT

pytestmark = pytest.mark.packaging

SOURCES = ["pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "layers/provider/cbprovider"]
RUNTIME = {"urllib3", "msgspec", "defusedxml"}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    # sdist first, then the wheel from the sdist (what a user's pip does with the sdist).
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out


def _wheel(dist: Path) -> zipfile.ZipFile:
    (wheel,) = dist.glob("*.whl")
    return zipfile.ZipFile(wheel)


def test_wheel_holds_the_typed_library_and_nothing_else(dist):
    names = _wheel(dist).namelist()
    top = {name.split("/")[0] for name in names}
    version = cbprovider.__version__
    assert top == {"cbprovider", f"cfn_replication_provider-{version}.dist-info"}
    assert "cbprovider/py.typed" in names
    assert f"cfn_replication_provider-{version}.dist-info/licenses/LICENSE" in names
    source = {
        p.relative_to(ROOT / "layers/provider").as_posix()
        for p in (ROOT / "layers/provider/cbprovider").rglob("*.py")
    }
    assert source == {n for n in names if n.endswith(".py")}


def test_sdist_leaves_out_tests_simulators_and_tools(dist):
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = [name.split("/", 1)[1] for name in archive.getnames() if "/" in name]
    assert not [n for n in names if n.split("/")[0] in {"tests", "simulators", "cbctl", "functions"}]
    assert "layers/provider/cbprovider/py.typed" in names


def test_metadata_declares_ranges_and_boto3_as_an_extra(dist):
    with _wheel(dist) as wheel:
        metadata_name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(wheel.read(metadata_name).decode())
    assert metadata["Version"] == cbprovider.__version__
    assert metadata["License-Expression"] == "Apache-2.0"
    requirements = [Requirement(r) for r in metadata.get_all("Requires-Dist") or []]
    runtime = {r.name: r for r in requirements if r.marker is None}
    assert set(runtime) == RUNTIME
    for requirement in runtime.values():
        operators = {s.operator for s in requirement.specifier}
        assert operators == {">=", "<"}, requirement
    aws = [r for r in requirements if r.marker is not None and r.marker.evaluate({"extra": "aws"})]
    assert [r.name for r in aws] == ["boto3"]
    assert {s.operator for s in aws[0].specifier} == {">=", "<"}
    assert "boto3" not in runtime


def test_twine_accepts_both_files(dist):
    files = sorted(str(p) for p in dist.iterdir())
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *files],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
