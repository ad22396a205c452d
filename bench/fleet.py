"""A fleet pass: *n* CloudBasic endpoints of 50 replications each at 50 ms an answer, checked by the
single-function monitor and by the fanned-out one.

Single function: ``Monitor.run`` over every endpoint with the template's timeout as its deadline and the
default ``MONITOR_CONCURRENCY``, as the scheduled function did before the fan-out. Fanned out: the
dispatcher's handler queues the units in moto's SQS, ``simulators.fleet.drain`` plays Lambda's SQS poller
with the template's default ``MonitorWorkerConcurrency`` workers running the worker handler concurrently in
this process, and the run's record (moto's DynamoDB) gives the coverage. Both passes share this process's
CPU, which a deployment does not: each Lambda worker has its own, so the table also projects the deployed
run time from one endpoint checked alone.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

from bench.machine import REPO
from bench.nodelay import simulators_without_nagle
from bench.table import Table

ENDPOINTS = 40
"""The default fleet keeps ``make bench`` short; ``--fleet-endpoints 200`` runs the 200 x 50 fleet."""
REPLICATIONS = 50
LATENCY = 0.05


@dataclass(frozen=True)
class Pass:
    seconds: float
    replications: int
    checked: int
    coverage: float
    units: int = 1
    slowest_unit: float = 0.0
    printed_bytes: int = 0


def template_number(resource: str, key: str) -> int:
    """``Timeout`` of a function, or a parameter's ``Default``, in ``template.yaml``."""
    text = (REPO / "template.yaml").read_text()
    block = text[text.index(f"\n  {resource}:") :]
    match = re.search(rf"^ {{4,6}}{key}: (\d+)$", block, re.MULTILINE)
    return int(match.group(1)) if match else 0


