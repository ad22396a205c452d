"""The demo's transcript: each request, the API calls it made and the response CloudFormation gets.

``Driver`` sends one request through a ``LocalStack`` (the real handler in ``functions/``, long
operations followed across invocations as EventBridge would) and prints it; ``Transcript`` collects
what did not go as expected.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, TextIO
from unittest import mock


@dataclass
class Transcript:
    """Prints what happened, request by request."""

    out: TextIO = field(default_factory=lambda: sys.stdout)
    """``sys.stdout`` when the transcript is made (not when the module was imported)."""
    failures: list[str] = field(default_factory=list)

    def section(self, title: str) -> None:
        print(f"\n=== {title} " + "=" * max(0, 72 - len(title)), file=self.out)

    def line(self, text: str = "") -> None:
        print(text, file=self.out)


class Driver:
    """Runs one request through a LocalStack and prints it with the API calls it caused."""

    def __init__(self, transcript: Transcript, stack: Any, simulator: Any) -> None:
        self.t = transcript
        self.stack = stack
        self.sims = [simulator]
        """The simulators whose calls the transcript shows (a scenario may start a second one)."""

    def request(
        self,
        request_type: str,
        resource_type: str,
        logical_id: str,
        properties: Mapping[str, Any],
        *,
        expect: str = "SUCCESS",
        **kwargs: Any,
    ) -> Any:
        shown = {k: _short(v) for k, v in properties.items() if k != "ServiceToken"}
        physical = kwargs.get("physical_id")
        self.t.line(
            f"\n> {request_type} {resource_type} {logical_id}" + (f" [{physical}]" if physical else "")
        )
        self.t.line("  properties: " + json.dumps(shown, sort_keys=True))
        first_calls = [len(sim.calls) for sim in self.sims]
        kwargs.setdefault("poll_interval", 0.3)
        outcome = self.stack.send(request_type, resource_type, logical_id, properties, **kwargs)
        calls = [c for sim, first in zip(self.sims, first_calls, strict=True) for c in sim.calls_since(first)]
        calls.sort(key=lambda c: c.at)
        for call in _summarise(calls):
            self.t.line(f"  api: {call}")
        if outcome.invocations > 1:
            self.t.line(f"  (continued across {outcome.invocations} invocations, polled via EventBridge)")
        if len(outcome.responses) != 1:
            self.t.failures.append(f"{request_type} {logical_id}: {len(outcome.responses)} responses")
            self.t.line(f"  !! {len(outcome.responses)} responses")
            return outcome
        body = outcome.response
        self.t.line(f"  < {body['Status']} PhysicalResourceId={body['PhysicalResourceId']}")
        if body.get("Data"):
            self.t.line("    Data: " + json.dumps(body["Data"], sort_keys=True))
        if body.get("Reason"):
            self.t.line(f"    Reason: {body['Reason']}")
        if body["Status"] != expect:
            self.t.failures.append(f"{request_type} {logical_id}: {body['Status']} (expected {expect})")
        return outcome


def _short(value: Any) -> Any:
    """Secret ARNs shown by their name only, to keep the transcript readable."""
    if isinstance(value, str) and value.startswith("arn:aws:secretsmanager:"):
        return "secret:" + value.rsplit(":", 1)[-1]
    if isinstance(value, dict):
        return {k: _short(v) for k, v in value.items()}
    return value


def _summarise(calls: list[Any]) -> Iterator[str]:
    """Consecutive identical calls (status polls) folded into one line with a count."""
    previous: tuple[str, str, int] | None = None
    count = 0
    for call in calls:
        key = (call.method, call.path, call.status)
        if key == previous:
            count += 1
            continue
        if previous is not None:
            yield _call_text(previous, count)
        previous, count = key, 1
    if previous is not None:
        yield _call_text(previous, count)


def _call_text(call: tuple[str, str, int], count: int) -> str:
    method, path, status = call
    times = f"  x{count}" if count > 1 else ""
    return f"{method} {path} -> {status}{times}"


def quiet_logs(verbose: bool) -> AbstractContextManager[Any]:
    """The provider's log level for the demo (its own log lines only with ``--verbose``), restored after."""
    level = "INFO" if verbose else "ERROR"
    return mock.patch.dict(os.environ, {"LOG_LEVEL": level, "POWERTOOLS_LOG_LEVEL": level})


def shared_secret(boto3: Any, name: str, value: Mapping[str, Any]) -> str:
    from cbprovider.secrets.sharing import sharing_tags

    arn: str = boto3.client("secretsmanager").create_secret(
        Name=name, SecretString=json.dumps(value), Tags=sharing_tags()
    )["ARN"]
    return arn
