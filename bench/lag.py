"""Completion lag: how long after a long operation ends CloudFormation is told.

A ``Custom::CloudBasicReplication`` Create with ``WaitFor: Seeded`` against a simulator whose seeding
ends ``SEEDING`` seconds after the create is answered, through the real handler, in two containers (the
handler loaded twice): one with in-process polling at the runtime's default interval
(``CFN_PROVIDER_INLINE_POLL_SECONDS`` unset: 5 s), one with it off (``0``: the handler hands over to an
EventBridge rule at once). The two are alternated, the order swapped each round.

The lag is measured from the end of the seeding (the simulator's own timeline) to the arrival of the
response at the receiver. With polling off, the rule's first firing is not waited for: EventBridge runs
a ``rate(N minutes)`` rule at minute precision, up to one period after it is made, so the lag is that
period after the hand-over plus the measured poll invocation (the worst case, which the rule's rate
sets). The poll is invoked once the seeding has ended, so it finds the replication seeded.
"""

from __future__ import annotations

import re
import statistics
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from bench.nodelay import simulators_without_nagle
from bench.overhead import RequestFailed, quiet_runtime_log
from bench.scenarios import Scenario, environment, replication
from bench.table import Table

SEEDING = 5.5
"""Seconds from the create to the end of seeding: just over one default interval, the lag's worst case."""
GOAL = 10.0
INVOCATION_SECONDS = 120.0
"""The Lambda time the simulated invocations have (the template's provider timeout is longer)."""
ON, OFF = "in-process polling on (default 5 s)", "in-process polling off (rule)"


@dataclass
class Samples:
    lag: list[float] = field(default_factory=list)
    lambda_seconds: list[float] = field(default_factory=list)
    invocations: list[int] = field(default_factory=list)
    rule: str = ""


def seeding_end(scenario: Scenario, replication_id: str) -> float:
    """The wall-clock time at which the simulator's seeding of ``replication_id`` ends."""
    sim = scenario.simulator
    job = sim.replications[replication_id].seeding
    return float(sim.state.clock.wall(job.ends).timestamp())


def arrival(local: Any, request_id: str) -> float:
    """The wall-clock time the response of ``request_id`` arrived at the receiver."""
    path = local.receiver.path_for(request_id)
    times = [call.at for call in local.receiver.calls if call.path == path and call.status == 200]
    if not times:
        raise RequestFailed(f"no response arrived for {request_id}")
    return float(min(times))


def _props(scenario: Scenario, index: int) -> dict[str, Any]:
    return {**scenario.create, "ReplicationName": f"lag-{index}", "WaitFor": "Seeded"}


def polling_on(local: Any, scenario: Scenario, index: int, samples: Samples) -> str:
    event = local.event("Create", scenario.type_name, f"Lag{index}", _props(scenario, index))
    started = time.perf_counter()
    outcome = local.run(event, context_seconds=INVOCATION_SECONDS)
    spent = time.perf_counter() - started
    if outcome.status != "SUCCESS":
        raise RequestFailed(f"Create with polling on: {outcome.status} {outcome.reason}")
    answered = arrival(local, outcome.event["RequestId"])
    samples.lag.append(answered - seeding_end(scenario, outcome.physical_id))
    samples.lambda_seconds.append(spent)
    samples.invocations.append(outcome.invocations)
    return str(outcome.physical_id)


def polling_off(local: Any, scenario: Scenario, index: int, samples: Samples) -> str:
    event = local.event("Create", scenario.type_name, f"Lag{index}", _props(scenario, index))
    before = scenario.objects()
    started = time.perf_counter()
    local.invoke(event, context_seconds=INVOCATION_SECONDS)
    handed_over = time.time()
    first = time.perf_counter() - started
    polls = local.pending_polls()
    if len(polls) != 1 or local.receiver.responses_for(event["RequestId"]):
        raise RequestFailed("Create with polling off did not hand over to one rule")
    period, samples.rule = _rule_period()
    (replication_id,) = scenario.objects() - before
    ends = seeding_end(scenario, replication_id)
    time.sleep(max(0.0, ends - time.time()) + 0.05)
    started = time.perf_counter()
    local.invoke(polls[0], context_seconds=INVOCATION_SECONDS)
    poll = time.perf_counter() - started
    responses = local.receiver.responses_for(event["RequestId"])
    if [r.body.get("Status") for r in responses] != ["SUCCESS"]:
        raise RequestFailed(f"the poll did not answer SUCCESS: {[r.body for r in responses]}")
    fires = max(handed_over + period, ends)
    samples.lag.append(fires + poll - ends)
    samples.lambda_seconds.append(first + poll)
    samples.invocations.append(2)
    return replication_id


