"""Typed CloudBasic request and response models.

Response models are built with ``from_response(dict)``: tolerant of missing fields, of PascalCase or
camelCase keys and of string-typed booleans and numbers (``"true"``, ``"5"``), and they keep the whole
decoded answer in ``raw`` for fields the reference does not name. Request models produce the camelCase
body with ``to_body()``. Fields marked "invented" in the API reference are read when present, never required.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

import msgspec

from cbprovider.hidden_repr import repr_hiding
from cbprovider.redaction import remember_secret


def _get(data: Mapping[str, Any], *names: str) -> Any:
    """The first present value among ``names``, matching keys case-insensitively."""
    lowered = {str(k).lower(): v for k, v in data.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value is not None:
            return value
    return None


def as_text(value: Any) -> str | None:
    return None if value is None else str(value)


def as_bool(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    return None


def as_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(str(value).strip().rstrip("%"))
    except ValueError:
        return None


def _body(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


# -- responses ----------------------------------------------------------------------------------------
class KeyPair(msgspec.Struct, frozen=True):
    """ActivateInstance / CreateUser answer. ``repr`` hides the private key."""

    public_key: str
    private_key: str
    user_name: str | None = None
    eula_url: str | None = None
    volume_eula_url: str | None = None
    raw: dict[str, Any] = msgspec.field(default_factory=dict)

    __repr__ = repr_hiding("private_key", "raw")

    @classmethod
    def from_response(cls, data: Mapping[str, Any]) -> Self:
        private_key = as_text(_get(data, "privateKey")) or ""
        remember_secret(private_key)
        return cls(
            public_key=as_text(_get(data, "publicKey")) or "",
            private_key=private_key,
            user_name=as_text(_get(data, "userName", "username")),
            eula_url=as_text(_get(data, "eulaUrl")),
            volume_eula_url=as_text(_get(data, "volumeEulaUrl")),
            raw=dict(data),
        )


class ServiceStatus(msgspec.Struct, frozen=True):
    """ReplicationServiceStatus / ActiveDirectoryStatus: ``status``, the cluster peer's ``remote_status``."""

    status: str | None
    remote_status: str | None = None
    request_timestamp: str | None = None
    raw: dict[str, Any] = msgspec.field(default_factory=dict)

    __repr__ = repr_hiding("raw")

    @classmethod
    def from_response(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            status=as_text(_get(data, "status")),
            remote_status=as_text(_get(data, "remoteStatus")),
            request_timestamp=as_text(_get(data, "requestTimestamp")),
            raw=dict(data),
        )


class ReplicationSummary(msgspec.Struct, frozen=True):
    """One entry of GetReplicationsList (connection strings arrive with passwords masked)."""

    replication_id: str
    source: str | None = None
    destination: str | None = None
    is_enabled: bool | None = None
    last_successful_transfer: str | None = None
    raw: dict[str, Any] = msgspec.field(default_factory=dict)

    __repr__ = repr_hiding("raw")

    @classmethod
    def from_response(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            replication_id=as_text(_get(data, "replicationId", "id")) or "",
            source=as_text(_get(data, "source")),
            destination=as_text(_get(data, "destination")),
            is_enabled=as_bool(_get(data, "isEnabled")),
            last_successful_transfer=as_text(_get(data, "lastSuccessfullTransfer", "lastSuccessfulTransfer")),
            raw=dict(data),
        )


def replications_from_response(data: Mapping[str, Any]) -> list[ReplicationSummary]:
    """The list of GetReplicationsList, whether it came as a list or a single XML element."""
    items = _get(data, "replications")
    if isinstance(items, Mapping):
        inner = _get(items, "replication")
        items = inner if inner is not None else [items]
    if isinstance(items, Mapping):
        items = [items]
    if not isinstance(items, list):
        return []
    return [ReplicationSummary.from_response(item) for item in items if isinstance(item, Mapping)]


class ReplicationStatus(msgspec.Struct, frozen=True):
    """ReplicationStatus. Only ``replicationId`` and ``requestTimestamp`` are documented; the other
    fields are the simulator's (invented) names, read when present."""

    replication_id: str
    request_timestamp: str | None = None
    source_connection_status: str | None = None
    destination_connection_status: str | None = None
    seeding_status: str | None = None
    seeding_progress: int | None = None
    change_tracking_status: str | None = None
    ct_pid: str | None = None
    raw: dict[str, Any] = msgspec.field(default_factory=dict)

    __repr__ = repr_hiding("raw")

    @classmethod
    def from_response(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            replication_id=as_text(_get(data, "replicationId")) or "",
            request_timestamp=as_text(_get(data, "requestTimestamp")),
            source_connection_status=as_text(_get(data, "sourceConnectionStatus")),
            destination_connection_status=as_text(_get(data, "destinationConnectionStatus")),
            seeding_status=as_text(_get(data, "seedingStatus", "status")),
            seeding_progress=as_int(_get(data, "seedingProgress", "progress")),
            change_tracking_status=as_text(_get(data, "changeTrackingStatus")),
            ct_pid=as_text(_get(data, "ctPId", "ctPid")),
            raw=dict(data),
        )


