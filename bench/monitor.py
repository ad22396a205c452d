"""Monitor passes over 10, 100 and 1,000 replications on a CloudBasic simulator answering in 50 ms.

Each pass is ``Monitor(settings).run(deadline)`` from ``cbprovider.automation.monitor`` against a fresh
``CloudBasicSimulator(latency=...)`` holding ``n`` seeded replications: sequential (concurrency 1)
next to concurrent (the default bound, ``MONITOR_CONCURRENCY``). The sequential 1,000 pass would take
about a minute, so it is extrapolated from the 10 and 100 passes (linear in the number of replications)
unless ``--full`` asks to run it.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from dataclasses import dataclass

from bench.machine import REPO
from bench.nodelay import simulators_without_nagle
from bench.table import Table, ms

SIZES = (10, 100, 1000)
GOAL_SPEEDUP = 15.0
LATENCY = 0.05


@dataclass(frozen=True)
class Pass:
    seconds: float
    calls: int
    ok: int
    problems: int


def run_pass(replications: int, concurrency: int, *, latency: float = LATENCY, nagle: bool = False) -> Pass:
    """One pass; ``nagle`` keeps the simulator's default sockets (see ``bench.nodelay``)."""
    from cbprovider.automation.monitor import Monitor
    from cbprovider.automation.report import Status
    from cbprovider.automation.settings import CloudBasicTarget, MonitorSettings
    from cbprovider.deadline import Deadline

    from simulators.cloudbasic import CloudBasicSimulator

    with contextlib.ExitStack() as stack:
        if not nagle:
            stack.enter_context(simulators_without_nagle())
        sim = stack.enter_context(CloudBasicSimulator(latency=latency))
        sim.add_replications(replications)
        target = CloudBasicTarget(name="bench", api_url=sim.url, credentials=sim.admin_keys)
        settings = MonitorSettings(cloudbasic=(target,), concurrency=concurrency)
        before = len(sim.calls)
        started = time.perf_counter()
        report = Monitor(settings).run(Deadline.after(600))
        seconds = time.perf_counter() - started
        items = report.items()
        ok = sum(1 for item in items if item.status is Status.OK)
        return Pass(seconds, len(sim.calls) - before, ok, len(items) - ok)


def measure(*, full: bool = False, sizes: tuple[int, ...] = SIZES, latency: float = LATENCY) -> Table:
    from cbprovider.automation.settings import DEFAULT_CONCURRENCY

    logging.getLogger("cbprovider").setLevel(logging.WARNING)
    table = Table(
        "Monitor pass",
        f"One `Monitor.run` over one CloudBasic endpoint with *n* replications, every API answer delayed "
        f"{latency * 1000:.0f} ms by the simulator. Sequential is `MONITOR_CONCURRENCY=1`, concurrent the "
        f"default bound ({DEFAULT_CONCURRENCY}). Items are the endpoint plus one per replication.",
        ["replications", "API calls", "sequential", "concurrent", "speed-up", "items ok / not ok"],
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
