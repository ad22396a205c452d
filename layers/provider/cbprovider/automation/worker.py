"""One unit of a fanned-out monitor run: today's per-endpoint check on one endpoint (or one batch of its
replications), its metrics, its cursor, and its share of the run's totals.

The endpoint is read from the registry here, not from the message (``cbprovider.automation.units``). The
check is ``Monitor`` with a ``Window``: the unit's slice, starting at the stored cursor. Whatever the
worker's deadline leaves unchecked is reported as skipped and the cursor moves past what was checked, so
the next run starts there. The worker whose totals complete the run publishes the run's metrics and its
coverage line.
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
from msgspec.structs import replace

from cbprovider.automation.ledger import CompletedRun, Cursor, RunLedger
from cbprovider.automation.log import logger
from cbprovider.automation.metrics import DEFAULT_NAMESPACE, publish_run, publish_unit
from cbprovider.automation.monitor import Monitor
from cbprovider.automation.report import CapellaReport, EndpointReport, MonitorReport, Status
from cbprovider.automation.settings import MonitorSettings, capella_target, cloudbasic_target
from cbprovider.automation.totals import RunTotals
from cbprovider.automation.units import WorkUnit
from cbprovider.automation.window import Window
from cbprovider.deadline import Deadline
from cbprovider.errors import ProviderError


class UnitResult(msgspec.Struct, frozen=True):
    unit: WorkUnit
    report: MonitorReport
    totals: RunTotals
    cursor: int | None
    """The cursor saved for the next run (``None``: the endpoint gave no list, the cursor is kept)."""
    completed: CompletedRun | None


def check_unit(
    unit: WorkUnit,
    base: MonitorSettings,
    ledger: RunLedger,
    deadline: Deadline,
    *,
    namespace: str = DEFAULT_NAMESPACE,
) -> UnitResult:
    stored = ledger.cursors([unit.cursor_key]).get(unit.cursor_key)
    window = unit.window(stored)
    report = _check(unit, base, window, deadline)
    publish_unit(report, namespace=namespace, item_metrics=base.item_metrics)
    cursor = _save_cursor(unit, window, stored, report, ledger)
    totals = RunTotals.of(report, count_endpoints=unit.batch == 0)
    completed = ledger.record(unit.run_id, unit.index, totals)
    log = logger.info if report.healthy else logger.warning
    log(report.summary_line(), extra={"run_id": unit.run_id, "unit": unit.index, "batch": unit.batch})
    if completed is not None:
        publish_run(completed.totals, completed.seconds, namespace=namespace)
        logger.info(
            completed.totals.coverage_line(completed.seconds),
            extra={"run_id": unit.run_id, "units": completed.units, "coverage": completed.totals.coverage},
        )
    return UnitResult(unit, report, totals, cursor, completed)


def _check(unit: WorkUnit, base: MonitorSettings, window: Window, deadline: Deadline) -> MonitorReport:
    from cbprovider.endpoints import capella_endpoint, cloudbasic_endpoint
    from cbprovider.endpoints.entries import UnknownEndpoint

    try:
        if unit.vendor == "cloudbasic":
            settings = replace(base, cloudbasic=(cloudbasic_target(cloudbasic_endpoint(unit.endpoint)),))
        else:
            settings = replace(base, capella=(capella_target(capella_endpoint(unit.endpoint)),))
    except UnknownEndpoint:
        # Removed from the registry since the run was planned: nothing left to watch.
        logger.info(f"endpoint {unit.endpoint} is no longer registered", extra={"run_id": unit.run_id})
        return MonitorReport(started_at=_now())
    except ProviderError as error:
        report = MonitorReport(started_at=_now())
        if unit.vendor == "cloudbasic":
            report.endpoints.append(EndpointReport(unit.endpoint, "", Status.ERROR, str(error)))
        else:
            report.capella.append(CapellaReport("", Status.ERROR, str(error), name=unit.endpoint))
        return report
    return Monitor(settings, window=window).run(deadline)


def _save_cursor(
    unit: WorkUnit, window: Window, stored: Cursor | None, report: MonitorReport, ledger: RunLedger
) -> int | None:
    """Move the cursor past what this unit checked (in check order); keep the endpoint's item count for
    planning the next run's batches."""
    if unit.vendor == "cloudbasic":
        listed = [e for e in report.endpoints if e.replication_total is not None]
        items = [r.status for e in listed for r in e.replications]
        total = listed[0].replication_total if listed else None
    else:
        orgs = [o for o in report.capella if o.cluster_total is not None]
        items = [c.status for o in orgs for c in o.clusters]
        total = orgs[0].cluster_total if orgs else None
    if total is None:
        return None
    checked = next((i for i, status in enumerate(items) if status is Status.SKIPPED), len(items))
    cursor = window.next_cursor(len(items), checked)
    kept_total = total if unit.batch == 0 else None
    if stored is None or stored.cursor != cursor or (kept_total is not None and stored.total != kept_total):
        ledger.save_cursor(unit.cursor_key, cursor, kept_total)
    return cursor


def _now() -> datetime:
    return datetime.now(UTC)