class JobStatus(msgspec.Struct, frozen=True):
    """The ``…Status`` companion of an asynchronous job (rebuild indexes, promote): status, progress, logs."""

    replication_id: str | None
    status: str | None
    progress: int | None = None
    logs: str | None = None
    raw: dict[str, Any] = msgspec.field(default_factory=dict)

    __repr__ = repr_hiding("raw")

    @classmethod
    def from_response(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            replication_id=as_text(_get(data, "replicationId")),
            status=as_text(_get(data, "status")),
            progress=as_int(_get(data, "progress")),
            logs=as_text(_get(data, "logs")),
            raw=dict(data),
        )


class ReseedTableStatus(msgspec.Struct, frozen=True):
    is_running: bool | None
    raw: dict[str, Any] = msgspec.field(default_factory=dict)

    __repr__ = repr_hiding("raw")

    @classmethod
    def from_response(cls, data: Mapping[str, Any]) -> Self:
        return cls(is_running=as_bool(_get(data, "isRunning")), raw=dict(data))


class Logs(msgspec.Struct, frozen=True):
    """GetLogs: ``type`` such as ``SqlToSqlSeeding`` and the log text (lines ``<time>>message``)."""

    id: str | None
    type: str | None
    logs: str
    raw: dict[str, Any] = msgspec.field(default_factory=dict)

    __repr__ = repr_hiding("raw")

    @classmethod
    def from_response(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=as_text(_get(data, "id")),
            type=as_text(_get(data, "type")),
            logs=as_text(_get(data, "logs")) or "",
            raw=dict(data),
        )


class Latency(msgspec.Struct, frozen=True):
    replication_id: str | None
    average_latency: str | None
    period: str | None = None
    is_data_replication_on: bool | None = None
    time_since_last_data_sync: str | None = None
    raw: dict[str, Any] = msgspec.field(default_factory=dict)

    __repr__ = repr_hiding("raw")

    @classmethod
    def from_response(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            replication_id=as_text(_get(data, "replicationId")),
            average_latency=as_text(_get(data, "averageLatency")),
            period=as_text(_get(data, "period")),
            is_data_replication_on=as_bool(_get(data, "isDataReplicationOn")),
            time_since_last_data_sync=as_text(_get(data, "timeSinceLastDataSync")),
            raw=dict(data),
        )


# -- requests -----------------------------------------------------------------------------------------
class Endpoint(msgspec.Struct, frozen=True):
    """``source`` / ``destination`` of CreateReplication. ``repr`` hides the connection string (it
    carries a password)."""

    connection_string: str
    encrypt_data_in_transit: bool | None = None
    extra: Mapping[str, Any] = msgspec.field(default_factory=dict)

    __repr__ = repr_hiding("connection_string")

    def to_body(self) -> dict[str, Any]:
        return _body(
            {
                **self.extra,
                "connectionString": self.connection_string,
                "encryptDataInTransit": self.encrypt_data_in_transit,
            }
        )


def _listed(items: tuple[str, ...] | None, separator: str = ",") -> str | None:
    """A comma list as the API takes it (``None``: not sent; an empty tuple: ``""``, the empty list)."""
    return None if items is None else separator.join(items)


def _flag_text(value: bool | None) -> str | None:
    """A switch as the vendor's AlterReplication sample sends it: ``"true"`` / ``"false"``."""
    return None if value is None else ("true" if value else "false")


REBUILD_SCHEDULE_KEY = "RebuildDbReplicaIndexesSchedule"
"""The index-rebuild schedule's key: PascalCase even in JSON in the vendor's samples."""


class ReseedingSchedule(msgspec.Struct, frozen=True):
    """``reseedingSchedule``: tables reseeded periodically inside a daily window (the vendor's workaround
    for tables without a primary key, which change tracking cannot follow).

    Both table lists are always sent (``""`` when empty): a schedule with no tables reseeds nothing, which
    is how ``cleared()`` switches a schedule off.
    """

    no_pk_tables_to_include: tuple[str, ...] = ()
    pk_tables_to_include: tuple[str, ...] = ()
    from_time: str | None = None
    to_time: str | None = None
    repeat_interval_in_minutes: int | None = None
    process_timeout_in_minutes: int | None = None
    serialized_process_timeout_in_minutes: int | None = None
    auto_serialized_process_timeout_in_minutes: int | None = None

    @classmethod
    def cleared(cls) -> Self:
        return cls()

    def to_body(self) -> dict[str, Any]:
        return _body(
            {
                "noPkTablesToInclude": ",".join(self.no_pk_tables_to_include),
                "pkTablesToInclude": ",".join(self.pk_tables_to_include),
                "fromTime": self.from_time,
                "toTime": self.to_time,
                "repeatIntervalInMinutes": self.repeat_interval_in_minutes,
                "processTimeoutInMinutes": self.process_timeout_in_minutes,
                "serializedProcessTimeoutInMinutes": self.serialized_process_timeout_in_minutes,
                "autoSerializedProcessTimeoutInMinutes": self.auto_serialized_process_timeout_in_minutes,
            }
        )


