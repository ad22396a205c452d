"""Per-job operations: logs, latency, index rebuilds, table reseeds, finalisation.

Choices where the docs are silent:
- GetLogs takes a replication id (seeding log, ``Type`` ``SqlToSqlSeeding`` / ``SqlToRedshiftSeeding`` /
  ``SqlToS3Seeding``) or a ``ctPId`` from ReplicationStatus (``Type`` ``SqlToSqlChangeTracking``);
  other ids are a 400 ``{id}:Replication not found``.
- GetLatency with data replication off answers ``isDataReplicationOn`` false and ``averageLatency``
  ``"N/A"``; ``timeSinceLastDataSync`` grows from the moment replication stopped.
- An index rebuild and a table reseed each take ``seeding_seconds``; RebuildDbReplicaIndexesStatus before any
  rebuild answers ``status`` ``NotStarted``; starting a reseed of a table already being reseeded is a 400,
  cancelling one that is not running is a no-op; ReseedTableStatus answers ``isRunning``, ``status``,
  ``progress``.
- FinalizeReplication / FinalizeAllReplications (named only by a third-party client) end change tracking:
  the jobs stay listed with ``isEnabled`` false.
"""

from __future__ import annotations

from simulators.cloudbasic.actions.registry import Context, Payload, action
from simulators.cloudbasic.errors import ApiFault, not_found
from simulators.cloudbasic.state import Reseed
from simulators.cloudbasic.texts import log_line, log_text, long_timestamp
from simulators.cloudbasic.timeline import TimedJob


def _seconds(value: float) -> str:
    return f"{max(0.0, value):.1f} secs"


@action("GetLogs")
def get_logs(ctx: Context) -> Payload:
    wanted = ctx.params.require("id").lower()
    for replication in ctx.store.replications.values():
        if replication.replication_id == wanted:
            lines = ctx.store.seeding_log(replication)
            return {
                "id": replication.replication_id,
                "type": f"{replication.kind}Seeding",
                "logs": log_text(lines),
            }
        if replication.ct_pid == wanted:
            last = ctx.store.clock.wall(replication.last_transfer(ctx.now))
            lines = [
                log_line(
                    last, f"Change tracking run completed ({replication.change_tracking_status(ctx.now)})"
                )
            ]
            return {
                "id": replication.ct_pid,
                "type": f"{replication.kind}ChangeTracking",
                "logs": log_text(lines),
            }
    raise not_found(ctx.params.require("id"))


@action("GetLatency")
def get_latency(ctx: Context) -> Payload:
    replication = ctx.replication()
    period = ctx.params.number("period", required=True)
    if period is None or period < 1:
        raise ApiFault(f"{ctx.params.field_name('period')} must be at least 1")
    on = replication.is_enabled(ctx.now)
    return {
        "replicationId": replication.replication_id,
        "averageLatency": _seconds(0.2 + replication.lag_seconds) if on else "N/A",
        "period": f"Last {period} hour(s)",
        "isDataReplicationOn": on,
        "timeSinceLastDataSync": _seconds(ctx.now - replication.last_transfer(ctx.now)),
    }


@action("RebuildDbReplicaIndexes")
def rebuild_db_replica_indexes(ctx: Context) -> Payload:
    replication = ctx.replication()
    ctx.params.flag("cancelRunningCtProcess")
    if not replication.seeded(ctx.now):
        raise ApiFault(f"{replication.replication_id}:Replication seeding has not completed")
    replication.rebuild = TimedJob(ctx.now, ctx.store.seeding_seconds)
    replication.rebuild_started_at = ctx.store.clock.wall(ctx.now)
    return None


@action("RebuildDbReplicaIndexesStatus")
def rebuild_db_replica_indexes_status(ctx: Context) -> Payload:
    replication = ctx.replication()
    job = replication.rebuild
    if job is None or replication.rebuild_started_at is None:
        return {"replicationId": replication.replication_id, "status": "NotStarted", "progress": "0%"}
    running = job.running(ctx.now)
    return {
        "replicationId": replication.replication_id,
        "status": job.status(ctx.now),
        "progress": job.progress(ctx.now),
        "lastRebuildStatus": "" if running else job.outcome,
        "lastRebuildStartTime": long_timestamp(replication.rebuild_started_at),
        "lastRebuildEndTime": "" if running else long_timestamp(ctx.store.clock.wall(job.ends)),
    }


def _table(ctx: Context) -> str:
    return ctx.params.require("tableName")


@action("ReseedTable")
def reseed_table(ctx: Context) -> Payload:
    replication = ctx.replication()
    table = _table(ctx)
    verb = ctx.params.require("action").lower()
    current = replication.reseeds.get(table.lower())
    active = current is not None and not current.cancelled and current.job.running(ctx.now)
    if verb == "initiate":
        if active:
            raise ApiFault(f"{table}: reseeding is already running")
        replication.reseeds[table.lower()] = Reseed(table, TimedJob(ctx.now, ctx.store.seeding_seconds))
    elif verb == "cancel":
        if current is not None and active:
            current.cancelled = True
            current.job = TimedJob(current.job.started, ctx.now - current.job.started, "Cancelled")
    else:
        raise ApiFault(f"{ctx.params.field_name('action')} must be Initiate or Cancel")
    return None


@action("ReseedTableStatus")
def reseed_table_status(ctx: Context) -> Payload:
    replication = ctx.replication()
    table = _table(ctx)
    reseed = replication.reseeds.get(table.lower())
    if reseed is None:
        return {
            "replicationId": replication.replication_id,
            "tableName": table,
            "isRunning": False,
            "status": "NotStarted",
            "progress": "0%",
        }
    return {
        "replicationId": replication.replication_id,
        "tableName": reseed.table_name,
        "isRunning": reseed.job.running(ctx.now),
        "status": reseed.job.status(ctx.now),
        "progress": reseed.job.progress(ctx.now),
    }


@action("FinalizeReplication")
def finalize_replication(ctx: Context) -> Payload:
    ctx.replication().finalized = True
    return None


@action("FinalizeAllReplications", get=True)
def finalize_all_replications(ctx: Context) -> Payload:
    for replication in ctx.store.replications.values():
        replication.finalized = True
    return None
