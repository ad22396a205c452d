"""``Custom::CapellaAllowedCidr``: an entry of a v4 cluster's allowed CIDR list (v4 only).

Physical id: ``<ProjectId>/<ClusterId>/<Cidr>`` (a CIDR is on a cluster's list at most once). The API
cannot update an entry, and re-creating it gives it a new id; a physical id that outlives that keeps the
stack's resource the same while ``AllowedCidrId`` (GetAtt) follows the API's current id. A new ``Cidr``
(or ``ProjectId``/``ClusterId``) replaces; a new ``Comment`` or ``ExpiresAt`` for the same CIDR deletes
the entry and creates it again inside the Update (for that moment new connections from the CIDR are
refused). A create whose outcome is unknown is verified at later polls by listing for the CIDR.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from msgspec import Meta

from cbprovider.errors import ProviderError
from cbprovider.resources.capella.connection import is_capella_id
from cbprovider.resources.capella.v4_connection import InCluster, v4_client_for
from cbprovider.resources.pending_create import PendingCreate, created_since, outcome_unknown, verify_named
from cbprovider.runtime import Done, Outcome, Request, ResourceType
from cbprovider.runtime.ids import placeholder_id
from cbprovider.runtime.log import logger
from cbprovider.runtime.properties import Check

if TYPE_CHECKING:
    from cbprovider.capella.v4 import CapellaV4Client


def _cidr(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value.strip(), strict=True))
    except ValueError:
        raise ValueError("must be a CIDR block (address/prefix, host bits zero)") from None


def _expires_at(value: str) -> str:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("must be an RFC 3339 time such as 2030-01-01T00:00:00Z") from None
    if when.tzinfo is None:
        raise ValueError("must carry a time zone (Z or +hh:mm)")
    return value


class CapellaAllowedCidrProperties(InCluster):
    cidr: Annotated[str, Check(_cidr)]
    comment: Annotated[str, Meta(max_length=256)] = ""
    expires_at: Annotated[str, Check(_expires_at)] | None = None
    """RFC 3339 (``2030-01-01T00:00:00Z``); absent: the entry is permanent."""


Req = Request[CapellaAllowedCidrProperties]


def physical_id_of(props: CapellaAllowedCidrProperties) -> str:
    return f"{props.project_id}/{props.cluster_id}/{props.cidr}"


def split_physical_id(physical_id: str) -> tuple[str, str, str] | None:
    project_id, _, rest = physical_id.partition("/")
    cluster_id, _, cidr = rest.partition("/")
    if not (is_capella_id(project_id) and is_capella_id(cluster_id) and "/" in cidr):
        return None
    return project_id, cluster_id, cidr


def _entry_id(client: CapellaV4Client, req: Req, parts: tuple[str, str, str]) -> str | None:
    project_id, cluster_id, cidr = parts
    entries = client.list_allowed_cidrs(project_id, cluster_id, deadline=req.deadline)
    return next((e.id for e in entries if e.cidr == cidr), None)


class CapellaAllowedCidr(ResourceType[CapellaAllowedCidrProperties]):
    type_name = "Custom::CapellaAllowedCidr"
    properties_model = CapellaAllowedCidrProperties
    replacement_properties = frozenset({"ProjectId", "ClusterId", "Cidr"})

    def in_flight(self, req: Req) -> Mapping[str, Any] | None:
        return PendingCreate.before_call(name=req.properties.cidr).to_state()

    def create(self, req: Req) -> Outcome:
        props = req.properties
        since = time.time()
        with v4_client_for(props, req) as client:
            try:
                entry_id = self._add(client, req)
            except ProviderError as error:
                if not outcome_unknown(error):
                    raise
                pending = PendingCreate.after(error, name=props.cidr, since=since)
                return pending.in_progress(placeholder_id(req.logical_id, req.request_id))
        physical_id = physical_id_of(props)
        req.note_physical_id(physical_id)
        return Done(physical_id, {"AllowedCidrId": entry_id})

    def poll(self, req: Req, state: Mapping[str, Any]) -> Outcome:
        """Continues a create whose outcome was unknown, in a Create or in the re-create of an Update
        (the only operations that poll)."""
        pending = PendingCreate.from_state(state)
        if pending is None:
            raise ProviderError(f"unknown poll state for {self.type_name}")
        props, physical_id = req.properties, physical_id_of(req.properties)
        parts = (props.project_id, props.cluster_id, props.cidr)
        with v4_client_for(props, req) as client:
            entry_id = ""

            def find(pending: PendingCreate) -> str | None:
                nonlocal entry_id
                entries = client.list_allowed_cidrs(*parts[:2], deadline=req.deadline)
                candidates = ((e.cidr, e.id, e.audit.created_at) for e in entries)
                entry_id = created_since(candidates, pending, what="allowed CIDR") or ""
                return physical_id if entry_id else None

            found = verify_named(
                pending,
                find,
                what="allowed CIDR",
                physical_id=str(req.physical_id),
                foreign=req.owned_elsewhere,
            )
        if not isinstance(found, str):
            return found
        req.note_physical_id(found)
        return Done(found, {"AllowedCidrId": entry_id})

    def update(self, req: Req) -> Outcome:
        new, old = req.properties, req.old_properties
        parts = (new.project_id, new.cluster_id, new.cidr)
        with v4_client_for(new, req) as client:
            entry_id = _entry_id(client, req, parts)
            same = old is not None and (old.comment, old.expires_at) == (new.comment, new.expires_at)
            if entry_id is not None and same:
                return Done(str(req.physical_id), {"AllowedCidrId": entry_id})
            if entry_id is not None:
                logger.info("The API cannot update an allowed CIDR: deleting and creating it again")
                client.delete_allowed_cidr(new.project_id, new.cluster_id, entry_id, deadline=req.deadline)
            since = time.time()
            try:
                entry_id = self._add(client, req)
            except ProviderError as error:
                if not outcome_unknown(error):
                    raise
                # As for a Create: the entry is looked up by its CIDR at the next polls.
                return PendingCreate.after(error, name=new.cidr, since=since).in_progress(
                    str(req.physical_id)
                )
        return Done(str(req.physical_id), {"AllowedCidrId": entry_id})

    def delete(self, req: Req) -> Outcome:
        parts = split_physical_id(str(req.physical_id))
        assert parts is not None, "owns_physical_id lets only well-formed ids through"
        with v4_client_for(req.properties, req) as client:
            entry_id = _entry_id(client, req, parts)
            if entry_id is None:
                return Done(str(req.physical_id), reason="already deleted")
            client.delete_allowed_cidr(parts[0], parts[1], entry_id, deadline=req.deadline)
        return Done(str(req.physical_id))

    def owns_physical_id(self, physical_id: str) -> bool:
        return split_physical_id(physical_id) is not None

    @staticmethod
    def _add(client: CapellaV4Client, req: Req) -> str:
        from cbprovider.capella.v4 import AllowedCidrSpec

        props = req.properties
        spec = AllowedCidrSpec(props.cidr, props.comment or None, props.expires_at)
        return client.create_allowed_cidr(props.project_id, props.cluster_id, spec, deadline=req.deadline)
