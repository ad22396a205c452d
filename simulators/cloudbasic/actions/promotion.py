"""Promote a replica to primary: PromoteDbReplicaToPrimary, its Status call, and the legacy PromoteToPrimary.

Choices: the start call answers 200 with an empty body (not captured). The job is ``Running`` with a rising
``Progress`` for ``promote_seconds``, then ``Success`` (or ``Failed`` with an error line, q. 24, when the
simulator was told so). ``Logs`` starts with the requesting user and options, then ``BEGIN`` and the steps, as
the docs describe. Promotion needs a finished seeding and no promotion already running (400 otherwise);
``turnOffDataReplication`` true requires the three ignore/cancel flags true. ``dataReplication`` is switched
off when a promotion with ``turnOffDataReplication`` succeeds. The Status call for a job never promoted is a
400 ``{id}:Promotion not found``.
"""

from __future__ import annotations

from simulators.cloudbasic.actions.registry import Context, Payload, action
from simulators.cloudbasic.errors import ApiFault
from simulators.cloudbasic.state import Promotion, Replication
from simulators.cloudbasic.texts import log_line, log_text
from simulators.cloudbasic.timeline import TimedJob

REQUIRED_FOR_TURN_OFF = (
    "ignoreInaccessibleSourceConnection",
    "ignoreDbDiscrepancies",
    "cancelRunningCtProcess",
)
OPTIONS = (*REQUIRED_FOR_TURN_OFF, "turnOffDataReplication", "enableConstraintsWithCheck")


def _start(ctx: Context, replication: Replication, options: dict[str, bool]) -> None:
    if not replication.seeded(ctx.now):
        raise ApiFault(f"{replication.replication_id}:Replication seeding has not completed")
    current = replication.promotion
    if current is not None and current.job.running(ctx.now):
        raise ApiFault(f"{replication.replication_id}:Promotion is already running")
    outcome = ctx.store.promotion_outcomes.pop(replication.replication_id, "Success")
    replication.promotion = Promotion(
        job=TimedJob(ctx.now, ctx.store.promote_seconds, outcome),
        requested_by=ctx.caller.user_name if ctx.caller else "unknown",
        options=options,
        started_at=ctx.store.clock.wall(ctx.now),
        turn_off_data_replication=options.get("turnOffDataReplication", False),
    )


@action("PromoteDbReplicaToPrimary")
def promote_db_replica_to_primary(ctx: Context) -> Payload:
    p = ctx.params
    replication = ctx.replication()
    options = {name: p.flag(name) for name in OPTIONS}
    limit = p.number("parallelTablesLimit", 1)
    if limit is not None and limit < 1:
        raise ApiFault(f"{p.field_name('parallelTablesLimit')} must be at least 1")
    if options["turnOffDataReplication"] and not all(options[n] for n in REQUIRED_FOR_TURN_OFF):
        names = ", ".join(p.field_name(n) for n in REQUIRED_FOR_TURN_OFF)
        raise ApiFault(f"{p.field_name('turnOffDataReplication')}=true requires {names} to be true")
    _start(ctx, replication, options)
    return None


@action("PromoteToPrimary")
def promote_to_primary(ctx: Context) -> Payload:
    p = ctx.params
    replication = ctx.replication()
    options = {name: p.flag(name) for name in ("cancelRunningCtProcess", "ignoreDbDiscrepancies")}
    _start(ctx, replication, options)
    return None


def _logs(ctx: Context, replication: Replication, promotion: Promotion) -> str:
    clock, job = ctx.store.clock, promotion.job
    chosen = ", ".join(f"{name}={str(value).lower()}" for name, value in promotion.options.items())
    at = promotion.started_at
    steps = [
        "Source SQL Server connection checked",
        "Enabling foreign keys and check constraints",
        "Enabling triggers",
        "Counting constraints and triggers",
    ]
    lines = [
        log_line(at, f"Promotion requested by API user {promotion.requested_by} ({chosen})"),
        log_line(at, "BEGIN"),
    ]
    done = int(len(steps) * job.percent(ctx.now) / 100)
    lines += [log_line(clock.wall(ctx.now if job.running(ctx.now) else job.ends), s) for s in steps[:done]]
    if not job.running(ctx.now):
        end = clock.wall(job.ends)
        if job.outcome == "Failed":
            lines.append(log_line(end, "ERROR: the replica database could not be promoted"))
        lines.append(log_line(end, f"END ({job.outcome})"))
    return log_text(lines)


@action("PromoteDbReplicaToPrimaryStatus")
def promote_db_replica_to_primary_status(ctx: Context) -> Payload:
    replication = ctx.replication()
    promotion = replication.promotion
    if promotion is None:
        raise ApiFault(f"{replication.replication_id}:Promotion not found")
    job = promotion.job
    return {
        "replicationId": replication.replication_id,
        "status": job.status(ctx.now),
        "progress": job.progress(ctx.now),
        "logs": _logs(ctx, replication, promotion),
    }
