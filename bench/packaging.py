"""Layer and function package sizes, built the way ``sam build`` would but without SAM.

The layer: ``pip install --target <tmp>/python -r layers/provider/requirements.txt`` for the Lambda
platform (manylinux2014 x86_64, CPython 3.12, binary wheels only), plus a copy of ``cbprovider``;
when that download is not possible the local platform is used and the table says so. Sizes are the
unzipped bytes of the files and the size of a deflated zip of them (what Lambda's 50 MB zipped /
250 MB unzipped limits count). Each function's package is its folder, zipped.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from bench.machine import REPO
from bench.table import Table, mib

LAYER_DIR = REPO / "layers" / "provider"
REQUIREMENTS = LAYER_DIR / "requirements.txt"
LAMBDA_PLATFORM = [
    "--platform",
    "manylinux2014_x86_64",
    "--only-binary=:all:",
    "--python-version",
    "3.12",
    "--implementation",
    "cp",
]
SKIPPED = ("__pycache__",)


class LayerNotBuilt(RuntimeError):
    """pip could install the layer's requirements neither for Lambda's platform nor for this one."""


def pip_install(target: Path, *, lambda_platform: bool) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    command += ["--target", str(target), "-r", str(REQUIREMENTS)]
    if lambda_platform:
        command += LAMBDA_PLATFORM
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603


def files_under(root: Path) -> list[Path]:
    return [p for p in sorted(root.rglob("*")) if p.is_file() and not set(p.parts) & set(SKIPPED)]


def unzipped_size(root: Path) -> int:
    return sum(p.stat().st_size for p in files_under(root))


def zipped_size(root: Path, archive: Path, *, prefix: str = "") -> int:
    """Deflate every file under ``root`` into ``archive`` (names under ``prefix``); the archive's size."""
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for path in files_under(root):
            out.write(path, prefix + path.relative_to(root).as_posix())
    return archive.stat().st_size


def top_packages(site: Path, count: int = 6) -> list[tuple[str, int]]:
    """The largest top-level entries of the installed layer (dist-info folded into its package)."""
    sizes: dict[str, int] = {}
    for entry in site.iterdir():
        name = entry.name.split("-")[0] if entry.name.endswith(".dist-info") else entry.name
        size = unzipped_size(entry) if entry.is_dir() else entry.stat().st_size
        sizes[name.lower()] = sizes.get(name.lower(), 0) + size
    return sorted(sizes.items(), key=lambda item: -item[1])[:count]


def build_layer(work: Path) -> tuple[Path, str]:
    """Install the layer under ``work/layer/python``; returns its root and how it was built."""
    root = work / "layer"
    site = root / "python"
    done = pip_install(site, lambda_platform=True)
    how = "Lambda platform (manylinux2014_x86_64, CPython 3.12, binary wheels)"
    if done.returncode != 0:
        shutil.rmtree(site, ignore_errors=True)
        error = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
        how = f"LOCAL platform (the Lambda-platform download failed: {error[:160]})"
        local = pip_install(site, lambda_platform=False)
        if local.returncode != 0:
            raise LayerNotBuilt(f"pip could not install the layer: {local.stderr.strip()[-300:]}")
    shutil.copytree(LAYER_DIR / "cbprovider", site / "cbprovider", ignore=shutil.ignore_patterns(*SKIPPED))
    return root, how


def measure() -> list[Table]:
    with tempfile.TemporaryDirectory(prefix="cbbench-layer-") as tmp:
        work = Path(tmp)
        try:
            layer = measure_layer(work)
        except LayerNotBuilt as error:
            layer = Table("Layer size", "Not measured: the layer could not be built.", ["what", "why"])
            layer.add("whole layer", str(error).replace("\n", " ")[:300])
        return [layer, measure_functions(work)]


def measure_layer(work: Path) -> Table:
    root, how = build_layer(work)
    site = root / "python"
    layer = Table(
        "Layer size",
        f"`pip install --target python -r layers/provider/requirements.txt` for the {how}, plus "
        "`cbprovider`, then zipped (deflate). Lambda limits: 50 MiB zipped upload, 250 MiB unzipped "
        "for the function and all its layers.",
        ["what", "unzipped", "zipped"],
    )
    layer.add("whole layer", mib(unzipped_size(root)), mib(zipped_size(root, work / "layer.zip")))
    layer.add(
        "of which `cbprovider`",
        mib(unzipped_size(site / "cbprovider")),
        mib(zipped_size(site / "cbprovider", work / "cbprovider.zip")),
    )
    for name, size in top_packages(site):
        layer.add(f"largest: `{name}`", mib(size), "-")
    shipped_aws = [n for n in ("boto3", "botocore", "s3transfer") if (site / n).exists()]
    layer.notes.append(
        "boto3/botocore in the layer: "
        + (", ".join(shipped_aws) + " (pulled in by a dependency)" if shipped_aws else "no (as intended)")
    )
    return layer


def measure_functions(work: Path) -> Table:
    functions = Table(
        "Function packages",
        "Each `functions/<name>/` folder zipped (without `__pycache__`), as `sam build` uploads it.",
        ["function", "files", "unzipped", "zipped"],
    )
    for folder in sorted(p for p in (REPO / "functions").iterdir() if p.is_dir()):
        archive = work / f"{folder.name}.zip"
        size = zipped_size(folder, archive)
        functions.add(
            folder.name,
            len(files_under(folder)),
            f"{unzipped_size(folder):,} B",
            f"{size:,} B",
        )
    return functions
