"""``Custom::CapellaCluster`` on an API v4 endpoint: ``.../projects/{projectId}/clusters``.

Physical id: the cluster id (a UUID, from the 202 body; ``ProjectId`` comes from the properties, and a
new one replaces). Long steps return ``InProgress`` and are continued by ``poll`` (state ``{"op": ...}``)
within the resource's ``ServiceTimeout``:

- Create: ``POST`` (the id noted at once), then poll until ``healthy``. Every ``*Failed`` state ends
  the wait with FAILED carrying the cluster id, so the rollback Delete removes it. ``degraded`` ends it
  as Couchbase's Terraform provider does: SUCCESS with ``CurrentState`` ``degraded`` and a warning in
  the log (the monitor reports it), never the rollback of a cluster that exists. A ``POST`` whose outcome
  is unknown is verified at later polls by name and creation time (see ``pending_create``); an adopted
  cluster's deploy is followed from the next poll, so that a failure names the cluster.
- Update in place (``Name``, ``Description``, ``Support``, ``ServiceGroups``): a busy cluster is waited
  for, then one ``PUT`` with all four (``If-Match``; one re-apply after a concurrent change), then the
  wait until the cluster settles again. ``CloudProvider``, ``Availability``, ``CouchbaseServer`` and
  ``ProjectId`` cannot change in v4: they replace.
- Delete: a busy cluster is waited for, then ``DELETE`` and poll until 404; ``destroyFailed`` is FAILED.

A poll that meets a connection error, a 5xx or a 429 tries again at the next poll.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cbprovider.capella.errors import ClusterFailedError
from cbprovider.errors import ApiError, ProviderError
from cbprovider.resources.capella.cluster import ClusterGone
from cbprovider.resources.capella.cluster_v4_spec import (
    CapellaClusterV4Properties,
    check,
    create_spec,
    in_place_changes,
    update_body,
)
from cbprovider.resources.capella.connection import is_capella_id
from cbprovider.resources.capella.v4_connection import v4_client_for
from cbprovider.resources.pending_create import PendingCreate, created_since, outcome_unknown, verify_named
from cbprovider.resources.poll_tolerance import tolerant
from cbprovider.runtime import Done, InProgress, Outcome, Request, ResourceType
from cbprovider.runtime.ids import placeholder_id
from cbprovider.runtime.log import logger

if TYPE_CHECKING:
    from cbprovider.capella.v4 import CapellaV4Client

Req = Request[CapellaClusterV4Properties]
POLL_SECONDS = 60
SETTLED = frozenset({"healthy", "degraded"})


def failed(state: str) -> bool:
    return state.endswith("Failed")


class CapellaClusterV4(ResourceType[CapellaClusterV4Properties]):
    type_name = "Custom::CapellaCluster"
    properties_model = CapellaClusterV4Properties
    replacement_properties = frozenset({"ProjectId", "CloudProvider", "Availability", "CouchbaseServer"})

    def in_flight(self, req: Req) -> Mapping[str, Any] | None:
        return PendingCreate.before_call(name=req.properties.name).to_state()

    def create(self, req: Req) -> Outcome:
        props = req.properties
        check(props)
        since = time.time()
        with v4_client_for(props, req) as client:
            try:
                cluster_id = client.create_cluster(
                    props.project_id, create_spec(props), deadline=req.deadline
                )
            except ProviderError as error:
                if not outcome_unknown(error):
                    raise
                pending = PendingCreate.after(error, name=props.name, since=since)
                return pending.in_progress(placeholder_id(req.logical_id, req.request_id))
            req.note_physical_id(cluster_id)
            return tolerant(lambda: self._until_settled(client, req, cluster_id, "deploy"), cluster_id)

    def update(self, req: Req) -> Outcome:
        check(req.properties)
        with v4_client_for(req.properties, req) as client:
            return self._settle_then_update(client, req, str(req.physical_id))

    def delete(self, req: Req) -> Outcome:
        with v4_client_for(req.properties, req) as client:
            return self._delete_step(client, req, str(req.physical_id), requested=False)

    def poll(self, req: Req, state: Mapping[str, Any]) -> Outcome:
        cluster_id, op = str(req.physical_id), str(state.get("op"))
        pending = PendingCreate.from_state(state)
        with v4_client_for(req.properties, req) as client:
            if pending is not None:
                return self._verify(client, req, pending)
            return tolerant(lambda: self._step(client, req, cluster_id, op), cluster_id, dict(state))

    def owns_physical_id(self, physical_id: str) -> bool:
        return is_capella_id(physical_id)

    def _step(self, client: CapellaV4Client, req: Req, cluster_id: str, op: str) -> Outcome:
        if op in ("deploy", "settle"):
            return self._until_settled(client, req, cluster_id, op)
        if op == "settle-update":
            return self._settle_then_update(client, req, cluster_id)
        if op in ("settle-delete", "destroy"):
            return self._delete_step(client, req, cluster_id, requested=op == "destroy")
        raise ProviderError(f"unknown poll state {op!r} for {self.type_name}")

    def _verify(self, client: CapellaV4Client, req: Req, pending: PendingCreate) -> Outcome:
        props = req.properties

        def find(pending: PendingCreate) -> str | None:
            clusters = client.list_clusters(props.project_id, deadline=req.deadline)
            candidates = ((c.name, c.id, c.audit.created_at) for c in clusters)
            return created_since(candidates, pending, what="cluster")

        found = verify_named(
            pending, find, what="cluster", physical_id=str(req.physical_id), foreign=req.owned_elsewhere
        )
        if not isinstance(found, str):
            return found
        req.note_physical_id(found)
        # A failed poll is reported under the last InProgress's id: follow the deploy from the next poll.
        return InProgress(found, {"op": "deploy"}, retry_after=POLL_SECONDS)

    @staticmethod
    def _state(client: CapellaV4Client, req: Req, cluster_id: str) -> str | None:
        try:
            return client.get_cluster_state(req.properties.project_id, cluster_id, deadline=req.deadline)
        except ApiError as error:
            if error.status == 404:
                return None
            raise

    def _until_settled(self, client: CapellaV4Client, req: Req, cluster_id: str, op: str) -> Outcome:
        state = self._state(client, req, cluster_id)
        if state is None:
            raise ClusterGone(f"Capella cluster {cluster_id} disappeared during its {op}")
        if failed(state):
            raise ClusterFailedError(cluster_id=cluster_id, status=state, target="healthy")
        if state in SETTLED:
            return self._done(client, req, cluster_id)
        logger.info("Cluster not healthy yet", extra={"cluster_id": cluster_id, "state": state, "op": op})
        return InProgress(cluster_id, {"op": op}, retry_after=POLL_SECONDS)

    @staticmethod
    def _done(client: CapellaV4Client, req: Req, cluster_id: str) -> Done:
        cluster = client.get_cluster(req.properties.project_id, cluster_id, deadline=req.deadline)
        if cluster.current_state == "degraded":
            logger.warning(
                "The cluster is degraded: it exists and serves, but Capella reports a problem",
                extra={"cluster_id": cluster_id},
            )
        data = {
            "ClusterId": cluster_id,
            "CurrentState": cluster.current_state,
            "ConnectionString": cluster.connection_string,
        }
        return Done(cluster_id, data)

    def _settle_then_update(self, client: CapellaV4Client, req: Req, cluster_id: str) -> Outcome:
        state = self._state(client, req, cluster_id)
        if state is None:
            raise ClusterGone(f"Capella cluster {cluster_id} no longer exists; it cannot be updated")
        if not in_place_changes(req.properties, req.old_properties):
            return self._done(client, req, cluster_id)
        if failed(state):
            raise ClusterFailedError(cluster_id=cluster_id, status=state, target="an update")
        if state not in SETTLED:
            logger.info("Cluster busy: updating once it settles", extra={"cluster_id": cluster_id})
            return InProgress(cluster_id, {"op": "settle-update"}, retry_after=POLL_SECONDS)
        project_id = req.properties.project_id
        client.update_cluster(project_id, cluster_id, update_body(req.properties), deadline=req.deadline)
        return InProgress(cluster_id, {"op": "settle"}, retry_after=POLL_SECONDS)

    def _delete_step(self, client: CapellaV4Client, req: Req, cluster_id: str, *, requested: bool) -> Outcome:
        state = self._state(client, req, cluster_id)
        if state is None:
            return Done(cluster_id, reason=None if requested else "already deleted")
        if requested and state == "destroyFailed":
            raise ClusterFailedError(cluster_id=cluster_id, status=state, target="deleted")
        if requested or state == "destroying":
            return InProgress(cluster_id, {"op": "destroy"}, retry_after=POLL_SECONDS)
        if state not in SETTLED and not failed(state):
            logger.info("Cluster busy: deleting once it settles", extra={"cluster_id": cluster_id})
            return InProgress(cluster_id, {"op": "settle-delete"}, retry_after=POLL_SECONDS)
        if not client.delete_cluster(req.properties.project_id, cluster_id, deadline=req.deadline):
            return Done(cluster_id, reason="already deleted")
        return InProgress(cluster_id, {"op": "destroy"}, retry_after=POLL_SECONDS)