def _rule_period() -> tuple[float, str]:
    """The poll rule's period in seconds and its schedule expression."""
    import boto3

    from simulators.stack import RULE_PREFIX

    (rule,) = boto3.client("events").list_rules(NamePrefix=RULE_PREFIX)["Rules"]
    expression = str(rule["ScheduleExpression"])
    match = re.fullmatch(r"rate\((\d+) minutes?\)", expression)
    if match is None:
        raise RequestFailed(f"unexpected poll schedule {expression}")
    return int(match.group(1)) * 60.0, expression


def measure(*, rounds: int = 2) -> Table:
    from simulators.cloudformation import ResponseReceiver
    from simulators.stack import LocalStack, load_handler, local_aws

    samples = {ON: Samples(), OFF: Samples()}
    with ExitStack() as stack:
        stack.enter_context(simulators_without_nagle())
        boto3 = stack.enter_context(local_aws())
        receiver = stack.enter_context(ResponseReceiver())
        scenario: Scenario = stack.enter_context(replication(boto3, seeding_seconds=SEEDING))
        with environment(CFN_PROVIDER_INLINE_POLL_SECONDS="5"):
            on = LocalStack(load_handler(scenario.function), receiver)
        with environment(CFN_PROVIDER_INLINE_POLL_SECONDS="0"):
            off = LocalStack(load_handler(scenario.function), receiver)
        stack.enter_context(quiet_runtime_log())
        for index in range(max(1, rounds)):
            order = [ON, OFF] if index % 2 == 0 else [OFF, ON]
            for mode in order:
                if mode == ON:
                    made = polling_on(on, scenario, index, samples[ON])
                else:
                    made = polling_off(off, scenario, index, samples[OFF])
                local = on if mode == ON else off
                props = _props(scenario, index)
                deleted = local.send("Delete", scenario.type_name, f"Lag{index}", props, physical_id=made)
                if deleted.status != "SUCCESS":
                    raise RequestFailed(f"Delete: {deleted.status} {deleted.reason}")
        leftovers = LocalStack.leftovers()
    return _table(samples, rounds, leftovers)


def _table(samples: dict[str, Samples], rounds: int, leftovers: Any) -> Table:
    table = Table(
        "Completion lag (Custom::CloudBasicReplication, WaitFor: Seeded)",
        f"A Create whose seeding ends {SEEDING:g} s after the create is answered, {max(1, rounds)} rounds "
        "alternating a container with in-process polling at the default interval and one with it off. "
        "*Lag* runs from the end of the seeding to CloudFormation's response (median and largest). "
        "*Lambda time* is the invocations' wall time for the whole request.",
        ["mode", "lag (median)", "lag (largest)", f"goal <= {GOAL:g} s", "Lambda time", "invocations"],
    )
    for mode, entry in samples.items():
        worst = max(entry.lag)
        table.add(
            mode,
            f"{statistics.median(entry.lag):.1f} s",
            f"{worst:.1f} s",
            ("met" if worst <= GOAL else "NOT met") if mode == ON else "-",
            f"{statistics.median(entry.lambda_seconds):.1f} s",
            max(entry.invocations),
        )
    rule = samples[OFF].rule or "the poll rule"
    table.notes.append(
        f"With polling off the request is handed over to a rule ({rule}); its first firing is counted as "
        "one period after the hand-over (EventBridge schedules have minute precision), not waited for, "
        "and the poll it triggers is measured. A wait that outlasts an invocation goes to such a rule "
        "too, so every poll after that adds up to a period."
    )
    table.notes.append(
        "Polling in process keeps the invocation running (and billed) while it waits: the Lambda time "
        "above, against two short invocations with the rule."
    )
    table.notes.append(f"Poll rules and poll state left after the rounds: {leftovers}.")
    return table
