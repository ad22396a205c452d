"""Helpers for the automation tests: monitor settings bound to the simulators, EMF lines, Lambda contexts."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

from cbprovider.automation.settings import CapellaTarget, CloudBasicTarget, MonitorSettings
from cbprovider.transport import RetryPolicy, Timeouts

FAST_RETRY = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.05)


def cloudbasic_target(sim: Any, name: str = "primary") -> CloudBasicTarget:
    return CloudBasicTarget(name=name, api_url=sim.url, credentials=sim.admin_keys)


def capella_target(sim: Any) -> CapellaTarget:
    return CapellaTarget(api_url=sim.url, credentials=(sim.access_key, sim.secret_key))


def settings(
    *targets: CloudBasicTarget, capella: CapellaTarget | None = None, concurrency: int = 8
) -> MonitorSettings:
    return MonitorSettings(
        cloudbasic=targets,
        capella=capella,
        concurrency=concurrency,
        retry=FAST_RETRY,
        timeouts=Timeouts(connect=2.0, read=10.0),
    )


def closed_port_url() -> str:
    """A URL on which nothing listens (the port was bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def emf_documents(stdout: str) -> list[dict[str, Any]]:
    """The EMF documents among the printed lines."""
    docs = []
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith("{") and '"_aws"' in line:
            docs.append(json.loads(line))
    return docs


def emf_value(doc: dict[str, Any], name: str) -> float:
    value = doc[name]
    return float(value[0] if isinstance(value, list) else value)


def metric_names(doc: dict[str, Any]) -> set[str]:
    return {m["Name"] for m in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]}


def dimensions(doc: dict[str, Any]) -> list[str]:
    sets = doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
    assert len(sets) == 1
    return list(sets[0])


class FakeContext:
    """A Lambda context with a clock: ``get_remaining_time_in_millis`` counts down from ``seconds``."""

    function_name = "test-function"
    aws_request_id = "00000000-0000-0000-0000-000000000000"

    def __init__(self, seconds: float) -> None:
        self._ends = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._ends - time.monotonic()) * 1000))
