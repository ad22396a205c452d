"""Per-request overhead: Create/Update/Delete through the real handler next to the same API calls alone.

The handler (``functions/<name>/app.py``, loaded inside moto) is driven by ``simulators.stack.LocalStack``
as CloudFormation would drive it, against a simulator answering at once; its CloudFormation response
goes to the local receiver. Its outgoing API requests are recorded and then sent again with plain
urllib3, signed with the same signer class, the handler's object id swapped for the copy the replayed
Create made so that Update and Delete do the same work. The difference is what the runtime adds: event
parsing and validation, the state-table record (moto, in-process, so cheaper than DynamoDB), secret
reads (moto), a client and session per request, logging and the response PUT.
"""

from __future__ import annotations

import io
import logging
import statistics
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench.nodelay import simulators_without_nagle
from bench.recording import recording, replay
from bench.scenarios import Scenario, available
from bench.table import Table, ms, ratio

OPERATIONS = ("Create", "Update", "Delete")


class RequestFailed(RuntimeError):
    """A request the bench sends did not succeed: its figures would mean nothing."""


@dataclass
class Samples:
    calls: int = 0
    dynamodb: int = 0
    aws_calls: str = ""
    first: float = 0.0
    handler: list[float] = field(default_factory=list)
    plain: list[float] = field(default_factory=list)


@contextmanager
def quiet_runtime_log() -> Iterator[None]:
    """The runtime's JSON log lines are still formatted (that is part of the cost) but not printed."""
    from cbprovider.runtime.log import logger

    handlers = [h for h in logging.getLogger(logger.service).handlers if isinstance(h, logging.StreamHandler)]
    sink = io.StringIO()
    saved = [h.setStream(sink) for h in handlers]
    try:
        yield
    finally:
        for handler, stream in zip(handlers, saved, strict=True):
            if stream is not None:
                handler.setStream(stream)


class AwsCalls:
    """Counts every AWS API call made in this process (each is a network round trip when deployed).

    ``BaseClient._make_api_call`` is wrapped while the bench runs, so every client counts (the
    secret reader's and the registry's as well as the state table's).
    """

    GOAL_DYNAMODB = 2
    """DynamoDB round trips per Create, Update or Delete on the success path, at most."""

    def __init__(self) -> None:
        from botocore.client import BaseClient

        self.names: list[str] = []
        self._client = BaseClient
        self._original = BaseClient._make_api_call
        calls = self.names
        original = self._original

        def counted(client: Any, operation_name: str, api_params: Any) -> Any:
            calls.append(f"{client.meta.service_model.endpoint_prefix}.{operation_name}")
            return original(client, operation_name, api_params)

        BaseClient._make_api_call = counted

    def close(self) -> None:
        self._client._make_api_call = self._original

    def take(self) -> tuple[int, str]:
        """(DynamoDB calls, all calls as ``n service.Operation, ...``) since the last take."""
        counts: dict[str, int] = {}
        for name in self.names:
            counts[name] = counts.get(name, 0) + 1
        self.names.clear()
        dynamodb = sum(n for name, n in counts.items() if name.startswith("dynamodb."))
        return dynamodb, ", ".join(f"{n} {name}" for name, n in sorted(counts.items())) or "none"


def one_round(local: Any, scenario: Scenario, samples: dict[str, Samples], index: int, aws: AwsCalls) -> None:
    import time

    aws.take()
    physical_id: str | None = None
    copy_id: str | None = None
    for operation in OPERATIONS:
        props = scenario.create if operation == "Create" else scenario.update
        kwargs: dict[str, Any] = {}
        if physical_id is not None:
            kwargs["physical_id"] = physical_id
        if operation == "Update":
            kwargs["old_properties"] = scenario.create
        aws.take()
        with recording(scenario.url) as sent:
            started = time.perf_counter()
            outcome = local.send(operation, scenario.type_name, "Bench", props, **kwargs)
            took = time.perf_counter() - started
        if outcome.status != "SUCCESS":
            raise RequestFailed(f"{operation} {scenario.type_name}: {outcome.status} {outcome.reason}")
        physical_id = outcome.physical_id
        before = scenario.objects()
        swap = (physical_id, copy_id) if copy_id is not None else None
        replayed = replay(list(sent), scenario.auth, swap=swap, respond_to=local.receiver)
        if any(status >= 400 for status in replayed.statuses):
            raise RequestFailed(f"replayed {operation}: HTTP {replayed.statuses}")
        if operation == "Create":
            made = scenario.objects() - before
            copy_id = made.pop() if len(made) == 1 else None
        entry = samples[operation]
        entry.calls = len(sent)
        entry.dynamodb, entry.aws_calls = aws.take()
        if index == 0:
            entry.first = took
        else:
            entry.handler.append(took)
        entry.plain.append(replayed.seconds)


def measure(*, rounds: int = 10) -> Table:
    from simulators.cloudformation import ResponseReceiver
    from simulators.stack import LocalStack, load_handler, local_aws

    factory = available()
    samples = {operation: Samples() for operation in OPERATIONS}
    with ExitStack() as stack:
        stack.enter_context(simulators_without_nagle())
        boto3 = stack.enter_context(local_aws())
        receiver = stack.enter_context(ResponseReceiver())
        scenario: Scenario = stack.enter_context(factory(boto3))
        local = LocalStack(load_handler(scenario.function), receiver)
        aws = AwsCalls()
        stack.callback(aws.close)
        stack.enter_context(quiet_runtime_log())
        for index in range(max(2, rounds + 1)):
            one_round(local, scenario, samples, index, aws)
        leftovers = LocalStack.leftovers()

    table = Table(
        f"Per-request overhead ({scenario.type_name})",
        f"{rounds} rounds of Create, in-place Update and Delete through "
        f"`functions/{scenario.function}/app.py` (simulator at zero latency, AWS from moto), next to the "
        "same API requests sent with plain urllib3 and the same signer class followed by the response "
        "PUT to CloudFormation's URL. *First* is the first request of a fresh container (resource module "
        "import, boto3 clients, secret reads); the rest are medians of the following rounds. AWS calls "
        "are every AWS API call the handler made in its last round (all clients).",
        [
            "request",
            "API calls",
            f"DynamoDB round trips (goal <= {AwsCalls.GOAL_DYNAMODB})",
            "AWS calls (moto)",
            "handler, first",
            "handler",
            "plain urllib3 + PUT",
            "added by handler",
            "ratio",
        ],
    )
    for operation, entry in samples.items():
        handler, plain = statistics.median(entry.handler), statistics.median(entry.plain)
        verdict = "met" if entry.dynamodb <= AwsCalls.GOAL_DYNAMODB else "NOT met"
        table.add(
            operation,
            entry.calls,
            f"{entry.dynamodb} ({verdict})",
            entry.aws_calls,
            ms(entry.first) if operation == "Create" else "-",
            ms(handler),
            ms(plain),
            ms(handler - plain),
            ratio(handler, plain),
        )
    table.notes.append(
        "Secrets and registry entries are cached per container (`cbprovider.aws_reads`), so only the "
        "first request of a container reads them. The HTTPS variant (a TLS simulator with a CA bundle) "
        "and the completion lag are the next items."
    )
    table.notes.append(f"Poll rules and poll state left after the rounds: {leftovers}.")
    table.notes.append(
        "moto answers AWS calls in-process; deployed, each AWS call above is a network round trip to an "
        "in-region endpoint (a few ms each), and the API calls cost the appliance's latency. The first "
        "request also pays moto's own warm-up."
    )
    table.notes.append("Simulator sockets have Nagle's algorithm off (see the monitor item).")
    return table
