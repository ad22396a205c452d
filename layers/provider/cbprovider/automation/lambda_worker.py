"""Lambda entry point of the monitor workers: SQS records, one unit each (see
``cbprovider.automation.worker``).

A record whose body is not a valid unit, or whose totals could not be written to the state table, is
returned in ``batchItemFailures`` (the event source mapping has ``ReportBatchItemFailures``): SQS delivers
it again and, after the queue's ``maxReceiveCount``, moves it to the dead-letter queue. A unit's own
endpoint failures are results, not errors: they are reported as items and the record succeeds.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from cbprovider.automation.errors import InputError
from cbprovider.automation.lambda_context import deadline_from_context
from cbprovider.automation.ledger import LedgerError, RunLedger
from cbprovider.automation.log import logger
from cbprovider.automation.metrics import DEFAULT_NAMESPACE
from cbprovider.automation.settings import base_settings_from_env
from cbprovider.automation.units import WorkUnit
from cbprovider.automation.worker import check_unit

_ledgers: dict[str, RunLedger] = {}
_ledgers_lock = threading.Lock()


def _ledger(table: str) -> RunLedger:
    """One ledger (one DynamoDB client) per container and table."""
    with _ledgers_lock:
        if table not in _ledgers:
            import boto3

            _ledgers[table] = RunLedger(table, boto3.client("dynamodb"))
        return _ledgers[table]


def handle(event: Any, context: Any) -> dict[str, Any]:
    base = base_settings_from_env(os.environ)
    ledger = _ledger(os.environ["IDEMPOTENCY_TABLE"])
    namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or DEFAULT_NAMESPACE
    records = event.get("Records") if isinstance(event, dict) else None
    failures: list[dict[str, str]] = []
    for record in records if isinstance(records, list) else []:
        message_id = str(record.get("messageId", "")) if isinstance(record, dict) else ""
        try:
            unit = WorkUnit.from_body(record.get("body") if isinstance(record, dict) else None)
            check_unit(unit, base, ledger, deadline_from_context(context), namespace=namespace)
        except (InputError, LedgerError) as error:
            logger.error(f"monitor unit not done: {error}", extra={"message_id": message_id})
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}
