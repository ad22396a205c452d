"""``Custom::CapellaCluster``: a hosted Capella cluster (``/v3/clusters``), deployed and scaled over time.

Physical id: the cluster id (the UUID ending the ``Location`` of the 202). Every long step returns
``InProgress`` and is continued by ``poll`` (state ``{"op": ...}``) until the status settles, within the
resource's ``ServiceTimeout``:

- Create: look for a hosted cluster of the same name in the project first. One created in the last
  ``ADOPT_WINDOW`` seconds in the same provider, region and CIDR is taken to be ours from an attempt
  whose response was lost and is adopted; any other is refused (adopting it would let this stack delete
  a cluster it never made, and a name that is unique in its project is what makes the look-up safe). Then
  ``POST`` (noting the id at once), and poll until ``healthy``; a failure status (``deploymentFailed``)
  is FAILED with the cluster id, so the rollback Delete removes it. If the ``POST``'s outcome is unknown
  (timed out, connection lost after sending, 500/502/504) the cluster may exist all the same: ``InProgress``
  under the placeholder id, and each poll looks the name up again (the adoption rule above, the cluster
  being replaced excluded) until the cluster is found and adopted, or its absence is conclusive (FAILED
  with the placeholder: nothing to roll back; see ``pending_create``). An adopted cluster's deploy is
  followed from the next poll on, so that any failure is reported under the cluster's id.
- Update in place: ``Name``/``Description`` -> ``PUT meta``; ``SupportPackage`` -> ``PUT support``;
  ``Servers`` -> ``PUT servers``, then poll until ``healthy`` again. A cluster that is still busy
  (deploying, scaling, ...) is waited for first. Without readable old properties every part is sent.
- Replacement (``Environment``, ``Provider``, ``Region``, ``Cidr``, ``ProjectId``, ``SingleAZ``): a new
  cluster as on Create (the cluster being replaced is never adopted).
- Delete: a cluster still deploying or scaling is waited for (v3 refuses to delete it, like the v3
  Terraform provider does), then ``DELETE`` and poll until the status answers 404. Already gone is
  SUCCESS; ``destroyFailed`` after our ``DELETE`` is FAILED. The ServiceTimeout bounds the wait, so a
  Delete ends in a clear FAILED rather than hanging the stack.

A poll that meets a connection error or a 5xx (after the client's own retries) tries again at the next
poll instead of failing the operation.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cbprovider.capella.errors import ClusterFailedError
from cbprovider.errors import ApiError, ProviderError
from cbprovider.resources.capella.cluster_spec import (
    CapellaClusterProperties,
    check,
    create_body,
    servers_body,
)
from cbprovider.resources.capella.connection import client_for, is_capella_id
from cbprovider.resources.pending_create import PendingCreate, epoch_of, outcome_unknown, verify_named
from cbprovider.resources.poll_tolerance import tolerant
from cbprovider.runtime import Done, InProgress, Outcome, Request, ResourceType
from cbprovider.runtime.ids import placeholder_id
from cbprovider.runtime.log import logger

if TYPE_CHECKING:
    from cbprovider.capella import CapellaClient

Req = Request[CapellaClusterProperties]

POLL_SECONDS = 60
"""Between polls (EventBridge's shortest rate; the reference advises no faster than every 15-30 s)."""
ADOPT_WINDOW = 1800
"""A same-named cluster created this recently (seconds) is adopted by Create; an older one is refused."""
BUSY = frozenset({"draft", "deploying", "scaling", "upgrading", "rebalancing", "peering"})
"""Statuses on the way to another: v3 refuses updates and deletes while a cluster is in one."""
FAILURES = frozenset(
    {"deploymentFailed", "scaleFailed", "upgradeFailed", "rebalanceFailed", "peeringFailed", "destroyFailed"}
)


REPLACEMENT_DEFAULTS = {"Environment": "hosted"}


class ClusterNameTaken(ProviderError):
    """A cluster of that name exists in the project and was not created by this request."""


class ClusterGone(ProviderError):
    """The cluster disappeared while it was being deployed or updated."""


class CapellaCluster(ResourceType[CapellaClusterProperties]):
    type_name = "Custom::CapellaCluster"
    properties_model = CapellaClusterProperties
    replacement_properties = frozenset({"Environment", "Provider", "Region", "Cidr", "ProjectId", "SingleAZ"})

    # -- operations ------------------------------------------------------------------------------
    def in_flight(self, req: Req) -> Mapping[str, Any] | None:
        extra = {"replacing": req.physical_id or ""}
        return PendingCreate.before_call(name=req.properties.name, extra=extra).to_state()

    def create(self, req: Req) -> Outcome:
        check(req.properties)
        with client_for(req.properties, req) as client:
            replacing = req.physical_id
            cluster_id = self._adoptable(client, req, self._same_name(client, req, replacing))
            if cluster_id is None:
                since = time.time()
                try:
                    cluster_id = client.create_cluster(create_body(req.properties), deadline=req.deadline)
                except ProviderError as error:
                    if not outcome_unknown(error):
                        raise
                    pending = PendingCreate.after(
                        error, name=req.properties.name, since=since, extra={"replacing": replacing or ""}
                    )
                    return pending.in_progress(placeholder_id(req.logical_id, req.request_id))
            req.note_physical_id(cluster_id)
            return tolerant(lambda: self._until_healthy(client, req, cluster_id, "deploy"), cluster_id)

    def update(self, req: Req) -> Outcome:
        check(req.properties)
        cluster_id = str(req.physical_id)
        with client_for(req.properties, req) as client:
            return self._settle_then_update(client, req, cluster_id)

    def delete(self, req: Req) -> Outcome:
        cluster_id = str(req.physical_id)
        with client_for(req.properties, req) as client:
            return self._delete_step(client, req, cluster_id, requested=False)

    def poll(self, req: Req, state: Mapping[str, Any]) -> Outcome:
        cluster_id = str(req.physical_id)
        op = str(state.get("op"))
        pending = PendingCreate.from_state(state)
        with client_for(req.properties, req) as client:
            if pending is not None:
                return self._verify(client, req, pending)
            return tolerant(lambda: self._step(client, req, cluster_id, op), cluster_id, dict(state))

    def owns_physical_id(self, physical_id: str) -> bool:
        return is_capella_id(physical_id)

    def requires_replacement(self, new: Mapping[str, Any], old: Mapping[str, Any], *, stack_id: str) -> bool:
        """As the base rule, but a default written out (``Environment: hosted``) or a change of case
        (``SingleAZ: "False"`` -> ``"false"``, an upper-case UUID) does not replace a cluster.
        """
        return any(
            _comparable(new.get(name, REPLACEMENT_DEFAULTS.get(name)))
            != _comparable(old.get(name, REPLACEMENT_DEFAULTS.get(name)))
            for name in self.replacement_properties
        )

    # -- create ----------------------------------------------------------------------------------
    @staticmethod
    def _same_name(client: CapellaClient, req: Req, replacing: str | None) -> list[str]:
        """Ids of the project's hosted clusters named like this one (``replacing``, the one being
        replaced, excluded).
        """
        props = req.properties
        return [
            summary.id
            for summary in client.list_clusters(props.project_id, deadline=req.deadline)
            if summary.name == props.name
            and summary.id != replacing
            and summary.environment in ("hosted", "")
        ]

    @staticmethod
    def _adoptable(client: CapellaClient, req: Req, existing: list[str]) -> str | None:
        """The same-named cluster to adopt: created recently, in the same place (provider, region and
        CIDR); ``ClusterNameTaken`` if the name is held by any other.
        """
        if not existing:
            return None
        props = req.properties
        wanted = (props.provider, props.region, props.cidr)
        now = time.time()
        recent: list[tuple[float, str]] = []
        for cluster_id in existing:
            cluster = client.get_cluster(cluster_id, deadline=req.deadline)
            created = epoch_of(cluster.created_at)
            place = (cluster.provider, cluster.region, cluster.cidr)
            same_place = [_comparable(v) for v in place] == [_comparable(v) for v in wanted]
            if created is not None and now - created <= ADOPT_WINDOW and same_place:
                recent.append((created, cluster_id))
        if recent:
            adopted = max(recent)[1]
            logger.warning(
                "Adopting a cluster just created under the same name", extra={"cluster_id": adopted}
            )
            return adopted
        raise ClusterNameTaken(
            f"Name: project {req.properties.project_id} already has a cluster named "
            f"{req.properties.name!r} ({existing[0]}) that this stack did not create; choose another "
            "Name or remove that cluster"
        )

    def _verify(self, client: CapellaClient, req: Req, pending: PendingCreate) -> Outcome:
        """One look-up for the cluster of a ``POST`` whose outcome was unknown (``req.physical_id`` is
        the placeholder until it is found).
        """
        replacing = str(pending.extra.get("replacing") or "") or None
        found = verify_named(
            pending,
            lambda _: self._adoptable(client, req, self._same_name(client, req, replacing)),
            what="cluster",
            physical_id=str(req.physical_id),
            foreign=req.owned_elsewhere,
        )
        if not isinstance(found, str):
            return found
        req.note_physical_id(found)
        # The runtime reports a failed poll under the id of the last InProgress (the placeholder here):
        # the deploy is followed from the next poll, whose failures name the cluster.
        return InProgress(found, {"op": "deploy"}, retry_after=POLL_SECONDS)

    def _step(self, client: CapellaClient, req: Req, cluster_id: str, op: str) -> Outcome:
        """One poll of the operation ``op`` (the ``op`` of the last ``InProgress`` state)."""
        if op in ("deploy", "scale"):
            return self._until_healthy(client, req, cluster_id, op)
        if op == "settle-update":
            return self._settle_then_update(client, req, cluster_id)
        if op in ("settle-delete", "destroy"):
            return self._delete_step(client, req, cluster_id, requested=op == "destroy")
        raise ProviderError(f"unknown poll state {op!r} for {self.type_name}")

    # -- waits -----------------------------------------------------------------------------------
    @staticmethod
    def _status(client: CapellaClient, req: Req, cluster_id: str) -> str | None:
        """The cluster's status, ``None`` once it is gone (404)."""
        try:
            return client.get_cluster_status(cluster_id, deadline=req.deadline)
        except ApiError as error:
            if error.status == 404:
                return None
            raise

    def _until_healthy(self, client: CapellaClient, req: Req, cluster_id: str, op: str) -> Outcome:
        status = self._status(client, req, cluster_id)
        if status is None:
            raise ClusterGone(f"Capella cluster {cluster_id} disappeared during its {op}")
        if status == "healthy":
            return self._done(client, req, cluster_id)
        if status in FAILURES:
            raise ClusterFailedError(cluster_id=cluster_id, status=status, target="healthy")
        logger.info("Cluster not healthy yet", extra={"cluster_id": cluster_id, "status": status, "op": op})
        return InProgress(cluster_id, {"op": op}, retry_after=POLL_SECONDS)

    @staticmethod
    def _done(client: CapellaClient, req: Req, cluster_id: str) -> Done:
        cluster = client.get_cluster(cluster_id, deadline=req.deadline)
        return Done(
            cluster_id,
            {"ClusterId": cluster_id, "Status": cluster.status, "EndpointsSrv": cluster.endpoints_srv or ""},
        )

    # -- update ----------------------------------------------------------------------------------
    def _settle_then_update(self, client: CapellaClient, req: Req, cluster_id: str) -> Outcome:
        new, old = req.properties, req.old_properties
        meta = old is None or (old.name, old.description) != (new.name, new.description)
        support = old is None or old.support_package != new.support_package
        servers = old is None or old.servers != new.servers
        status = self._status(client, req, cluster_id)
        if status is None:
            raise ClusterGone(f"Capella cluster {cluster_id} no longer exists; it cannot be updated")
        if not (meta or support or servers):
            return self._done(client, req, cluster_id)
        if status in BUSY:
            logger.info(
                "Cluster busy: updating once it settles", extra={"cluster_id": cluster_id, "status": status}
            )
            return InProgress(cluster_id, {"op": "settle-update"}, retry_after=POLL_SECONDS)
        if meta:
            client.update_cluster_meta(
                cluster_id, name=new.name, description=new.description or "", deadline=req.deadline
            )
        if support:
            package = new.support_package
            client.update_cluster_support(cluster_id, package.type, package.timezone, deadline=req.deadline)
        if not servers:
            return self._done(client, req, cluster_id)
        # The status may read "healthy" for a moment after the 202 on the real service; like the v3
        # Terraform provider, the wait takes the next "healthy" as the end of the scaling.
        client.update_cluster_servers(cluster_id, servers_body(new), deadline=req.deadline)
        return InProgress(cluster_id, {"op": "scale"}, retry_after=POLL_SECONDS)

    # -- delete ----------------------------------------------------------------------------------
    def _delete_step(self, client: CapellaClient, req: Req, cluster_id: str, *, requested: bool) -> Outcome:
        status = self._status(client, req, cluster_id)
        if status is None:
            return Done(cluster_id, reason=None if requested else "already deleted")
        if requested and status == "destroyFailed":
            raise ClusterFailedError(cluster_id=cluster_id, status=status, target="deleted")
        if requested or status == "destroying":
            return InProgress(cluster_id, {"op": "destroy"}, retry_after=POLL_SECONDS)
        if status in BUSY:
            logger.info(
                "Cluster busy: deleting once it settles", extra={"cluster_id": cluster_id, "status": status}
            )
            return InProgress(cluster_id, {"op": "settle-delete"}, retry_after=POLL_SECONDS)
        if not client.delete_cluster(cluster_id, deadline=req.deadline):
            return Done(cluster_id, reason="already deleted")
        return InProgress(cluster_id, {"op": "destroy"}, retry_after=POLL_SECONDS)


def _comparable(value: Any) -> Any:
    """The six replacement properties are all case-insensitive scalars (names, regions, CIDRs, UUIDs)."""
    return str(value).strip().lower() if isinstance(value, str | bool) else value
