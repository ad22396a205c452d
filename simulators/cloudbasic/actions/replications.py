"""SQL Server -> SQL Server replication jobs: create, list, status, alter, delete, analyze.

Choices where the docs are silent:
- CreateReplication answers ``{replicationId}`` (q. 12); ``source.connectionString`` and
  ``destination.connectionString`` are required and must name a database (``Initial Catalog``/``Database``);
  ``replicationMethod`` defaults to ``ContinuousWithAutoSeeding`` (the docs' spellings without the "u"
  are accepted).
- Seeding is ``Running`` with a rising ``"NN%"`` over ``seeding_seconds``, then ``Success`` (or ``Failed``
  when the simulator was told so); change tracking then runs while ``dataReplication`` is on (q. 14).
- ReplicationStatus fields after ``requestTimestamp`` are invented (q. 13): ``sourceConnectionStatus``,
  ``destinationConnectionStatus``, ``seedingStatus``, ``seedingProgress``, ``changeTrackingStatus``,
  ``ctPId``, plus ``replicationName``, ``dataReplication`` and ``schemaReplication``.
- DeleteReplication removes the job only (a running seeding is cancelled); unknown ids are a 400
  ``{id}:Replication not found`` (q. 15).
- CreateAllReplication creates one job for the database in the source connection string (the simulator knows
  no other databases) unless ``skipExisting`` finds one with the same source, and answers ``replicationIds``.
- AnalyzeReplication answers synchronously with a clean report (no pending changes, no discrepancies).
- CreateReplication and AlterReplication keep ``reseedingSchedule`` and ``RebuildDbReplicaIndexesSchedule``
  (checked as ``schedules`` describes) in the job's settings next to the scalar fields; AlterReplication
  checks the schedule times, positive limits and the exclusion rules too.
"""

from __future__ import annotations

from typing import Any

from simulators.cloudbasic.actions.registry import Context, Payload, action
from simulators.cloudbasic.errors import ApiFault
from simulators.cloudbasic.params import Params
from simulators.cloudbasic.schedules import exclusion_rules, keep_schedules, positive, time_of_day
from simulators.cloudbasic.state import Replication
from simulators.cloudbasic.texts import database_of, long_timestamp, masked

METHODS = {
    "continuouswithautoseeding": "ContinuousWithAutoSeeding",
    "continouswithautoseeding": "ContinousWithAutoSeeding",
    "continuouswithsemiautoseeding": "ContinuousWithSemiAutoSeeding",
    "continouswithsemiautoseeding": "ContinousWithSemiAutoSeeding",
}
STAGING_BUFFERS = ("TempDb", "ReplicaDb")
CT_METHODS = ("ChangeTracking", "ChangeDataCapture")


def connection_string(p: Params, path: str) -> str:
    value = p.require(path)
    if database_of(value) is None:
        raise ApiFault(f"{p.field_name(path)} must name the database (Initial Catalog)")
    return value


def one_of(p: Params, path: str, allowed: tuple[str, ...]) -> str | None:
    value = p.text(path)
    if value is None or not value.strip():
        return None
    for candidate in allowed:
        if candidate.lower() == value.strip().lower():
            return candidate
    raise ApiFault(f"{p.field_name(path)} must be one of: {', '.join(allowed)}")


def _method(p: Params) -> str:
    value = p.text("replicationMethod")
    if value is None or not value.strip():
        return "ContinuousWithAutoSeeding"
    method = METHODS.get(value.strip().lower())
    if method is None:
        raise ApiFault(f"{p.field_name('replicationMethod')} '{value}' is not supported")
    return method


def _validated_options(p: Params) -> dict[str, Any]:
    """Check the typed optional fields; return the top-level settings to keep."""
    for flag in (
        "replicateLoginsUsersAndRoles",
        "replicateTablesOnly",
        "replicateViews",
        "replicateStoredProcedures",
        "rebuildIndexes",
        "addUpdateTimestamp",
        "source.encryptDataInTransit",
        "source.resetChangeTracking",
        "source.userApprovalToEnableChangeTracking",
        "destination.encryptDataInTransit",
        "destination.replicateCompatibilityLevel",
    ):
        p.flag(flag)
    limit = p.number("parallelTablesLimit")
    if limit is not None and limit < 1:
        raise ApiFault(f"{p.field_name('parallelTablesLimit')} must be at least 1")
    one_of(p, "stagingBufferType", STAGING_BUFFERS)
    one_of(p, "source.changeTrackingMethod", CT_METHODS)
    settings = p.scalars()
    keep_schedules(p, settings)
    return settings


def create_sql_replication(ctx: Context) -> Replication:
    p = ctx.params
    source = connection_string(p, "source.connectionString")
    destination = connection_string(p, "destination.connectionString")
    method = _method(p)
    settings = _validated_options(p)
    name = p.text("replicationName") or ""
    return ctx.store.add_replication(
        kind="SqlToSql",
        name=name.strip() or database_of(source) or "",
        method=method,
        source=source,
        destination=destination,
        source_encrypt=p.flag("source.encryptDataInTransit"),
        destination_encrypt=p.flag("destination.encryptDataInTransit"),
        settings=settings,
    )


@action("CreateReplication")
def create_replication(ctx: Context) -> Payload:
    return {"replicationId": create_sql_replication(ctx).replication_id}


@action("CreateAllReplication")
def create_all_replication(ctx: Context) -> Payload:
    p = ctx.params
    skip_existing = p.flag("skipExisting")
    p.flag("ignoreDbDependencies")
    source = connection_string(p, "source.connectionString")
    if skip_existing:
        existing = [
            r.replication_id
            for r in ctx.store.replications.values()
            if r.kind == "SqlToSql" and database_of(r.source) == database_of(source)
        ]
        if existing:
            return {"replicationIds": []}
    return {"replicationIds": [create_sql_replication(ctx).replication_id]}


