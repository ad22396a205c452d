"""Cold start: import time of each handler module in fresh interpreters, and what the import pulls in.

Each figure is the median over ``repeats`` fresh interpreters of ``perf_counter`` taken inside the child
around the import alone (so interpreter start-up is not in it), next to the same for a bare crhelper
handler. Whole-process wall time (start-up included, measured by the parent) is compared with
``python -c pass``. A separate census child records which heavy modules the import loaded, which botocore
data files (service models) it opened (an audit hook on ``open``) and its peak resident set size
(``VmHWM``: ``ru_maxrss`` would report the parent's peak, since ``subprocess`` may start the child with
``vfork`` and Linux carries the old address space's high-water mark across ``exec``).
One warm-up child per target runs first so that bytecode caches exist (a Lambda layer built by
``sam build`` ships the ``.pyc`` pip compiles for the dependencies, but not for copied sources).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from bench.children import run_python
from bench.machine import REPO
from bench.table import Table, mib, ms, ratio

LAYER = REPO / "layers" / "provider"
FUNCTIONS = ("cloudbasic_provider", "capella_provider", "monitor", "promote")
FIRST_REQUEST_MODULES = {
    "cloudbasic_provider": ("cbprovider.resources.replication", "Custom::CloudBasicReplication"),
    "capella_provider": ("cbprovider.resources.capella_project", "Custom::CapellaProject"),
}
GROUPS: dict[str, tuple[str, ...]] = {
    "boto3/botocore": ("boto3", "botocore"),
    "pydantic": ("pydantic", "pydantic_core"),
    "XML": ("xml.etree", "xml.dom", "xml.sax", "xml.parsers", "pyexpat", "defusedxml"),
    "requests": ("requests", "urllib3"),
    "crhelper": ("crhelper",),
    "powertools": ("aws_lambda_powertools",),
}

_TIMING_CHILD = """\
import sys, time
sys.path[:0] = {paths!r}
t0 = time.perf_counter()
{statement}
t1 = time.perf_counter()
first = None
setup = None
if {first_module!r}:
    import importlib
    t2 = time.perf_counter()
    importlib.import_module({first_module!r})
    t3 = time.perf_counter()
    import boto3
    boto3.client("dynamodb", region_name="us-east-1")
    t4 = time.perf_counter()
    first, setup = t3 - t2, t4 - t3
import json
print(json.dumps({{"import": t1 - t0, "first": first, "setup": setup}}))
"""

_CENSUS_CHILD = """\
import sys
opened = []
def _hook(event, args):
    if event == "open" and isinstance(args[0], str) and "/botocore/data/" in args[0]:
        opened.append(args[0].split("/botocore/data/", 1)[1])
sys.addaudithook(_hook)
sys.path[:0] = {paths!r}
{statement}
import json, resource
modules = sorted(sys.modules)
try:
    with open("/proc/self/status") as status:
        peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"modules": modules, "opened": opened, "maxrss_kb": peak_kb}}))
"""


@dataclass(frozen=True)
class Target:
    label: str
    statement: str
    paths: tuple[str, ...] = ()
    first_module: str = ""


def handler_target(name: str) -> Target:
    first = FIRST_REQUEST_MODULES.get(name, ("", ""))[0]
    if first and not (LAYER / (first.replace(".", "/") + ".py")).exists():
        first = ""
    return Target(name, "import app", (str(REPO / "functions" / name), str(LAYER)), first)


BARE_CRHELPER = Target("bare crhelper", "from crhelper import CfnResource\nhelper = CfnResource()")
PASS = Target("python -c pass", "pass")


def median_run(target: Target, repeats: int) -> tuple[float, float, float | None, float | None]:
    """Median import and wall seconds, then (in separate children, so that the wall time is the
    import's alone) median first-request-module import and first-request set-up seconds."""
    plain = _TIMING_CHILD.format(paths=list(target.paths), statement=target.statement, first_module="")
    run_python(["-c", plain])
    imports, walls, firsts, setups = [], [], [], []
    for _ in range(repeats):
        result = run_python(["-c", plain])
        imports.append(float(result.data["import"]))
        walls.append(result.wall_seconds)
    if target.first_module:
        script = _TIMING_CHILD.format(
            paths=list(target.paths), statement=target.statement, first_module=target.first_module
        )
        run_python(["-c", script])
        for _ in range(repeats):
            result = run_python(["-c", script])
            firsts.append(float(result.data["first"]))
            setups.append(float(result.data["setup"]))
    return (
        statistics.median(imports),
        statistics.median(walls),
        statistics.median(firsts) if firsts else None,
        statistics.median(setups) if setups else None,
    )


def census(target: Target) -> dict[str, Any]:
    script = _CENSUS_CHILD.format(paths=list(target.paths), statement=target.statement)
    return run_python(["-c", script]).data


def loaded_groups(modules: list[str]) -> list[str]:
    """``group (n modules)`` for each heavy group present in ``modules``."""
    found = []
    for group, prefixes in GROUPS.items():
        count = sum(1 for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes))
        if count:
            found.append(f"{group} ({count})")
    return found