class IndexRebuildSchedule(msgspec.Struct, frozen=True):
    """``RebuildDbReplicaIndexesSchedule``: a recurring rebuild of the replica's indexes in a window."""

    enabled: bool = True
    recurrence: str | None = None
    week_days: tuple[str, ...] | None = None
    from_time: str | None = None
    to_time: str | None = None
    parallel_indexes_rebuild_limit: int | None = None

    @classmethod
    def disabled(cls) -> Self:
        return cls(enabled=False)

    def to_body(self) -> dict[str, Any]:
        return _body(
            {
                "enabled": self.enabled,
                "recurrence": self.recurrence,
                "weekDays": _listed(self.week_days),
                "fromTime": self.from_time,
                "toTime": self.to_time,
                "parallelIndexesRebuildLimit": self.parallel_indexes_rebuild_limit,
            }
        )


class CreateReplicationRequest(msgspec.Struct, frozen=True):
    """CreateReplication; ``extra`` carries any further documented field (camelCase) as given."""

    source: Endpoint
    destination: Endpoint
    replication_method: str = "ContinuousWithAutoSeeding"
    replication_name: str | None = None
    parallel_tables_limit: int | None = None
    stored_procedures_to_exclude: tuple[str, ...] | None = None
    reseeding_schedule: ReseedingSchedule | None = None
    rebuild_db_replica_indexes_schedule: IndexRebuildSchedule | None = None
    extra: Mapping[str, Any] = msgspec.field(default_factory=dict)

    def to_body(self) -> dict[str, Any]:
        reseeding, rebuild = self.reseeding_schedule, self.rebuild_db_replica_indexes_schedule
        return _body(
            {
                "replicationMethod": self.replication_method,
                "replicationName": self.replication_name,
                "parallelTablesLimit": self.parallel_tables_limit,
                **self.extra,
                "storedProceduresToExclude": _listed(self.stored_procedures_to_exclude),
                "reseedingSchedule": reseeding.to_body() if reseeding is not None else None,
                REBUILD_SCHEDULE_KEY: rebuild.to_body() if rebuild is not None else None,
                "source": self.source.to_body(),
                "destination": self.destination.to_body(),
            }
        )


