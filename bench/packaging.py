"""Layer and function package sizes: the layer as its makefile builds it (bytecode in), per architecture.

The layer is ``layers/provider/Makefile``'s ``build-ProviderLayer`` (see ``bench.layer``), for the
template's Python and each Lambda architecture. Sizes are the unzipped bytes of the files (what Lambda's
250 MB limit and the goal below count) and the size of a deflated zip of them (the 50 MB upload limit).
Each function's package is its folder, zipped.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from bench.layer import Interpreter, build, template_runtime
from bench.machine import REPO
from bench.table import Table, mib

GOAL_MIB = 10.0
"""The layer, unzipped with its bytecode, at most this size."""
SKIPPED = ("__pycache__",)
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "urllib3")


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


def top_packages(site: Path, count: int = 7) -> list[tuple[str, int]]:
    """The largest top-level entries of the built layer (dist-info folded into its package), bytecode in."""
    sizes: dict[str, int] = {}
    for entry in site.iterdir():
        name = entry.name.split("-")[0] if entry.name.endswith(".dist-info") else entry.name
        size = sum(p.stat().st_size for p in entry.rglob("*") if p.is_file()) if entry.is_dir() else 0
        size = size or entry.stat().st_size
        sizes[name.lower()] = sizes.get(name.lower(), 0) + size
    return sorted(sizes.items(), key=lambda item: -item[1])[:count]


def total_size(root: Path) -> int:
    """Every file, bytecode included (``__pycache__`` is part of the built layer)."""
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def zipped_total(root: Path, archive: Path) -> int:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            out.write(path, path.relative_to(root).as_posix())
    return archive.stat().st_size


def measure(work: Path, python: Interpreter, *, built: dict[str, Path] | None = None) -> list[Table]:
    """Sizes of the layer for each architecture (``built`` may hold layers already built, by arch)."""
    given = dict(built or {})
    built = {}
    for arch in ("arm64", "x86_64"):
        built[arch] = given.get(arch) or build(work / f"size-{arch}", arch=arch, python=python)
    _, deployed_arch = template_runtime()
    table = Table(
        "Layer size",
        f"`make build-ProviderLayer` (`layers/provider/Makefile`, what `sam build` runs) for Python "
        f"{python.version}, unzipped with its bytecode, and deflated. The template deploys {deployed_arch}. "
        f"Goal: at most {GOAL_MIB:.0f} MiB unzipped. Lambda limits: 50 MiB zipped upload, 250 MiB unzipped "
        "for a function and all its layers.",
        ["what", *(f"{arch} unzipped" for arch in built), *(f"{arch} zipped" for arch in built)],
    )
    totals = {arch: total_size(root) for arch, root in built.items()}
    zipped = {arch: zipped_total(root, work / f"layer-{arch}.zip") for arch, root in built.items()}
    table.add("whole layer", *(mib(v) for v in totals.values()), *(mib(v) for v in zipped.values()))
    first = next(iter(built.values())) / "python"
    for name, _ in top_packages(first):
        sizes = [
            mib(total_size(root / "python" / name)) if (root / "python" / name).is_dir() else "-"
            for root in built.values()
        ]
        table.add(f"`{name}`", *sizes, *("-" for _ in built))
    verdicts = ", ".join(
        f"{arch} {mib(size)}: {'met' if size <= GOAL_MIB * 1024 * 1024 else 'NOT met'}"
        for arch, size in totals.items()
    )
    table.notes.append(f"Goal <= {GOAL_MIB:.0f} MiB: {verdicts}.")
    shipped = [n for n in RUNTIME_PACKAGES if (first / n).exists()]
    table.notes.append(
        "Packages the Lambda runtime brings (boto3, botocore, s3transfer, urllib3) shipped in the layer: "
        + (", ".join(shipped) if shipped else "none (the transport uses the runtime's urllib3)")
    )
    return [table, measure_functions(work)]


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
