"""The layer as the deploy builds it, the Lambda runtime's own packages, and the template's Python.

``build(work, arch)`` runs ``layers/provider/Makefile``'s ``build-ProviderLayer`` (what ``sam build`` runs,
``BuildMethod: makefile``) into ``work``. ``runtime_site`` installs what the Lambda Python runtime brings
(boto3, botocore and their urllib3, at the version pinned in ``pyproject.toml``) with bytecode, as the
runtime ships it. ``deployed`` puts both in a read-only copy, as ``/opt`` is in Lambda. ``interpreter``
finds the Python of the template's ``Runtime``; when this machine has none, the bench says so and uses
its own.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.machine import REPO

LAYER_SOURCE = REPO / "layers" / "provider"
TEMPLATE = REPO / "template.yaml"
PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}


class LayerNotBuilt(RuntimeError):
    """The layer's makefile or the runtime's packages could not be installed (no package index?)."""


@dataclass(frozen=True)
class Interpreter:
    path: str
    version: str
    """``major.minor`` of ``path``."""
    wanted: str
    """``major.minor`` of the template's ``Runtime``."""

    @property
    def exact(self) -> bool:
        return self.version == self.wanted

    def describe(self) -> str:
        if self.exact:
            return f"Python {self.version} (the template's `python{self.wanted}`)"
        return (
            f"Python {self.version}: the template's `python{self.wanted}` is not installed on this machine, "
            "so these figures are NOT on the deployed Python version"
        )


def template_runtime() -> tuple[str, str]:
    """(``major.minor``, architecture) of the functions in ``template.yaml``'s Globals."""
    text = TEMPLATE.read_text()
    runtime = re.search(r"^    Runtime: python(\d+\.\d+)$", text, re.MULTILINE)
    arch = re.search(r"^    Architectures: \[(\w+)\]$", text, re.MULTILINE)
    if runtime is None or arch is None:
        raise LayerNotBuilt("template.yaml's Globals name no python Runtime or Architectures")
    return runtime.group(1), arch.group(1)


def _version_of(path: str) -> str | None:
    try:
        done = subprocess.run(  # noqa: S603  # a local interpreter asked for its version
            [path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def interpreter(wanted: str | None = None) -> Interpreter:
    """The template's Python if installed (pyenv's versions first, then ``pythonX.Y`` on PATH), else ours."""
    wanted = wanted or template_runtime()[0]
    candidates = sorted(Path.home().glob(f".pyenv/versions/{wanted}.*/bin/python{wanted}"), reverse=True)
    found = shutil.which(f"python{wanted}")
    paths = [str(p) for p in candidates] + ([found] if found else [])
    for path in paths:
        if _version_of(path) == wanted:
            return Interpreter(path, wanted, wanted)
    own = f"{sys.version_info.major}.{sys.version_info.minor}"
    return Interpreter(sys.executable, own, wanted)


def build(work: Path, *, arch: str, python: Interpreter) -> Path:
    """``make build-ProviderLayer`` into ``work``; returns the layer root (holding ``python/``)."""
    command = [
        "make",
        "--no-print-directory",
        "-C",
        str(LAYER_SOURCE),
        "build-ProviderLayer",
        f"ARTIFACTS_DIR={work}",
        f"LAMBDA_ARCH={arch}",
        f"LAMBDA_PYTHON={python.version}",
        f"COMPILE_PYTHON={python.path}",
        f"PIP_PYTHON={sys.executable}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)  # noqa: S603
    if done.returncode != 0:
        raise LayerNotBuilt(f"make build-ProviderLayer ({arch}) failed: {done.stderr.strip()[-400:]}")
    return work


CRHELPER_BASELINE = "crhelper==2.0.12"
"""The baseline of the cold-start figures (the product no longer depends on it; the bench installs it)."""


def boto3_pin() -> str:
    """boto3 at the version the tests pin (constraints.txt), as the Lambda runtime would bring it."""
    match = re.search(r"^(boto3==\S+)", (REPO / "constraints.txt").read_text(), flags=re.MULTILINE)
    return match.group(1) if match else "boto3"


def runtime_site(work: Path, *, arch: str, python: Interpreter) -> Path:
    """boto3 and what it needs, with bytecode: the packages the Lambda Python runtime brings (plus crhelper,
    the cold-start baseline)."""
    site = work / "runtime"
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    command += ["--no-compile", "--target", str(site), "--only-binary=:all:", "--implementation", "cp"]
    command += ["--platform", PLATFORMS[arch], "--python-version", python.version, boto3_pin()]
    command += [CRHELPER_BASELINE]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603
    if done.returncode != 0:
        raise LayerNotBuilt(f"pip could not install {boto3_pin()}: {done.stderr.strip()[-300:]}")
    compiled = subprocess.run(  # noqa: S603
        [
            python.path,
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            str(site),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if compiled.returncode != 0:
        raise LayerNotBuilt(f"compileall failed on the runtime packages: {compiled.stderr[-300:]}")
    return site


def read_only(root: Path) -> None:
    """Take every write bit away, as Lambda mounts ``/opt`` and ``/var/runtime`` read-only."""
    for path in [root, *root.rglob("*")]:
        mode = path.stat(follow_symlinks=False).st_mode
        if not stat.S_ISLNK(mode):
            path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def writable(root: Path) -> None:
    """Give the write bits back so that a temporary directory can be removed."""
    for path in [root, *root.rglob("*")]:
        mode = path.stat(follow_symlinks=False).st_mode
        if not stat.S_ISLNK(mode):
            path.chmod(mode | stat.S_IWUSR)


@dataclass(frozen=True)
class Deployed:
    """A built layer and runtime packages, read-only, and the interpreter that runs them."""

    opt_python: Path
    runtime: Path
    python: Interpreter
    arch: str

    def path_for(self, function: str | None) -> list[str]:
        """``sys.path`` entries in Lambda's order: the function, ``/opt/python``, the runtime's packages."""
        head = [str(REPO / "functions" / function)] if function else []
        return [*head, str(self.opt_python), str(self.runtime)]

    @staticmethod
    def environment() -> dict[str, str]:
        return {
            "PYTHONDONTWRITEBYTECODE": "1",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "IDEMPOTENCY_TABLE": "bench-state",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
        }


def deploy(work: Path, *, arch: str | None = None) -> Deployed:
    """Build the layer for this machine's architecture (to run it) and make it read-only."""
    python = interpreter()
    machine = os.uname().machine
    arch = arch or ("arm64" if machine in ("aarch64", "arm64") else "x86_64")
    root = build(work / f"layer-{arch}", arch=arch, python=python)
    runtime = runtime_site(work / f"runtime-{arch}", arch=arch, python=python)
    read_only(root)
    read_only(runtime)
    return Deployed(root / "python", runtime, python, arch)
