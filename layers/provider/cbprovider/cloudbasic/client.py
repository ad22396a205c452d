"""Client of the CloudBasic REST API: every documented action, signed with SigV4, JSON or XML.

Every call is ``POST /api/<Action>`` (``GET`` for the parameterless actions documented as GET) signed
afresh on each attempt. Retries: the transport's (connection errors, 5xx, 429 with ``Retry-After``) for
every action except the non-idempotent ones in ``NON_IDEMPOTENT`` (a second CreateReplication makes a
second job, a second CreateUser fails on the unique e-mail). Those are sent again only when the server
cannot have acted on them: the connection was refused, or it answered 429 or 503. A timeout or a dropped
connection after the request went out raises ``ApiConnectionError`` instead; the caller should look the
object up (GetReplicationsList) before creating it again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cbprovider.api_client import ApiClient
from cbprovider.cloudbasic.codec import SERVICE, decode_error, decode_response, encode_request
from cbprovider.cloudbasic.models import (
    ActivateInstanceRequest,
    AlterReplicationRequest,
    ClusterRequest,
    CreateReplicationRequest,
    CreateUserRequest,
    JobStatus,
    KeyPair,
    Latency,
    Logs,
    ReplicationStatus,
    ReplicationSummary,
    ReseedTableStatus,
    ServiceStatus,
    replications_from_response,
)
from cbprovider.cloudbasic.signing import CloudBasicSigV4Auth
from cbprovider.deadline import Deadline
from cbprovider.errors import ApiError, ResponseFormatError
from cbprovider.http_message import Request, Signer
from cbprovider.transport import RetryPolicy, Timeouts

NON_IDEMPOTENT = frozenset(
    {
        "ActivateInstance",
        "CreateUser",
        "CreateReplication",
        "CreateAllReplication",
        "CreateRedshiftReplication",
        "CreateS3Replication",
        "CreateCluster",
    }
)
GET_ACTIONS = frozenset({"ReplicationServiceStatus", "DeactivateInstance"})
_ACTION = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_NOT_FOUND = re.compile(r"^\s*[0-9a-fA-F-]{8,}\s*:\s*Replication\b.*not\s+(found|exist)", re.IGNORECASE)


def is_not_found(error: ApiError) -> bool:
    """True for the ``{replicationId}:Replication not found`` answer (a 400, the only one documented)."""
    if error.service != SERVICE or error.status not in (400, 404):
        return False
    return any(_NOT_FOUND.search(message) for message in error.messages)


class CloudBasicClient(ApiClient):
    """Typed access to one CloudBasic instance (or cluster node) over one keep-alive session.

    ``credentials`` is ``(access_key_id, secret_access_key)``; without it only ActivateInstance works.
    ``ca_bundle`` is a path to the trust roots for a self-signed server certificate; verification is
    never turned off. ``deadline`` bounds every call (a call's own deadline may only end it sooner).
    """

    def __init__(
        self,
        base_url: str,
        credentials: tuple[str, str] | None,
        *,
        service: str = "cloudbasic",
        region: str = "",
        ca_bundle: str | None = None,
        xml: bool = False,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        deadline: Deadline | None = None,
        auth: Signer | None = None,
    ) -> None:
        super().__init__(
            base_url, api="CloudBasic", service=SERVICE, timeouts=timeouts, retry=retry, ca_bundle=ca_bundle
        )
        if auth is None and credentials is not None:
            auth = CloudBasicSigV4Auth(*credentials, service=service, region=region)
        self.auth = auth
        self.xml = xml
        self.deadline = deadline

    def __repr__(self) -> str:
        return f"CloudBasicClient(base_url={self.base_url!r}, auth={self.auth!r}, xml={self.xml})"

    # -- generic -------------------------------------------------------------------------------------
    def call(
        self,
        action: str,
        body: Mapping[str, Any] | None = None,
        *,
        method: str = "POST",
        deadline: Deadline | None = None,
        signed: bool = True,
    ) -> dict[str, Any]:
        """Send one action and return its decoded answer (``{}`` when the server sends no body).

        Raises ``ApiError`` for a non-2xx answer, ``ResponseFormatError`` for an unreadable 2xx one and
        ``ApiConnectionError`` when the server could not be reached.
        """
        if not _ACTION.match(action):
            raise ValueError(f"CloudBasic action must be a PascalCase name, got {action!r}")
        method = method.upper()
        headers: dict[str, str] = {"Accept": "application/xml" if self.xml else "application/json"}
        data: bytes | None = None
        if method != "GET" or body:
            data, content_type = encode_request(action, body, xml=self.xml)
            headers["Content-Type"] = content_type
        if signed and self.auth is None:
            raise ValueError(f"CloudBasic {action} must be signed: the client has no credentials")
        request = Request(
            method,
            f"{self.base_url}/api/{action}",
            headers=headers,
            body=data,
            auth=self.auth if signed else None,
        )
        deadline = (deadline or Deadline.never()).sooner(self.deadline)
        response = self._transport.send(
            request, operation=action, deadline=deadline, idempotent=action not in NON_IDEMPOTENT
        )
        content = response.content
        if not 200 <= response.status_code < 300:
            raise decode_error(action, response.status_code, content, response.headers.get("Content-Type"))
        return decode_response(action, content)

    # -- instance --------------------------------------------------------------------------------------
    def activate_instance(
        self, request: ActivateInstanceRequest, *, deadline: Deadline | None = None
    ) -> KeyPair:
        """Activate the instance and create its first admin; unsigned (no keys exist yet)."""
        answer = self.call("ActivateInstance", request.to_body(), deadline=deadline, signed=False)
        return KeyPair.from_response(answer)

    def deactivate_instance(self, *, deadline: Deadline | None = None) -> None:
        self.call("DeactivateInstance", method="GET", deadline=deadline)

    # -- service -------------------------------------------------------------------------------------
    def replication_service_status(self, *, deadline: Deadline | None = None) -> ServiceStatus:
        return ServiceStatus.from_response(
            self.call("ReplicationServiceStatus", method="GET", deadline=deadline)
        )

    def start_replication_service(self, *, deadline: Deadline | None = None) -> dict[str, Any]:
        """Named only in the docs; sent as a parameterless POST like its siblings."""
        return self.call("StartReplicationService", deadline=deadline)

    def stop_replication_service(self, *, deadline: Deadline | None = None) -> dict[str, Any]:
        """Named only in the docs; sent as a parameterless POST like its siblings."""
        return self.call("StopReplicationService", deadline=deadline)

    def active_directory_status(self, *, deadline: Deadline | None = None) -> ServiceStatus:
        return ServiceStatus.from_response(self.call("ActiveDirectoryStatus", deadline=deadline))

    def activate_active_directory(
        self, body: Mapping[str, Any] | None = None, *, deadline: Deadline | None = None
    ) -> dict[str, Any]:
        """Named only in the docs (parameters not captured): ``body`` is passed through."""
        return self.call("ActivateActiveDirectory", body, deadline=deadline)

    def deactivate_active_directory(self, *, deadline: Deadline | None = None) -> None:
        self.call("DeactivateActiveDirectory", deadline=deadline)

    def create_and_bind_self_signed_certificate(
        self, body: Mapping[str, Any] | None = None, *, deadline: Deadline | None = None
    ) -> dict[str, Any]:
        """Named only by a third-party client (parameters not captured): ``body`` is passed through."""
        return self.call("CreateAndBindSelfSignedCertificate", body, deadline=deadline)

    def unbind_and_delete_self_signed_certificate(
        self, body: Mapping[str, Any] | None = None, *, deadline: Deadline | None = None
    ) -> dict[str, Any]:
        """Named only by a third-party client (parameters not captured): ``body`` is passed through."""
        return self.call("UnbindAndDeleteSelfSignedCertificate", body, deadline=deadline)

    # -- users ---------------------------------------------------------------------------------------
    def create_user(self, request: CreateUserRequest, *, deadline: Deadline | None = None) -> KeyPair:
        return KeyPair.from_response(self.call("CreateUser", request.to_body(), deadline=deadline))

    # -- replications ----------------------------------------------------------------------------------
    def create_replication(
        self, request: CreateReplicationRequest, *, deadline: Deadline | None = None
    ) -> str:
        """Create a SQL Server replication job; returns its ``replicationId``."""
        answer = self.call("CreateReplication", request.to_body(), deadline=deadline)
        return _required_id(answer, "CreateReplication")

    def create_all_replication(
        self, body: Mapping[str, Any], *, deadline: Deadline | None = None
    ) -> dict[str, Any]:
        """CreateReplication's shape plus ``skipExisting`` and ``ignoreDbDependencies``."""
        return self.call("CreateAllReplication", body, deadline=deadline)

    def get_replications_list(self, *, deadline: Deadline | None = None) -> list[ReplicationSummary]:
        return replications_from_response(self.call("GetReplicationsList", deadline=deadline))

    def replication_status(
        self,
        replication_id: str,
        *,
        connection_test_timeout: int | None = None,
        deadline: Deadline | None = None,
    ) -> ReplicationStatus:
        body = _id_body(replication_id, connectionTestTimeout=connection_test_timeout)
        return ReplicationStatus.from_response(self.call("ReplicationStatus", body, deadline=deadline))

    def alter_replication(
        self,
        replication_id: str,
        changes: AlterReplicationRequest | Mapping[str, Any],
        *,
        deadline: Deadline | None = None,
    ) -> None:
        """Change job settings: an ``AlterReplicationRequest``, or camelCase fields as given
        (e.g. ``{"dataReplication": "false"}``)."""
        fields = changes.to_body() if isinstance(changes, AlterReplicationRequest) else changes
        self.call("AlterReplication", _id_body(replication_id, **fields), deadline=deadline)

    def delete_replication(self, replication_id: str, *, deadline: Deadline | None = None) -> None:
        """Delete the job (cancels a running seeding). Use ``is_not_found`` to treat a missing job as gone."""
        self.call("DeleteReplication", _id_body(replication_id), deadline=deadline)

    def analyze_replication(
        self,
        replication_id: str,
        options: Mapping[str, Any] | None = None,
        *,
        deadline: Deadline | None = None,
    ) -> dict[str, Any]:
        return self.call("AnalyzeReplication", _id_body(replication_id, **(options or {})), deadline=deadline)

    def create_redshift_replication(
        self, body: Mapping[str, Any], *, deadline: Deadline | None = None
    ) -> dict[str, Any]:
        return self.call("CreateRedshiftReplication", body, deadline=deadline)

    def alter_redshift_replication(
        self, replication_id: str, changes: Mapping[str, Any], *, deadline: Deadline | None = None
    ) -> dict[str, Any]:
        return self.call("AlterRedshiftReplication", _id_body(replication_id, **changes), deadline=deadline)

    def delete_redshift_replication(self, replication_id: str, *, deadline: Deadline | None = None) -> None:
        """Named only in the docs; modelled on DeleteReplication."""
        self.call("DeleteRedshiftReplication", _id_body(replication_id), deadline=deadline)

    def create_s3_replication(
        self, body: Mapping[str, Any], *, deadline: Deadline | None = None
    ) -> dict[str, Any]:
        return self.call("CreateS3Replication", body, deadline=deadline)

    def alter_s3_replication(
        self, replication_id: str, changes: Mapping[str, Any], *, deadline: Deadline | None = None
    ) -> dict[str, Any]:
        """Named only in the docs; modelled on AlterRedshiftReplication."""
        return self.call("AlterS3Replication", _id_body(replication_id, **changes), deadline=deadline)

    def delete_s3_replication(self, replication_id: str, *, deadline: Deadline | None = None) -> None:
        """Named only in the docs; modelled on DeleteReplication."""
        self.call("DeleteS3Replication", _id_body(replication_id), deadline=deadline)

    def get_logs(self, log_id: str, *, deadline: Deadline | None = None) -> Logs:
        """Logs of a replication (seeding) or of a CtPId / RedshiftPId / S3PId process."""
        return Logs.from_response(self.call("GetLogs", {"id": log_id}, deadline=deadline))

    def get_latency(
        self, replication_id: str, period_hours: int = 48, *, deadline: Deadline | None = None
    ) -> Latency:
        body = _id_body(replication_id, period=period_hours)
        return Latency.from_response(self.call("GetLatency", body, deadline=deadline))

    def rebuild_db_replica_indexes(
        self,
        replication_id: str,
        *,
        cancel_running_ct_process: bool = False,
        deadline: Deadline | None = None,
    ) -> dict[str, Any]:
        body = _id_body(replication_id, cancelRunningCtProcess=cancel_running_ct_process)
        return self.call("RebuildDbReplicaIndexes", body, deadline=deadline)

    def rebuild_db_replica_indexes_status(
        self, replication_id: str, *, deadline: Deadline | None = None
    ) -> JobStatus:
        answer = self.call("RebuildDbReplicaIndexesStatus", _id_body(replication_id), deadline=deadline)
        return JobStatus.from_response(answer)

    def reseed_table(
        self,
        replication_id: str,
        table_name: str,
        action: str = "Initiate",
        *,
        deadline: Deadline | None = None,
    ) -> dict[str, Any]:
        """Start (``Initiate``) or ``Cancel`` reseeding one table such as ``[dbo].[Orders]``."""
        if action not in ("Initiate", "Cancel"):
            raise ValueError(f"ReseedTable action must be 'Initiate' or 'Cancel', got {action!r}")
        body = _id_body(replication_id, tableName=table_name, action=action)
        return self.call("ReseedTable", body, deadline=deadline)

    def reseed_table_status(
        self, replication_id: str, table_name: str, *, deadline: Deadline | None = None
    ) -> ReseedTableStatus:
        answer = self.call(
            "ReseedTableStatus", _id_body(replication_id, tableName=table_name), deadline=deadline
        )
        return ReseedTableStatus.from_response(answer)

    def finalize_replication(
        self, replication_id: str, *, deadline: Deadline | None = None
    ) -> dict[str, Any]:
        """Named only by a third-party client; modelled on the other per-job calls."""
        return self.call("FinalizeReplication", _id_body(replication_id), deadline=deadline)

    def finalize_all_replications(self, *, deadline: Deadline | None = None) -> dict[str, Any]:
        """Named only by a third-party client; sent without parameters."""
        return self.call("FinalizeAllReplications", deadline=deadline)

    # -- HA cluster ----------------------------------------------------------------------------------
    def create_cluster(self, request: ClusterRequest, *, deadline: Deadline | None = None) -> dict[str, Any]:
        return self.call("CreateCluster", request.to_body(), deadline=deadline)

    def alter_cluster(self, request: ClusterRequest, *, deadline: Deadline | None = None) -> dict[str, Any]:
        return self.call("AlterCluster", request.to_body(), deadline=deadline)

    def delete_cluster(
        self,
        standalone_server: str,
        key_pair: tuple[str, str] | None = None,
        *,
        deadline: Deadline | None = None,
    ) -> dict[str, Any]:
        """Dissolve the cluster keeping ``standalone_server``; the key pair is needed only when the call
        goes to the node being removed."""
        body: dict[str, Any] = {"standaloneServer": standalone_server}
        if key_pair is not None:
            body.update(publicKey=key_pair[0], privateKey=key_pair[1])
        return self.call("DeleteCluster", body, deadline=deadline)

    # -- promote -------------------------------------------------------------------------------------
    def promote_db_replica_to_primary(
        self,
        replication_id: str,
        options: Mapping[str, Any] | None = None,
        *,
        deadline: Deadline | None = None,
    ) -> dict[str, Any]:
        """``options``: ``ignoreInaccessibleSourceConnection``, ``ignoreDbDiscrepancies``, ... (camelCase)."""
        body = _id_body(replication_id, **(options or {}))
        return self.call("PromoteDbReplicaToPrimary", body, deadline=deadline)

    def promote_db_replica_to_primary_status(
        self, replication_id: str, *, deadline: Deadline | None = None
    ) -> JobStatus:
        answer = self.call("PromoteDbReplicaToPrimaryStatus", _id_body(replication_id), deadline=deadline)
        return JobStatus.from_response(answer)

    def promote_to_primary(
        self,
        replication_id: str,
        options: Mapping[str, Any] | None = None,
        *,
        deadline: Deadline | None = None,
    ) -> dict[str, Any]:
        """The legacy name of PromoteDbReplicaToPrimary on older servers."""
        return self.call("PromoteToPrimary", _id_body(replication_id, **(options or {})), deadline=deadline)


def _id_body(replication_id: str, **fields: Any) -> dict[str, Any]:
    if not replication_id:
        raise ValueError("replication id must not be empty")
    return {"replicationId": replication_id, **{k: v for k, v in fields.items() if v is not None}}


def _required_id(answer: Mapping[str, Any], action: str) -> str:
    value = answer.get("replicationId")
    if not value:
        raise ResponseFormatError(
            service=SERVICE, operation=action, reason="no replicationId in the response"
        )
    return str(value)
