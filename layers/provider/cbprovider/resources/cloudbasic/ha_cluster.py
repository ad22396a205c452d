"""``Custom::CloudBasicHACluster``: a Multi-AZ HA cluster of two CloudBasic appliances.

The calls go to the appliance of the registered ``Endpoint`` (the ``LocalServer`` node). Physical id:
``hacluster:<LocalServer>:<RemoteServer>`` as they were at create; in-place updates (``RemoteServer``,
``Port``, the remote key pair) keep it, a ``LocalServer`` or ``Endpoint`` change replaces the resource.
Create calls CreateCluster with the key pair the remote node's own ActivateInstance returned (read from
``RemoteCredentialsSecretArn``: ``AccessKeyId``/``SecretAccessKey`` -> ``PublicKey``/``PrivateKey``);
Update calls AlterCluster; with ``WaitForRemote`` both then poll ReplicationServiceStatus until
``RemoteStatus`` is ``Running``. Delete calls DeleteCluster keeping ``StandaloneServerOnDelete``
(default ``LocalServer``); an appliance that is not clustered counts as already deleted.

Choices where the API reference is silent:
- There is no cluster-status call: "clustered" means ReplicationServiceStatus carries ``RemoteStatus``
  (its absence, or a 400 "not part of a cluster", makes a Delete a no-op). GetAtt ``Status`` is that
  ``RemoteStatus`` (``Unknown`` when absent).
- DeleteCluster gets the remote key pair only when the node that stays is the remote one (the call then
  goes to the node being removed, for which the docs say the keys are needed).
- The id is recorded for a rollback only once CreateCluster succeeded or its outcome is unknown
  (timeout, 5xx, unreadable answer): a refused CreateCluster (4xx, e.g. the appliance is already in
  another cluster) must not lead a rollback Delete to dissolve a cluster this resource never made.
- An appliance is in one cluster at most, and CloudBasic names none: before CreateCluster is sent the
  request's record keeps whether the appliance is clustered already (``in_flight``: the before-list,
  ReplicationServiceStatus read). When the invocation dies during the call (out of memory), the
  on-failure destination hands the create over to ``poll``, whose look-up adopts the cluster only if the
  appliance was not clustered before and is now (a cluster that was there before is someone else's: the
  call was refused, and the create ends FAILED with the placeholder so that no rollback dissolves it).
  For the same reason a create whose outcome is unknown records its id only if the appliance was not
  clustered before. A status that cannot be read fails the Create before it is sent.
- A replacing update (new ``LocalServer``) creates the cluster on the appliance of ``Endpoint`` before
  CloudFormation deletes the old one, so the replacement names the endpoint of another, unclustered
  appliance; a refusal says so (``ReplacementRefused``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

from msgspec import Meta

from cbprovider.errors import ApiConnectionError, ApiError, ProviderError, ResponseFormatError
from cbprovider.resources.cloudbasic.connection import CloudBasicConnection, client_for, read_key_pair
from cbprovider.resources.pending_create import BEFORE_KEY, PendingCreate, listed_before
from cbprovider.runtime import Done, InProgress, Outcome, Request, ResourceType
from cbprovider.runtime.log import logger
from cbprovider.runtime.properties import Check

if TYPE_CHECKING:
    from cbprovider.cloudbasic import CloudBasicClient, ClusterRequest

ID_PREFIX = "hacluster:"
CLUSTERED = "the appliance's cluster"
"""The before-list's one possible entry: the appliance was in a cluster before CreateCluster."""
_ADVICE = (
    " (the appliance was already in a cluster before the call, which this stack did not make and leaves "
    "alone: remove it with DeleteCluster, or name an appliance that is not clustered)"
)
REMOTE_POLL_SECONDS = 60
_NOT_CLUSTERED = ("not part of a cluster", "not clustered", "is not in a cluster")


class ReplacementRefused(ProviderError):
    """The appliance refused the new cluster of a replacing update (most often: it is the same node)."""


_SERVER_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.\-:]*[A-Za-z0-9])?")


def _server_name(value: str) -> str:
    if not _SERVER_NAME.fullmatch(value):
        raise ValueError("must be an IP address or a DNS name")
    return value


ServerName = Annotated[str, Meta(min_length=1, max_length=253), Check(_server_name)]


class HAClusterProperties(CloudBasicConnection):
    # An IP address or DNS name (at most 253 characters of letters, digits, '.', '-', ':' for IPv6):
    # both go into the physical id, which must stay well inside CloudFormation's 4096-byte response.
    local_server: ServerName
    remote_server: ServerName
    port: Annotated[int, Meta(ge=1, le=65535)] = 81
    remote_credentials_secret_arn: Annotated[str, Meta(min_length=1)]
    standalone_server_on_delete: Annotated[str, Check(_server_name)] | None = None
    wait_for_remote: bool = False

    def validate(self) -> None:
        standalone = self.standalone_server_on_delete
        if standalone is not None and standalone.lower() not in (
            self.local_server.lower(),
            self.remote_server.lower(),
        ):
            raise ValueError("StandaloneServerOnDelete must be the LocalServer or the RemoteServer")

    def cluster_request(self, *, with_local: bool, stack_id: str) -> ClusterRequest:
        from cbprovider.cloudbasic import ClusterRequest

        public_key, private_key = self.remote_key_pair(stack_id)
        return ClusterRequest(
            remote_server=self.remote_server,
            public_key=public_key,
            private_key=private_key,
            port=self.port,
            local_server=self.local_server if with_local else None,
        )

    def remote_key_pair(self, stack_id: str) -> tuple[str, str]:
        """The key pair in ``RemoteCredentialsSecretArn`` (a secret shared with, or owned by, the stack)."""
        return read_key_pair(
            self.remote_credentials_secret_arn, "RemoteCredentialsSecretArn", stack_id=stack_id
        )


