"""Cold start on the deployed layer: each handler's import and its first request's imports, vs crhelper.

The layer is built by its makefile (``bench.layer``), copied read-only with the runtime's boto3, and run
by the template's Python with ``-B -S`` (no bytecode written, no other site-packages), ``sys.path`` in
Lambda's order. Each child measures, with ``process_time`` (CPU: less sensitive to other load than wall
time) and ``perf_counter`` (wall):

- *imports*: the handler module, then the modules the first request of one type loads (the resource
  type as the handler's table names it, its API client and the HTTP transport, the secret reader, boto3);
- *clients*: the AWS clients that request builds (DynamoDB for the state table, Secrets Manager).

The baselines are ``import crhelper`` (which imports boto3) and a crhelper handler
(``CfnResource()`` with ``AWS_REGION`` set, which builds its lambda, events and logs clients). Children
run alternated: every round starts each target once, in a rotating order, and each handler's ratio is
taken against the ``import crhelper`` child of the same round; the table gives the median and the
spread (quartiles) of those paired ratios.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.children import run_python
from bench.layer import Deployed
from bench.table import Table, mib, ms

GOAL = 1.15
"""A provider handler's import + first request's imports, at most this times ``import crhelper``."""
FUNCTIONS = ("cloudbasic_provider", "capella_provider", "monitor", "monitor_worker", "promote")
PROVIDERS = ("cloudbasic_provider", "capella_provider")
FIRST_REQUEST: dict[str, tuple[str, tuple[str, ...]]] = {
    "cloudbasic_provider": (
        "Custom::CloudBasicReplication",
        (
            "cbprovider.resources.cloudbasic.replication",
            "cbprovider.cloudbasic.client",
            "cbprovider.transport",
            "cbprovider.secrets.reader",
            "boto3",
            "_strptime",
        ),
    ),
    "capella_provider": (
        "Custom::CapellaProject",
        (
            "cbprovider.resources.capella.versions",
            "cbprovider.resources.capella.project",
            "cbprovider.capella.client",
            "cbprovider.transport",
            "cbprovider.secrets.reader",
            "boto3",
        ),
    ),
}
"""What a provider's first Create of the type shown imports: these modules and what they import cover the
new entries a real Create through the handler leaves in ``sys.modules`` (the HTTP transport loads
urllib3, the AWS clients boto3). The first is the module the handler maps the type to."""
FIRST_REQUEST_CLIENTS = ("dynamodb", "secretsmanager")
GROUPS: dict[str, tuple[str, ...]] = {
    "boto3/botocore": ("boto3", "botocore"),
    "msgspec": ("msgspec",),
    "XML": ("xml.etree", "xml.dom", "xml.sax", "xml.parsers", "pyexpat", "defusedxml"),
    "urllib3 + requests": ("urllib3", "requests"),
    "crhelper": ("crhelper",),
}

_CHILD = """\
import sys, time
sys.path[:0] = {paths!r}
c0, w0 = time.process_time(), time.perf_counter()
{statement}
c1, w1 = time.process_time(), time.perf_counter()
{clients}
c2, w2 = time.process_time(), time.perf_counter()
import json
print(json.dumps({{"cpu": c1 - c0, "wall": w1 - w0, "clients_cpu": c2 - c1, "clients_wall": w2 - w1}}))
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
import json
modules = sorted(sys.modules)
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({{"modules": modules, "opened": opened, "maxrss_kb": peak_kb}}))
"""


@dataclass(frozen=True)
class Target:
    label: str
    statement: str
    function: str | None = None
    clients: str = ""


@dataclass
class Samples:
    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    clients_cpu: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    """Paired with the ``import crhelper`` child of the same round (CPU)."""


IMPORT_CRHELPER = Target("`import crhelper`", "import crhelper")
CRHELPER_HANDLER = Target(
    "crhelper handler (`CfnResource()`, AWS_REGION set)",
    "import crhelper",
    clients="helper = crhelper.CfnResource(log_level='INFO', sleep_on_delete=0)",
)


def handler_target(name: str) -> Target:
    statement = "import app"
    clients = ""
    if name in FIRST_REQUEST:
        modules = FIRST_REQUEST[name][1]
        statement += "\nimport importlib\n" + "\n".join(f"importlib.import_module({m!r})" for m in modules)
        clients = "import boto3\n" + "\n".join(f"boto3.client({c!r})" for c in FIRST_REQUEST_CLIENTS)
    return Target(name, statement, name, clients)


def child_script(target: Target, deployed: Deployed) -> str:
    return _CHILD.format(
        paths=deployed.path_for(target.function), statement=target.statement, clients=target.clients or "pass"
    )


def run_child(target: Target, deployed: Deployed) -> dict[str, Any]:
    script = child_script(target, deployed)
    return run_python(
        ["-B", "-S", "-c", script], python=deployed.python.path, env=deployed.environment()
    ).data


def alternated(targets: Sequence[Target], deployed: Deployed, rounds: int) -> dict[str, Samples]:
    """``rounds`` rounds, each target once per round in a rotating order (one warm-up round first)."""
    samples = {t.label: Samples() for t in targets}
    for target in targets:
        run_child(target, deployed)
    for round_index in range(rounds):
        shift = round_index % len(targets)
        order = list(targets[shift:]) + list(targets[:shift])
        results = {t.label: run_child(t, deployed) for t in order}
        base = float(results[IMPORT_CRHELPER.label]["cpu"])
        for label, data in results.items():
            entry = samples[label]
            entry.cpu.append(float(data["cpu"]))
            entry.wall.append(float(data["wall"]))
            entry.clients_cpu.append(float(data["clients_cpu"]))
            entry.ratios.append(float(data["cpu"]) / base if base > 0 else float("nan"))
    return samples


def spread(values: Sequence[float]) -> str:
    """``median (p25-p75)`` of ratios."""
    if len(values) < 2:
        return f"{statistics.median(values):.2f}x"
    low, mid, high = statistics.quantiles(values, n=4)
    return f"{mid:.2f}x ({low:.2f}-{high:.2f})"


def measure(deployed: Deployed, repeats: int = 15) -> list[Table]:
    targets = [IMPORT_CRHELPER, CRHELPER_HANDLER] + [handler_target(name) for name in FUNCTIONS]
    samples = alternated(targets, deployed, repeats)
    table = Table(
        "Cold start on the deployed layer",
        f"The layer built by `layers/provider/Makefile` for {deployed.arch}, read-only, no bytecode written, "
        f"run by {deployed.python.describe()}. {repeats} rounds; each round starts every row once in a "
        "rotating order. *Imports*: the handler module and, for the providers, what the first request "
        "of the type shown imports (the resource module the handler maps it to, the API client and the "
        "HTTP transport, the secret reader, boto3). "
        "*Clients*: the AWS clients that first request builds (crhelper: the ones `CfnResource()` builds). "
        "CPU medians; the ratio is paired with the `import crhelper` child of the same round, median "
        "and quartiles (the goal is judged on it); *median / median* divides the row's CPU median by "
        "`import crhelper`'s, which a load spike in one child moves less. Goal for the providers: imports "
        f"at most {GOAL:.2f}x `import crhelper`.",
        [
            "row",
            "imports (CPU)",
            "imports (wall)",
            "vs `import crhelper`",
            "median / median",
            "clients (CPU)",
            "goal",
        ],
    )
    base_cpu = statistics.median(samples[IMPORT_CRHELPER.label].cpu)
    for target in targets:
        entry = samples[target.label]
        label = target.label
        if target.function in FIRST_REQUEST:
            label = f"functions/{target.function}/app.py + first {FIRST_REQUEST[target.function][0]}"
        elif target.function:
            label = f"functions/{target.function}/app.py"
        ratio = statistics.median(entry.ratios)
        goal = "-"
        if target.function in PROVIDERS:
            goal = f"{'met' if ratio <= GOAL else 'NOT met'} (<= {GOAL:.2f}x)"
        table.add(
            label,
            ms(statistics.median(entry.cpu)),
            ms(statistics.median(entry.wall)),
            spread(entry.ratios),
            f"{statistics.median(entry.cpu) / base_cpu:.2f}x",
            ms(statistics.median(entry.clients_cpu)) if target.clients else "-",
            goal,
        )
    return [table, where_it_goes(deployed, max(3, repeats // 3)), pulled_in(deployed)]


def census_script(target: Target, paths: Sequence[str]) -> str:
    """A child that runs ``target``'s imports with ``paths`` first on ``sys.path`` and prints, as JSON, the
    modules then loaded, the botocore data files opened and its peak RSS."""
    return _CENSUS_CHILD.format(paths=list(paths), statement=target.statement)


def census(target: Target, deployed: Deployed) -> dict[str, Any]:
    script = census_script(target, deployed.path_for(target.function))
    return run_python(
        ["-B", "-S", "-c", script], python=deployed.python.path, env=deployed.environment()
    ).data


def loaded_groups(modules: list[str]) -> list[str]:
    """``group (n modules)`` for each heavy group present in ``modules``."""
    found = []
    for group, prefixes in GROUPS.items():
        count = sum(1 for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes))
        if count:
            found.append(f"{group} ({count})")
    return found


def service_models(opened: list[str]) -> str:
    services = sorted({path.split("/", 1)[0] for path in opened if "/" in path})
    return ", ".join(services) if services else "none"


def pulled_in(deployed: Deployed) -> Table:
    table = Table(
        "Cold start: what the imports pull in",
        "Modules in `sys.modules` after the *imports* of the table above (one census child each, on the "
        "deployed layer), botocore data files opened, and the child's peak RSS (`VmHWM`).",
        ["row", "modules", "heavy groups", "botocore models opened", "peak RSS"],
    )
    for target in [IMPORT_CRHELPER] + [handler_target(name) for name in FUNCTIONS]:
        data = census(target, deployed)
        modules = list(data["modules"])
        table.add(
            target.label,
            len(modules),
            ", ".join(loaded_groups(modules)) or "none",
            service_models(list(data["opened"])),
            mib(float(data["maxrss_kb"]) * 1024),
        )
    return table


PACKAGE_SHARES: dict[str, tuple[str, ...]] = {
    "botocore + boto3 + s3transfer": ("botocore", "boto3", "s3transfer", "jmespath", "dateutil", "six"),
    "urllib3 + requests": (
        "urllib3",
        "requests",
        "charset_normalizer",
        "idna",
        "certifi",
        "chardet",
    ),
    "msgspec": ("msgspec",),
    "crhelper": ("crhelper",),
    "cbprovider": ("cbprovider", "app"),
}
OTHER = "standard library and other"


def self_times(statement: str, paths: Sequence[str], *, python: str | None = None) -> dict[str, float]:
    """Seconds of import self time per ``PACKAGE_SHARES`` group, from ``python -X importtime``."""
    script = f"import sys\nsys.path[:0] = {list(paths)!r}\n{statement}\nprint('{{}}')"
    isolated = ["-S"] if python else []  # the deployed layer alone; else this interpreter's own packages
    done = run_python(
        ["-B", *isolated, "-X", "importtime", "-c", script],
        python=python,
        env=Deployed.environment(),
        capture_stderr=True,
    )
    shares: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, self_us, _, name = (part.strip() for part in line.replace("import time:", "|").split("|"))
        top = name.split(".")[0]
        group = next((g for g, tops in PACKAGE_SHARES.items() if top in tops), OTHER)
        shares[group] = shares.get(group, 0.0) + int(self_us) / 1e6
    return shares


def where_it_goes(deployed: Deployed, repeats: int = 5) -> Table:
    """Import self time per package group for each row (medians of ``repeats`` alternated rounds)."""
    columns = [*PACKAGE_SHARES, OTHER]
    table = Table(
        "Cold start: where the imports go",
        f"`python -X importtime` on the deployed layer, each module's own import time summed by the package "
        f"it belongs to, median of {repeats} alternated rounds. `-X importtime` itself slows imports, so "
        "compare the columns with each other rather than with the table above.",
        ["row", *columns],
    )
    targets = [IMPORT_CRHELPER] + [handler_target(name) for name in FUNCTIONS]
    runs: dict[str, list[dict[str, float]]] = {t.label: [] for t in targets}
    for _ in range(repeats):
        for target in targets:
            runs[target.label].append(
                self_times(target.statement, deployed.path_for(target.function), python=deployed.python.path)
            )
    for target in targets:
        got = runs[target.label]
        table.add(target.label, *(ms(statistics.median(run.get(c, 0.0) for run in got)) for c in columns))
    return table
