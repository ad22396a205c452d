"""Monitor passes over 10, 100 and 1,000 replications on a CloudBasic simulator answering in 50 ms.

Each pass is ``Monitor(settings).run(deadline)`` from ``cbprovider.automation.monitor`` against a fresh
``CloudBasicSimulator(latency=...)`` holding ``n`` seeded replications, in a process of its own as the
appliance is another machine (``bench.appliance``): sequential (concurrency 1) next to concurrent (the
default bound, ``MONITOR_CONCURRENCY``). The bench process then runs only the monitor, so its CPU time
over a pass is the monitor's: shown per item. The sequential 1,000 pass would take
about a minute, so it is extrapolated from the 10 and 100 passes (linear in the number of replications)
unless ``--full`` asks to run it.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

from bench.appliance import in_process_appliance, remote_appliance
from bench.machine import REPO
from bench.table import Table, ms

SIZES = (10, 100, 1000)
GOAL_SPEEDUP = 15.0
LATENCY = 0.05


@dataclass(frozen=True)
class Pass:
    seconds: float
    cpu: float
    """The monitor's CPU time over the pass (the simulator runs in another process)."""
    calls: int
    ok: int
    problems: int

    @property
    def items(self) -> int:
        return self.ok + self.problems


def run_pass(
    replications: int,
    concurrency: int,
    *,
    latency: float = LATENCY,
    nagle: bool = False,
    own_process: bool = True,
) -> Pass:
    """One pass; ``nagle`` keeps the simulator's default sockets (see ``bench.nodelay``);
    ``own_process=False`` runs the simulator in this process (its CPU then counts as the monitor's)."""
    from cbprovider.automation.monitor import Monitor
    from cbprovider.automation.report import Status
    from cbprovider.automation.settings import CloudBasicTarget, MonitorSettings
    from cbprovider.deadline import Deadline

    appliance_in = remote_appliance if own_process else in_process_appliance
    with appliance_in(replications, latency=latency, nagle=nagle) as appliance:
        target = CloudBasicTarget(name="bench", api_url=appliance.url, credentials=appliance.keys)
        settings = MonitorSettings(cloudbasic=(target,), concurrency=concurrency)
        before = appliance.calls()
        cpu, started = time.process_time(), time.perf_counter()
        report = Monitor(settings).run(Deadline.after(600))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        items = report.items()
        ok = sum(1 for item in items if item.status is Status.OK)
        return Pass(seconds, cpu, appliance.calls() - before, ok, len(items) - ok)


def measure(*, full: bool = False, sizes: tuple[int, ...] = SIZES, latency: float = LATENCY) -> Table:
    from cbprovider.automation.settings import DEFAULT_CONCURRENCY

    logging.getLogger("cbprovider").setLevel(logging.WARNING)
    table = Table(
        "Monitor pass",
        f"One `Monitor.run` over one CloudBasic endpoint with *n* replications, every API answer delayed "
        f"{latency * 1000:.0f} ms by the simulator. Sequential is `MONITOR_CONCURRENCY=1`, concurrent the "
        f"default bound ({DEFAULT_CONCURRENCY}). Items are the endpoint plus one per replication. The "
        "simulator runs in a process of its own (the appliance is another machine), so *monitor CPU per "
        "item* is the monitor's own CPU time over the concurrent pass divided by its items.",
        [
            "replications",
            "API calls",
            "sequential",
            "concurrent",
            "speed-up",
            "monitor CPU per item",
            "items ok / not ok",
        ],
    )
    sequential: dict[int, float] = {}
    concurrent_seconds: dict[int, float] = {}
    for n in sizes:
        concurrent = run_pass(n, DEFAULT_CONCURRENCY, latency=latency)
        concurrent_seconds[n] = concurrent.seconds
        if n < 1000 or full:
            alone = run_pass(n, 1, latency=latency)
            sequential[n] = alone.seconds
            shown = f"{alone.seconds:.2f} s"
        else:
            small, large = min(sequential), max(sequential)
            per_item = (sequential[large] - sequential[small]) / (large - small) if large > small else 0.0
            estimate = sequential[small] + per_item * (n - small)
            sequential[n] = estimate
            shown = f"~{estimate:.1f} s (extrapolated)"
            table.notes.append(
                f"The sequential {n:,} pass is extrapolated linearly from the {small} and {large} passes "
                f"({per_item * 1000:.0f} ms per replication); `python -m bench --full` runs it."
            )
        table.add(
            f"{n:,}",
            concurrent.calls,
            shown,
            f"{concurrent.seconds:.2f} s",
            f"{sequential[n] / concurrent.seconds:.1f}x",
            ms(concurrent.cpu / concurrent.items),
            f"{concurrent.ok} / {concurrent.problems}",
        )
    stalled = run_pass(10, 1, latency=0.0, nagle=True)
    clean = run_pass(10, 1, latency=0.0)
    table.notes.append(
        f"Simulator sockets have Nagle's algorithm off (`bench/nodelay.py`); with the simulator's "
        f"default sockets a sequential call at zero latency takes {ms(stalled.seconds / stalled.calls)} "
        f"instead of {ms(clean.seconds / clean.calls)} (a delayed-ACK stall in the simulator, not the "
        "provider)."
    )
    largest = max(sizes)
    speedup = sequential[largest] / concurrent_seconds[largest]
    table.notes.append(
        f"Goal: the {largest:,}-replication pass at least {GOAL_SPEEDUP:.0f}x faster than sequential on the "
        f"default settings: {speedup:.1f}x, {'met' if speedup >= GOAL_SPEEDUP else 'NOT met'}."
    )
    shared = run_pass(largest, DEFAULT_CONCURRENCY, latency=latency, own_process=False)
    table.notes.append(
        f"With the simulator in the bench's own process instead (its request handling, SigV4 checks "
        f"included, on the monitor's interpreter lock), the concurrent {largest:,} pass takes "
        f"{shared.seconds:.2f} s ({sequential[largest] / shared.seconds:.1f}x): the bench then measures "
        "the appliance's CPU as well as the monitor's."
    )
    timeout = monitor_timeout()
    per_item = concurrent_seconds[largest] / largest
    table.notes.append(
        f"The template gives the monitor a {timeout} s timeout: at this latency a concurrent pass fits "
        f"about {int(timeout / per_item):,} replications (sequential: about "
        f"{_fits(sequential, timeout):,}). Items not started by the deadline are reported as skipped."
    )
    return table


def monitor_timeout() -> int:
    """``Timeout`` of ``MonitorFunction`` in ``template.yaml``."""
    text = (REPO / "template.yaml").read_text()
    block = text[text.index("\n  MonitorFunction:") :]
    match = re.search(r"^      Timeout: (\d+)$", block, re.MULTILINE)
    return int(match.group(1)) if match else 0


def _fits(sequential: dict[int, float], budget: float) -> int:
    small, large = min(sequential), max(sequential)
    per_item = (sequential[large] - sequential[small]) / (large - small)
    return int((budget - sequential[small]) / per_item + small) if per_item > 0 else 0