class HACluster(ResourceType[HAClusterProperties]):
    type_name = "Custom::CloudBasicHACluster"
    properties_model = HAClusterProperties
    replacement_properties = frozenset({"LocalServer"})
    # DeleteCluster names no cluster: it acts on whatever cluster the appliance is in. After a failed
    # replacement the runtime must not call it, or it could dissolve the cluster the stack still holds.
    removes_failed_replacement = False

    def owns_physical_id(self, physical_id: str) -> bool:
        return physical_id.startswith(ID_PREFIX)

    def in_flight(self, req: Request[HAClusterProperties]) -> Mapping[str, Any] | None:
        """Whether the appliance is clustered already (the before-list: ``CLUSTERED`` or nothing).

        The remote key pair is read first (``create`` reads it again, from the cache): a secret without
        one refuses the request before any call to the appliance."""
        req.properties.remote_key_pair(req.stack_id)
        with client_for(req.properties, req) as client:
            before = listed_before(
                lambda: [CLUSTERED] if _clustered(client) else [],
                what=f"the cluster status of the appliance of {req.properties.local_server}",
            )
        return PendingCreate.before_call(
            name=req.properties.local_server, extra={BEFORE_KEY: before}
        ).to_state()

    def create(self, req: Request[HAClusterProperties]) -> Outcome:
        p = req.properties
        physical_id = _physical_id(p)
        request = p.cluster_request(with_local=True, stack_id=req.stack_id)
        # A cluster there before the call is not this one: a lost answer must not name it for a rollback.
        kept = PendingCreate.from_state(req.in_flight) if req.in_flight else None
        was_clustered = kept is not None and kept.existed(CLUSTERED)
        with client_for(p, req) as client:
            try:
                client.create_cluster(request)
            except (ApiConnectionError, ResponseFormatError):
                if not was_clustered:
                    req.note_physical_id(physical_id)
                raise
            except ApiError as error:
                if error.status >= 500:
                    if not was_clustered:
                        req.note_physical_id(physical_id)
                    raise
                if req.request_type == "Update":
                    raise ReplacementRefused(
                        f"{error}. A LocalServer change replaces the cluster: name the registered Endpoint "
                        "of another appliance, one that is not clustered yet"
                    ) from None
                raise
            req.note_physical_id(physical_id)
            return self._answer(client, req, physical_id)

    def update(self, req: Request[HAClusterProperties]) -> Outcome:
        physical_id = str(req.physical_id)
        with client_for(req.properties, req) as client:
            client.alter_cluster(req.properties.cluster_request(with_local=False, stack_id=req.stack_id))
            return self._answer(client, req, physical_id)

    def poll(self, req: Request[HAClusterProperties], state: Mapping[str, Any]) -> Outcome:
        """Waits for the remote node, or looks up the cluster of a create that was in flight."""
        pending = PendingCreate.from_state(state)
        with client_for(req.properties, req) as client:
            if pending is None:
                return self._answer(client, req, str(req.physical_id))
            physical_id = _physical_id(req.properties)

            def find(pending: PendingCreate) -> str | None:
                if pending.existed(CLUSTERED):
                    return None  # someone else's cluster: the call was refused
                return physical_id if _clustered(client) else None

            found = pending.verify(
                find,
                physical_id=str(req.physical_id),
                foreign=req.owned_elsewhere,
                call="CreateCluster",
                sought=f"new cluster on the appliance of {req.properties.local_server}",
                advice=_ADVICE if pending.existed(CLUSTERED) else "",
            )
            if not isinstance(found, str):
                return found
            req.note_physical_id(found)
            return self._answer(client, req, found)

    def _answer(
        self, client: CloudBasicClient, req: Request[HAClusterProperties], physical_id: str
    ) -> Outcome:
        remote_status = client.replication_service_status().remote_status
        if req.properties.wait_for_remote and remote_status != "Running":
            logger.info("Waiting for the remote node", extra={"remote_status": remote_status})
            return InProgress(physical_id, {"remote_status": remote_status or ""}, REMOTE_POLL_SECONDS)
        p = req.properties
        data = {
            "LocalServer": p.local_server,
            "RemoteServer": p.remote_server,
            "Status": remote_status or "Unknown",
        }
        return Done(physical_id, data)

    def delete(self, req: Request[HAClusterProperties]) -> Outcome:
        p = req.properties
        physical_id = str(req.physical_id)
        standalone = p.standalone_server_on_delete or p.local_server
        with client_for(p, req) as client:
            if not _clustered(client):
                logger.info("The appliance is not clustered: nothing to delete")
                return Done(physical_id, reason="the appliance was not clustered")
            key_pair = None
            if standalone.lower() != p.local_server.lower():
                key_pair = p.remote_key_pair(req.stack_id)
            try:
                client.delete_cluster(standalone, key_pair)
            except ApiError as error:
                if error.status != 400 or not any(
                    marker in message.lower() for message in error.messages for marker in _NOT_CLUSTERED
                ):
                    raise
                return Done(physical_id, reason="the appliance was not clustered")
        return Done(physical_id)


def _physical_id(props: HAClusterProperties) -> str:
    return f"{ID_PREFIX}{props.local_server}:{props.remote_server}"


def _clustered(client: CloudBasicClient) -> bool:
    """Whether the appliance is in a cluster (ReplicationServiceStatus carries ``RemoteStatus``)."""
    return client.replication_service_status().remote_status is not None
