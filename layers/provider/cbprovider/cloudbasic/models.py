"""Typed CloudBasic request and response models.

Response models are built with ``from_response(dict)``: tolerant of missing fields, of PascalCase or
camelCase keys and of string-typed booleans and numbers (``"true"``, ``"5"``), and they keep the whole
decoded answer in ``raw`` for fields the reference does not name. Request models produce the camelCase
body with ``to_body()``. Fields marked "invented" in the API reference are read when present, never required.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

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
@dataclass(frozen=True)
class KeyPair:
    """ActivateInstance / CreateUser answer. ``repr`` hides the private key."""

    public_key: str
    private_key: str = field(repr=False)
    user_name: str | None = None
    eula_url: str | None = None
    volume_eula_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

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


@dataclass(frozen=True)
class ServiceStatus:
    """ReplicationServiceStatus / ActiveDirectoryStatus: ``status``, the cluster peer's ``remote_status``."""

    status: str | None
    remote_status: str | None = None
    request_timestamp: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_response(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            status=as_text(_get(data, "status")),
            remote_status=as_text(_get(data, "remoteStatus")),
            request_timestamp=as_text(_get(data, "requestTimestamp")),
            raw=dict(data),
        )


@dataclass(frozen=True)
class ReplicationSummary:
    """One entry of GetReplicationsList (connection strings arrive with passwords masked)."""

    replication_id: str
    source: str | None = None
    destination: str | None = None
    is_enabled: bool | None = None
    last_successful_transfer: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

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


@dataclass(frozen=True)
class ReplicationStatus:
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
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

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


@dataclass(frozen=True)
class JobStatus:
    """The ``…Status`` companion of an asynchronous job (rebuild indexes, promote): status, progress, logs."""

    replication_id: str | None
    status: str | None
    progress: int | None = None
    logs: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_response(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            replication_id=as_text(_get(data, "replicationId")),
            status=as_text(_get(data, "status")),
            progress=as_int(_get(data, "progress")),
            logs=as_text(_get(data, "logs")),
            raw=dict(data),
        )


@dataclass(frozen=True)
class ReseedTableStatus:
    is_running: bool | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_response(cls, data: Mapping[str, Any]) -> Self:
        return cls(is_running=as_bool(_get(data, "isRunning")), raw=dict(data))


@dataclass(frozen=True)
class Logs:
    """GetLogs: ``type`` such as ``SqlToSqlSeeding`` and the log text (lines ``<time>>message``)."""

    id: str | None
    type: str | None
    logs: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_response(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=as_text(_get(data, "id")),
            type=as_text(_get(data, "type")),
            logs=as_text(_get(data, "logs")) or "",
            raw=dict(data),
        )


@dataclass(frozen=True)
class Latency:
    replication_id: str | None
    average_latency: str | None
    period: str | None = None
    is_data_replication_on: bool | None = None
    time_since_last_data_sync: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

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
@dataclass(frozen=True)
class Endpoint:
    """``source`` / ``destination`` of CreateReplication. ``repr`` hides the connection string (it
    carries a password)."""

    connection_string: str = field(repr=False)
    encrypt_data_in_transit: bool | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_body(self) -> dict[str, Any]:
        return _body(
            {
                **self.extra,
                "connectionString": self.connection_string,
                "encryptDataInTransit": self.encrypt_data_in_transit,
            }
        )


@dataclass(frozen=True)
class CreateReplicationRequest:
    """CreateReplication; ``extra`` carries any further documented field (camelCase) as given."""

    source: Endpoint
    destination: Endpoint
    replication_method: str = "ContinuousWithAutoSeeding"
    replication_name: str | None = None
    parallel_tables_limit: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_body(self) -> dict[str, Any]:
        return _body(
            {
                "replicationMethod": self.replication_method,
                "replicationName": self.replication_name,
                "parallelTablesLimit": self.parallel_tables_limit,
                **self.extra,
                "source": self.source.to_body(),
                "destination": self.destination.to_body(),
            }
        )


@dataclass(frozen=True)
class CreateUserRequest:
    email: str
    username: str
    first_name: str
    last_name: str
    password: str = field(repr=False)
    is_admin: bool = False

    def to_body(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "username": self.username,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "password": self.password,
            "isAdmin": self.is_admin,
        }


@dataclass(frozen=True)
class ActivateInstanceRequest:
    email: str
    instance_id: str
    password: str = field(repr=False)
    is_production: bool | None = None
    company: str | None = None
    contact_person: str | None = None
    activation_key: str | None = field(default=None, repr=False)
    agree_to_eula: bool = True
    is_volume_activation_key: bool | None = None
    agree_to_volume_eula: bool | None = None

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


@dataclass(frozen=True)
class ClusterRequest:
    """CreateCluster / AlterCluster: the remote node and the key pair its own ActivateInstance returned."""

    remote_server: str
    public_key: str
    private_key: str = field(repr=False)
    port: int | None = None
    local_server: str | None = None

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
