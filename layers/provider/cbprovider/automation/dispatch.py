"""The scheduled start of a fanned-out monitor run: read the registry, plan the units, queue them.

The dispatcher lists every registered endpoint (``settings_from_env``), plans one unit per endpoint or
per batch of a large endpoint's replications (``cbprovider.automation.units.plan``, sized from the counts
the previous run stored), writes the run's record, and sends the units to the queue that the workers'
event source drains at most ``MaximumConcurrency`` at a time. The dispatcher is the run's last unit
itself: it reports the registry entries the provider refuses to call (as the single-function monitor
does), so a run of an empty or wholly refused registry still completes and reports.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec

from cbprovider.automation.ledger import CompletedRun, RunLedger, cursor_key
from cbprovider.automation.log import logger
from cbprovider.automation.metrics import DEFAULT_NAMESPACE, publish_run, publish_unit
from cbprovider.automation.monitor import report_refused
from cbprovider.automation.report import MonitorReport
from cbprovider.automation.settings import MonitorSettings
from cbprovider.automation.totals import RunTotals
from cbprovider.automation.units import DEFAULT_BATCH_SIZE, WorkUnit, plan
from cbprovider.errors import ProviderError

SEND_BATCH = 10
"""SendMessageBatch takes at most 10 entries."""
SEND_ATTEMPTS = 3


class QueueError(ProviderError):
    """Units could not be queued (after retries): the run cannot complete."""


Send = Callable[[Sequence[WorkUnit]], Sequence[WorkUnit]]
"""Sends units; returns those that failed."""


class Dispatched(msgspec.Struct, frozen=True):
    run_id: str
    units: list[WorkUnit]
    refused: int
    completed: CompletedRun | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "runId": self.run_id,
            "units": len(self.units),
            "endpoints": len({(u.vendor, u.endpoint) for u in self.units}),
            "refused": self.refused,
            "completed": self.completed is not None,
        }


def new_run_id(now: datetime | None = None) -> str:
    moment = now or datetime.now(UTC)
    return f"{moment:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def dispatch(
    settings: MonitorSettings,
    ledger: RunLedger,
    send: Send,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    namespace: str = DEFAULT_NAMESPACE,
    run_id: str | None = None,
) -> Dispatched:
    started = time.time()
    run_id = run_id or new_run_id()
    cloudbasic = [t.name for t in settings.cloudbasic]
    capella = [t.name for t in settings.capella]
    known = ledger.cursors(cursor_key("cloudbasic", name, 0) for name in cloudbasic)
    units = plan(run_id, cloudbasic, capella, known, batch_size)
    ledger.start(run_id, len(units) + 1, started)
    failed = list(units)
    for _ in range(SEND_ATTEMPTS):
        batches = [failed[start : start + SEND_BATCH] for start in range(0, len(failed), SEND_BATCH)]
        failed = [lost for batch in batches for lost in send(batch)]
        if not failed:
            break
    if failed:
        raise QueueError(f"monitor run {run_id}: {len(failed)} of {len(units)} unit(s) could not be queued")
    refused = _refused_report(settings)
    publish_unit(refused, namespace=namespace, item_metrics=settings.item_metrics)
    completed = ledger.record(run_id, len(units), RunTotals.of(refused))
    logger.info(
        f"monitor run {run_id}: {len(units)} unit(s) queued for {len(cloudbasic)} CloudBasic and "
        f"{len(capella)} Capella endpoint(s); {len(settings.refused)} registry entr(y/ies) refused",
        extra={"run_id": run_id, "units": len(units)},
    )
    if completed is not None:
        publish_run(completed.totals, completed.seconds, namespace=namespace)
        logger.info(completed.totals.coverage_line(completed.seconds), extra={"run_id": run_id})
    return Dispatched(run_id, units, len(settings.refused), completed)


def _refused_report(settings: MonitorSettings) -> MonitorReport:
    report = MonitorReport(started_at=datetime.now(UTC))
    report_refused(report, settings.refused)
    return report


def sqs_sender(queue_url: str, client: Any = None) -> Send:
    """Sends units to ``queue_url`` with SendMessageBatch; returns the entries SQS did not take."""
    if client is None:
        import boto3

        client = boto3.client("sqs")

    def send(units: Sequence[WorkUnit]) -> Sequence[WorkUnit]:
        entries = [{"Id": str(i), "MessageBody": unit.to_body()} for i, unit in enumerate(units)]
        try:
            answer = client.send_message_batch(QueueUrl=queue_url, Entries=entries)
        except Exception as error:
            logger.warning(f"SendMessageBatch failed ({type(error).__name__})")
            return units
        return [units[int(entry["Id"])] for entry in answer.get("Failed", [])]

    return send