def _last_transfer(ctx: Context, replication: Replication) -> str:
    if not replication.seeded(ctx.now):
        return ""
    return long_timestamp(ctx.store.clock.wall(replication.last_transfer(ctx.now)))


@action("GetReplicationsList", get=True)
def get_replications_list(ctx: Context) -> Payload:
    items = [
        {
            "replicationId": r.replication_id,
            "source": masked(r.source, encrypt=r.source_encrypt),
            "destination": masked(r.destination, encrypt=r.destination_encrypt),
            "isEnabled": r.is_enabled(ctx.now),
            "lastSuccessfullTransfer": _last_transfer(ctx, r),
        }
        for r in ctx.store.replications.values()
    ]
    return {"replications": items}


@action("ReplicationStatus")
def replication_status(ctx: Context) -> Payload:
    replication = ctx.replication()
    timeout = ctx.params.number("connectionTestTimeout", 30)
    if timeout is not None and timeout < 0:
        raise ApiFault(f"{ctx.params.field_name('connectionTestTimeout')} must not be negative")
    return {
        "replicationId": replication.replication_id,
        "requestTimestamp": ctx.timestamp(),
        "sourceConnectionStatus": "Connected",
        "destinationConnectionStatus": "Connected",
        "seedingStatus": replication.seeding.status(ctx.now),
        "seedingProgress": replication.seeding.progress(ctx.now),
        "changeTrackingStatus": replication.change_tracking_status(ctx.now),
        "ctPId": replication.ct_pid,
        "replicationName": replication.name,
        "dataReplication": replication.data_replication,
        "schemaReplication": replication.schema_replication,
    }


def apply_common_alterations(ctx: Context, replication: Replication) -> None:
    """Fields AlterReplication and AlterRedshiftReplication share: name, connections, on/off switches."""
    p = ctx.params
    name = p.text("replicationName")
    if name is not None and name.strip():
        replication.name = name.strip()
    if p.has("sourceConnectionString"):
        replication.source = connection_string(p, "sourceConnectionString")
    if p.has("destinationConnectionString"):
        replication.destination = connection_string(p, "destinationConnectionString")
    data_replication = p.flag("dataReplication", replication.data_replication)
    if replication.data_replication and not data_replication:
        replication.data_off_at = ctx.now
    replication.data_replication = data_replication
    replication.schema_replication = p.flag("schemaReplication", replication.schema_replication)
    for flag in ("isContinuous", "isLogErrorsOnly"):
        p.flag(flag)
    for number in (
        "parallelTablesLimit",
        "changeTrackingBatchLimit",
        "ctProcessTimeoutInMinutes",
        "serializedCtProcessTimeoutInMinutes",
        "autoSerializedCtProcessTimeoutInMinutes",
        "repeatIntervalInMinutes",
    ):
        p.number(number)
    replication.settings.update(
        {k: v for k, v in p.scalars().items() if k not in ("replicationid", "sourceconnectionstring")}
    )
    replication.settings.pop("destinationconnectionstring", None)


@action("AlterReplication")
def alter_replication(ctx: Context) -> Payload:
    replication = ctx.replication(kinds=("SqlToSql",))
    p = ctx.params
    for flag in (
        "dynamicTablesDiscovery",
        "dynamicViewsDiscovery",
        "addNewTablesToExcusionList",
        "replicateTablesOnly",
        "dropTablesFoundOnReplicaOnly",
        "replicateLoginsUsersRoles",
        "dropLoginsUsersRolesFoundOnReplicaOnly",
    ):
        p.flag(flag)
    for flag in ("tablesToExcludeDisableCt", "tablesToExcludeDisableCdc"):
        p.flag(flag)
    for number in (
        "parallelReplicationLimit",
        "parallelDetectionLimit",
        "changeTrackingBatchLimit",
        "ctProcessTimeoutInMinutes",
        "serializedCtProcessTimeoutInMinutes",
        "autoSerializedCtProcessTimeoutInMinutes",
        "repeatIntervalInMinutes",
    ):
        positive(p, number)
    for name in ("scheduleIntervalTimeFrom", "scheduleIntervalTimeTo"):
        time_of_day(p, name)
    exclusion_rules(p)
    one_of(p, "stagingBufferType", STAGING_BUFFERS)
    schedules: dict[str, Any] = {}
    keep_schedules(p, schedules)
    apply_common_alterations(ctx, replication)
    replication.settings.update(schedules)
    return None


@action("DeleteReplication")
def delete_replication(ctx: Context) -> Payload:
    replication = ctx.replication(kinds=("SqlToSql",))
    del ctx.store.replications[replication.replication_id]
    return None


@action("AnalyzeReplication")
def analyze_replication(ctx: Context) -> Payload:
    replication = ctx.replication(kinds=("SqlToSql",))
    p = ctx.params
    for flag in ("tablesWithoutPkOnly", "excludeReplicaRowCounts"):
        p.flag(flag)
    iterations = p.number("preciseRowCounts.maxIterations", 1)
    if p.flag("excludeReplicaRowCounts") and iterations:
        raise ApiFault(
            f"{p.field_name('excludeReplicaRowCounts')} cannot be combined with "
            f"{p.field_name('preciseRowCounts.maxIterations')} above 0"
        )
    if not replication.seeded(ctx.now):
        raise ApiFault(f"{replication.replication_id}:Replication seeding has not completed")
    return {
        "requestTimestamp": ctx.timestamp(),
        "replicationId": replication.replication_id,
        "status": "Success",
        "pendingChanges": 0,
        "discrepancies": 0,
    }
