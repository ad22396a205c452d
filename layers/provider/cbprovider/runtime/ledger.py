"""One invocation's writes to the state table: its request record, with the object's ownership folded in.

Two round trips on the success path of a Create, Update or Delete (see ``records``):

- ``begin``, before anything is acted on: the request record ``INPROGRESS`` (with the in-flight create
  of a Create or replacing Update), and for an in-place Update or a Delete the check that the object is
  this stack resource's, in the same transaction;
- ``complete``, at SUCCESS: the ownership claim with the properties' hash (or its release after a
  delete) and the record ``COMPLETED``, in one transaction.

Any other ending ``close``s the record (one more write, off the success path).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cbprovider.runtime.invocation import Invocation, Services
from cbprovider.runtime.log import logger
from cbprovider.runtime.ownership import Standing, not_owned
from cbprovider.runtime.resource import Phase


class Ledger:
    """The request record of one request (or poll attempt) ``key``."""

    def __init__(self, services: Services, inv: Invocation, key: Mapping[str, Any]) -> None:
        self._services = services
        self._inv = inv
        self.key = dict(key)
        self.completed = False
        self.in_flight: Mapping[str, Any] | None = None
        """The in-flight create recorded with the request (``None``: not a create, or none)."""

    def begin(self, phase: Phase, in_flight: Mapping[str, Any] | None = None) -> Standing:
        """The one write before acting; ``Duplicate`` if the request is taken, else the object's
        standing (always ``ours`` for a create: there is no object yet)."""
        inv, ownership = self._inv, self._services.ownership
        check = None if phase == "create" else ownership.owned_check(inv.ref(inv.event_id), inv.owner)
        standing = self._services.records.begin(
            self.key, inv.context, ownership_check=check, in_flight=in_flight
        )
        self.in_flight = in_flight
        return standing

    def complete(self, phase: Phase, physical_id: str) -> None:
        """The one write at SUCCESS. ``NotOwned`` if another stack resource holds the object; any other
        failure of the table propagates, except after a delete (the object is gone: only logged)."""
        inv, ownership, records = self._inv, self._services.ownership, self._services.records
        ref = inv.ref(physical_id)
        if phase == "delete":
            try:
                records.complete(self.key, physical_id, ownership.release_write(ref, inv.owner))
            except Exception as error:
                logger.warning(
                    "Could not record the deletion (the object's record stays)",
                    extra={"error": type(error).__name__},
                )
                return
            self.completed = True
            return
        try:
            records.complete(self.key, physical_id, ownership.claim_write(ref, inv.owner, inv.properties))
        except records.cancelled_errors() as error:
            reasons = getattr(error, "response", {}).get("CancellationReasons") or [{}]
            if reasons[0].get("Code") == "ConditionalCheckFailed":
                raise not_owned(ref) from None
            raise
        self.completed = True

    def close(self) -> None:
        """``COMPLETED`` unless ``complete`` wrote it (after FAILED, an early answer or a hand-over)."""
        if not self.completed:
            self._services.records.close(self.key)
            self.completed = True