@contextlib.contextmanager
def quiet() -> Iterator[io.StringIO]:
    """Metric and log lines into a buffer (counted, not shown); the loggers at ERROR meanwhile (a retried
    call's warning is part of the pass, not news), as they were afterwards."""
    loggers = [logging.getLogger(name) for name in ("cbprovider", "cfn-replication-provider")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            yield buffer
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def single_function(fleet: object, deadline_seconds: float) -> Pass:
    from cbprovider.automation.metrics import publish
    from cbprovider.automation.monitor import Monitor
    from cbprovider.automation.settings import CloudBasicTarget, MonitorSettings
    from cbprovider.automation.totals import RunTotals
    from cbprovider.deadline import Deadline

    from simulators.fleet import ADMIN_KEYS, Fleet

    assert isinstance(fleet, Fleet)
    targets = tuple(
        CloudBasicTarget(name=name, api_url=sim.url, credentials=ADMIN_KEYS)
        for name, sim in fleet.simulators.items()
    )
    with quiet() as printed:
        started = time.perf_counter()
        report = Monitor(MonitorSettings(cloudbasic=targets)).run(Deadline.after(deadline_seconds))
        publish(report)
        seconds = time.perf_counter() - started
    totals = RunTotals.of(report)
    return Pass(
        seconds,
        fleet.replication_count,
        totals.replications_checked,
        totals.coverage,
        printed_bytes=len(printed.getvalue()),
    )


def fanned_out(fleet: object, workers: int, timeout: float) -> Pass:
    from cbprovider.automation import lambda_dispatch, lambda_worker
    from cbprovider.automation.ledger import RunLedger

    from simulators.fleet import Fleet, atomic_dynamodb, create_queue, drain, register
    from simulators.stack import STATE_TABLE, local_aws

    assert isinstance(fleet, Fleet)
    saved = {name: os.environ.get(name) for name in ("MONITOR_QUEUE_URL",)}
    try:
        with local_aws(), atomic_dynamodb():
            os.environ["MONITOR_QUEUE_URL"] = create_queue()
            register(fleet)
            with quiet() as printed:
                started = time.perf_counter()
                dispatched = lambda_dispatch.handle({}, None)
                drained = drain(
                    os.environ["MONITOR_QUEUE_URL"],
                    lambda_worker.handle,
                    concurrency=workers,
                    timeout=timeout,
                )
                seconds = time.perf_counter() - started
            progress = RunLedger(STATE_TABLE).progress(dispatched["runId"])
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    if progress is None or drained.errors or drained.failed:
        raise RuntimeError(f"fanned-out run did not complete: {drained}")
    units, done, totals = progress
    return Pass(
        seconds,
        fleet.replication_count,
        totals.replications_checked,
        totals.coverage if done == units else 0.0,
        units=dispatched["units"],
        slowest_unit=max(drained.seconds, default=0.0),
        printed_bytes=len(printed.getvalue()),
    )


def measure(
    *, endpoints: int = ENDPOINTS, replications: int = REPLICATIONS, latency: float = LATENCY
) -> Table:
    from simulators.fleet import cloudbasic_fleet

    timeout = template_number("MonitorWorkerFunction", "Timeout")
    workers = template_number("MonitorWorkerConcurrency", "Default")
    with simulators_without_nagle():
        with cloudbasic_fleet(1, replications, latency=latency) as one:
            alone = min((single_function(one, timeout) for _ in range(3)), key=lambda p: p.seconds)
        with cloudbasic_fleet(endpoints, replications, latency=latency) as fleet:
            single = single_function(fleet, timeout)
            fanout = fanned_out(fleet, workers, timeout)
    table = Table(
        f"Fleet run: {endpoints} endpoints x {replications} replications",
        f"{endpoints} CloudBasic simulators with {replications} replications each, every answer delayed "
        f"{latency * 1000:.0f} ms. *Single function*: one `Monitor.run` over every endpoint with the "
        f"{timeout} s function timeout as its deadline. *Fanned out*: the dispatcher queues one unit per "
        f"endpoint (moto SQS) and {workers} workers (`MonitorWorkerConcurrency`'s default) run the worker "
        "handler concurrently in this process on SQS-shaped events; coverage is the run's record in the "
        "state table. Both passes share this machine's CPU.",
        ["monitor", "units", "pass time", "replications checked", "coverage", "log and metric output"],
    )
    table.add(
        "single function",
        1,
        f"{single.seconds:.1f} s",
        f"{single.checked:,} of {single.replications:,}",
        f"{single.coverage:.1f}%",
        f"{single.printed_bytes / 1024:,.0f} KiB",
    )
    table.add(
        "fanned out (in process)",
        fanout.units,
        f"{fanout.seconds:.1f} s",
        f"{fanout.checked:,} of {fanout.replications:,}",
        f"{fanout.coverage:.1f}%",
        f"{fanout.printed_bytes / 1024:,.0f} KiB",
    )
    waves = math.ceil(fanout.units / workers)
    table.notes.append(
        f"One endpoint checked alone takes {alone.seconds:.2f} s (best of 3); deployed, where each "
        f"worker has its own CPU, {fanout.units} units on {workers} workers take about {waves} x "
        f"{alone.seconds:.2f} s = {waves * alone.seconds:.1f} s plus the dispatch. In process the "
        f"slowest unit took {fanout.slowest_unit:.1f} s, stretched by the others sharing the CPU."
    )
    schedule = 300
    within = [
        name
        for name, done in (("the single function", single), ("the fanned-out run", fanout))
        if done.coverage == 100.0 and done.seconds < schedule
    ]
    table.notes.append(
        "In process the fanned-out pass also pays for moto (SQS, DynamoDB, SSM and Secrets Manager answer "
        f"in this process) and runs {workers} workers' threads on this machine's cores: it shows coverage "
        f"and correctness, not deployed speed. Every replication checked within the default "
        f"{schedule // 60}-minute `MonitorSchedule` by: {' and '.join(within) or 'neither'}."
    )
    table.notes.append(
        f"The single function's pass grows with the fleet against a fixed {timeout} s timeout, and what it "
        "cannot reach is skipped in the same order every run; a fanned-out run grows in units, each with "
        "its own timeout, and a unit cut short resumes at its cursor next run."
    )
    return table
