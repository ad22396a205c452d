"""SQL Server -> Redshift and SQL Server -> S3 data-lake jobs (through a SQL Server staging database).

Choices: both creates answer ``{replicationId}`` like CreateReplication; with ``AccessType``
``AccessKey`` (the documented variant, and the default) ``AccessKey`` and ``SecretKey`` are
required, other access types are taken as role-based and need no keys. The secret key is kept but
never answered. DeleteRedshiftReplication, AlterS3Replication and DeleteS3Replication (no captured
page) mirror their siblings (q. 16): a ``replicationId`` body and a 200 with an empty body; ids of
another job kind are "not found".
"""

from __future__ import annotations

from simulators.cloudbasic.actions.registry import Context, Payload, action
from simulators.cloudbasic.actions.replications import apply_common_alterations, connection_string, one_of
from simulators.cloudbasic.params import Params
from simulators.cloudbasic.texts import database_of

SCD_TYPES = ("Type1", "Type2")


def _access_keys(p: Params, section: str) -> None:
    access_type = (p.text(f"{section}.accessType") or "AccessKey").strip()
    if access_type.lower() in ("accesskey", "accesskeys"):
        p.require(f"{section}.accessKey")
        p.require(f"{section}.secretKey")


def _common(p: Params, section: str) -> tuple[str, str]:
    source = connection_string(p, "source.connectionString")
    staging = connection_string(p, "staging.connectionString")
    p.require(f"{section}.bucketName")
    _access_keys(p, section)
    one_of(p, f"{section}.scdType", SCD_TYPES)
    p.number(f"{section}.retentionDays")
    p.number("parallelTablesLimit")
    for flag in ("rebuildIndexes", "addUpdateTimestamp", "source.encryptDataInTransit"):
        p.flag(flag)
    return source, staging


@action("CreateRedshiftReplication")
def create_redshift_replication(ctx: Context) -> Payload:
    p = ctx.params
    source, staging = _common(p, "redshift")
    url = p.require("redshift.url")
    database = p.require("redshift.databaseName")
    p.require("redshift.username")
    replication = ctx.store.add_replication(
        kind="SqlToRedshift",
        name=database_of(source) or "",
        method="ContinuousWithAutoSeeding",
        source=source,
        destination=f"Redshift={url};Database={database};Staging={database_of(staging)}",
        source_encrypt=p.flag("source.encryptDataInTransit"),
    )
    return {"replicationId": replication.replication_id}


@action("AlterRedshiftReplication")
def alter_redshift_replication(ctx: Context) -> Payload:
    apply_common_alterations(ctx, ctx.replication(kinds=("SqlToRedshift",)))
    return None


@action("DeleteRedshiftReplication")
def delete_redshift_replication(ctx: Context) -> Payload:
    del ctx.store.replications[ctx.replication(kinds=("SqlToRedshift",)).replication_id]
    return None


@action("CreateS3Replication")
def create_s3_replication(ctx: Context) -> Payload:
    p = ctx.params
    source, staging = _common(p, "s3DataLake")
    bucket = p.require("s3DataLake.bucketName")
    folder = (p.text("s3DataLake.bucketFolderName") or "").strip("/")
    p.flag("source.resetChangeTracking")
    replication = ctx.store.add_replication(
        kind="SqlToS3",
        name=database_of(source) or "",
        method="ContinuousWithAutoSeeding",
        source=source,
        destination=f"S3=s3://{bucket}/{folder};Staging={database_of(staging)}",
        source_encrypt=p.flag("source.encryptDataInTransit"),
    )
    return {"replicationId": replication.replication_id}


@action("AlterS3Replication")
def alter_s3_replication(ctx: Context) -> Payload:
    apply_common_alterations(ctx, ctx.replication(kinds=("SqlToS3",)))
    return None


@action("DeleteS3Replication")
def delete_s3_replication(ctx: Context) -> Payload:
    del ctx.store.replications[ctx.replication(kinds=("SqlToS3",)).replication_id]
    return None