class AlterReplicationRequest(msgspec.Struct, frozen=True):
    """AlterReplication's settings of a SQL Server replication; ``None`` leaves the job's value as it is.

    Switches go as ``"true"``/``"false"`` and lists as comma lists, as in the vendor's sample.
    ``add_new_tables_to_exclusion_list`` is sent as ``addNewTablesToExcusionList`` (the API's spelling).
    ``parallel_replication_limit`` and ``parallel_detection_limit`` replace ``parallelTablesLimit`` from
    12.51.
    """

    replication_name: str | None = None
    source_connection_string: str | None = None
    destination_connection_string: str | None = None
    data_replication: bool | None = None
    schema_replication: bool | None = None
    replicate_tables_only: bool | None = None
    replicate_logins_users_roles: bool | None = None
    drop_tables_found_on_replica_only: bool | None = None
    drop_logins_users_roles_found_on_replica_only: bool | None = None
    dynamic_tables_discovery: bool | None = None
    dynamic_views_discovery: bool | None = None
    add_new_tables_to_exclusion_list: bool | None = None
    dynamic_tables_exclusion_rules: tuple[str, ...] | None = None
    parallel_replication_limit: int | None = None
    parallel_detection_limit: int | None = None
    change_tracking_batch_limit: int | None = None
    ct_process_timeout_in_minutes: int | None = None
    serialized_ct_process_timeout_in_minutes: int | None = None
    auto_serialized_ct_process_timeout_in_minutes: int | None = None
    is_continuous: bool | None = None
    repeat_interval_in_minutes: int | None = None
    schedule_interval_time_from: str | None = None
    schedule_interval_time_to: str | None = None
    staging_buffer_type: str | None = None
    tables_to_exclude: tuple[str, ...] | None = None
    tables_to_exclude_disable_ct: bool | None = None
    tables_to_exclude_disable_cdc: bool | None = None
    stored_procedures_to_exclude: tuple[str, ...] | None = None
    indexes_to_exclude: tuple[str, ...] | None = None
    reseeding_schedule: ReseedingSchedule | None = None
    rebuild_db_replica_indexes_schedule: IndexRebuildSchedule | None = None

    __repr__ = repr_hiding("source_connection_string", "destination_connection_string")

    def to_body(self) -> dict[str, Any]:
        """The request's fields in the API's names, without the ``replicationId``."""
        reseeding, rebuild = self.reseeding_schedule, self.rebuild_db_replica_indexes_schedule
        return _body(
            {
                "replicationName": self.replication_name,
                "sourceConnectionString": self.source_connection_string,
                "destinationConnectionString": self.destination_connection_string,
                "dataReplication": _flag_text(self.data_replication),
                "schemaReplication": _flag_text(self.schema_replication),
                "replicateTablesOnly": _flag_text(self.replicate_tables_only),
                "replicateLoginsUsersRoles": _flag_text(self.replicate_logins_users_roles),
                "dropTablesFoundOnReplicaOnly": _flag_text(self.drop_tables_found_on_replica_only),
                "dropLoginsUsersRolesFoundOnReplicaOnly": _flag_text(
                    self.drop_logins_users_roles_found_on_replica_only
                ),
                "dynamicTablesDiscovery": _flag_text(self.dynamic_tables_discovery),
                "dynamicViewsDiscovery": _flag_text(self.dynamic_views_discovery),
                "addNewTablesToExcusionList": _flag_text(self.add_new_tables_to_exclusion_list),
                "dynamicTablesExclusionRules": _listed(self.dynamic_tables_exclusion_rules, ", "),
                "parallelReplicationLimit": self.parallel_replication_limit,
                "parallelDetectionLimit": self.parallel_detection_limit,
                "changeTrackingBatchLimit": self.change_tracking_batch_limit,
                "ctProcessTimeoutInMinutes": self.ct_process_timeout_in_minutes,
                "serializedCtProcessTimeoutInMinutes": self.serialized_ct_process_timeout_in_minutes,
                "autoSerializedCtProcessTimeoutInMinutes": self.auto_serialized_ct_process_timeout_in_minutes,
                "isContinuous": _flag_text(self.is_continuous),
                "repeatIntervalInMinutes": self.repeat_interval_in_minutes,
                "scheduleIntervalTimeFrom": self.schedule_interval_time_from,
                "scheduleIntervalTimeTo": self.schedule_interval_time_to,
                "stagingBufferType": self.staging_buffer_type,
                "tablesToExclude": _listed(self.tables_to_exclude),
                "tablesToExcludeDisableCt": _flag_text(self.tables_to_exclude_disable_ct),
                "tablesToExcludeDisableCdc": _flag_text(self.tables_to_exclude_disable_cdc),
                "storedProceduresToExclude": _listed(self.stored_procedures_to_exclude),
                "indexesToExclude": _listed(self.indexes_to_exclude),
                "reseedingSchedule": reseeding.to_body() if reseeding is not None else None,
                REBUILD_SCHEDULE_KEY: rebuild.to_body() if rebuild is not None else None,
            }
        )


class CreateUserRequest(msgspec.Struct, frozen=True):
    email: str
    username: str
    first_name: str
    last_name: str
    password: str
    is_admin: bool = False

    __repr__ = repr_hiding("password")

    def to_body(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "username": self.username,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "password": self.password,
            "isAdmin": self.is_admin,
        }


class ActivateInstanceRequest(msgspec.Struct, frozen=True):
    email: str
    instance_id: str
    password: str
    is_production: bool | None = None
    company: str | None = None
    contact_person: str | None = None
    activation_key: str | None = None
    agree_to_eula: bool = True
    is_volume_activation_key: bool | None = None
    agree_to_volume_eula: bool | None = None

    __repr__ = repr_hiding("password", "activation_key")

    def to_body(self) -> dict[str, Any]:
        return _body(
            {
                "email": self.email,
                "instanceId": self.instance_id,
                "password": self.password,
                "isProduction": self.is_production,
                "company": self.company,
                "contactPerson": self.contact_person,
                "activationKey": self.activation_key,
                "agreeToEula": self.agree_to_eula,
                "isVolumeActivationKey": self.is_volume_activation_key,
                "agreeToVolumeEula": self.agree_to_volume_eula,
            }
        )


class ClusterRequest(msgspec.Struct, frozen=True):
    """CreateCluster / AlterCluster: the remote node and the key pair its own ActivateInstance returned."""

    remote_server: str
    public_key: str
    private_key: str
    port: int | None = None
    local_server: str | None = None

    __repr__ = repr_hiding("private_key")

    def to_body(self) -> dict[str, Any]:
        return _body(
            {
                "remoteServer": self.remote_server,
                "localServer": self.local_server,
                "port": self.port,
                "publicKey": self.public_key,
                "privateKey": self.private_key,
            }
        )