def powertools_parts(modules: list[str]) -> list[str]:
    """The Powertools sub-packages loaded (``utilities.x`` one level deeper)."""
    parts = set()
    for name in modules:
        pieces = name.split(".")
        if pieces[0] != "aws_lambda_powertools" or len(pieces) < 2:
            continue
        depth = 3 if pieces[1] == "utilities" and len(pieces) > 2 else 2
        parts.add(".".join(pieces[1:depth]))
    return sorted(parts)


def service_models(opened: list[str]) -> str:
    services = sorted({path.split("/", 1)[0] for path in opened if "/" in path})
    return ", ".join(services) if services else "none"


def measure(repeats: int = 15) -> tuple[Table, Table, Table, Table]:
    """(import times, where the import time goes, modules pulled in, first request path)."""
    targets = [handler_target(name) for name in FUNCTIONS] + [BARE_CRHELPER, PASS]
    timings = {t.label: median_run(t, repeats) for t in targets}
    crhelper_import = timings[BARE_CRHELPER.label][0]
    pass_wall = timings[PASS.label][1]

    times = Table(
        "Cold start: handler import",
        f"Median of {repeats} fresh interpreters (after one warm-up run that writes bytecode caches). "
        "*Import* is `perf_counter` around the import inside the child; *process* is the whole "
        "interpreter run measured by the parent, start-up included.",
        ["module", "import", "vs bare crhelper import", "process", "vs `python -c pass`"],
    )
    for target in targets:
        imported, wall, _, _ = timings[target.label]
        shown = f"functions/{target.label}/app.py" if target.paths else target.label
        times.add(shown, ms(imported), ratio(imported, crhelper_import), ms(wall), ratio(wall, pass_wall))

    pulled = Table(
        "Cold start: what each import pulls in",
        "Modules in `sys.modules` after the import (one census child each; groups counted by package "
        "prefix), botocore data files opened during the import, and the child's peak RSS.",
        ["module", "modules", "heavy groups", "Powertools parts", "botocore models opened", "peak RSS"],
    )
    for target in targets[:-1]:
        data = census(target)
        modules = list(data["modules"])
        pulled.add(
            target.label,
            len(modules),
            ", ".join(loaded_groups(modules)) or "none",
            ", ".join(powertools_parts(modules)) or "none",
            service_models(list(data["opened"])),
            mib(float(data["maxrss_kb"]) * 1024),
        )

    first = Table(
        "Cold start: first request path",
        "After the handler import, in the same children: the import of the resource module that the "
        "first request for one type loads, and the runtime's first-request set-up (`import boto3` and a "
        "DynamoDB client for the state table, which loads that service model).",
        ["handler", "resource type (module)", "resource module import", "boto3 + DynamoDB client"],
    )
    for name, (module, type_name) in FIRST_REQUEST_MODULES.items():
        _, _, first_import, setup = timings[name]
        if first_import is None or setup is None:
            first.add(name, f"{type_name} (`{module}`)", "not written yet", "-")
        else:
            first.add(name, f"{type_name} (`{module}`)", ms(first_import), ms(setup))
    return times, where_it_goes(max(3, repeats // 2)), pulled, first


PACKAGE_SHARES: dict[str, tuple[str, ...]] = {
    "botocore + boto3 + s3transfer": ("botocore", "boto3", "s3transfer", "jmespath", "dateutil", "six"),
    "requests + urllib3": ("requests", "urllib3", "charset_normalizer", "idna", "certifi", "chardet"),
    "pydantic": ("pydantic", "pydantic_core", "annotated_types", "typing_extensions", "typing_inspection"),
    "Powertools": ("aws_lambda_powertools",),
    "crhelper": ("crhelper",),
    "cbprovider": ("cbprovider", "app"),
}
OTHER = "standard library and other"


def self_times(statement: str, paths: tuple[str, ...]) -> dict[str, float]:
    """Seconds of import self time per ``PACKAGE_SHARES`` group, from ``python -X importtime``."""
    script = f"import sys\nsys.path[:0] = {list(paths)!r}\n{statement}\nprint('{{}}')"
    done = run_python(["-X", "importtime", "-c", script], capture_stderr=True)
    shares: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, self_us, _, name = (part.strip() for part in line.replace("import time:", "|").split("|"))
        top = name.split(".")[0]
        group = next((g for g, tops in PACKAGE_SHARES.items() if top in tops), OTHER)
        shares[group] = shares.get(group, 0.0) + int(self_us) / 1e6
    return shares


def where_it_goes(repeats: int = 7) -> Table:
    """Import self time per package group for each handler (medians of ``repeats`` runs)."""
    columns = [*PACKAGE_SHARES, OTHER]
    table = Table(
        "Cold start: where the handler import goes",
        f"`python -X importtime`, each module's own import time summed by the package it belongs to, "
        f"median of {repeats} fresh interpreters. `-X importtime` itself slows imports, so compare the "
        "columns with each other rather than with the table above.",
        ["module", *columns],
    )
    for target in [handler_target(name) for name in FUNCTIONS] + [BARE_CRHELPER]:
        runs = [self_times(target.statement, target.paths) for _ in range(repeats)]
        table.add(target.label, *(ms(statistics.median(run.get(c, 0.0) for run in runs)) for c in columns))
    return table
