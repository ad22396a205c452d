"""Lambda entry point of the scheduled monitor dispatcher (see ``cbprovider.automation.dispatch``).

Environment: the registry (``ENDPOINT_REGISTRY_PATH``), the state table (``IDEMPOTENCY_TABLE``), the
workers' queue (``MONITOR_QUEUE_URL``), replications per unit (``MONITOR_BATCH_SIZE``, default 500) and
the metric namespace (``POWERTOOLS_METRICS_NAMESPACE``).
"""

from __future__ import annotations

import os
from typing import Any

from cbprovider.automation.dispatch import dispatch, sqs_sender
from cbprovider.automation.errors import InputError
from cbprovider.automation.ledger import RunLedger
from cbprovider.automation.metrics import DEFAULT_NAMESPACE
from cbprovider.automation.settings import settings_from_env
from cbprovider.automation.units import DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE


def batch_size_from_env(value: str | None) -> int:
    if value is None or not value.strip():
        return DEFAULT_BATCH_SIZE
    try:
        number = int(value.strip())
    except ValueError:
        raise InputError("MONITOR_BATCH_SIZE", f"must be a whole number, got {value!r}") from None
    if not 1 <= number <= MAX_BATCH_SIZE:
        raise InputError("MONITOR_BATCH_SIZE", f"must be between 1 and {MAX_BATCH_SIZE}, got {number}")
    return number


def handle(event: Any, context: Any) -> dict[str, Any]:
    environ = os.environ
    done = dispatch(
        settings_from_env(environ),
        RunLedger(environ["IDEMPOTENCY_TABLE"]),
        sqs_sender(environ["MONITOR_QUEUE_URL"]),
        batch_size=batch_size_from_env(environ.get("MONITOR_BATCH_SIZE")),
        namespace=environ.get("POWERTOOLS_METRICS_NAMESPACE") or DEFAULT_NAMESPACE,
    )
    return done.to_dict()
