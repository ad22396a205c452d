"""The action table: name -> handler, accepted HTTP methods, whether SigV4 is required."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulators.cloudbasic.errors import ApiFault, not_found
from simulators.cloudbasic.params import Params
from simulators.cloudbasic.state import Replication, Store, User


@dataclass
class Context:
    action: str
    params: Params
    store: Store
    now: float
    caller: User | None
    """The user whose key signed the request (``None`` for ActivateInstance)."""
    host: str = ""
    """The host name the request was sent to (its ``Host`` header without the port)."""

    def replication(self, key: str = "replicationId", *, kinds: tuple[str, ...] = ()) -> Replication:
        replication_id = self.params.require(key)
        replication = self.store.replications.get(replication_id.lower())
        if replication is None or (kinds and replication.kind not in kinds):
            raise not_found(replication_id)
        return replication

    def timestamp(self) -> str:
        from simulators.cloudbasic.texts import long_timestamp

        return long_timestamp(self.store.clock.wall(self.now))


Payload = dict[str, Any] | None
Handler = Callable[[Context], Payload]


@dataclass(frozen=True)
class Action:
    name: str
    handler: Handler
    methods: frozenset[str]
    signed: bool


ACTIONS: dict[str, Action] = {}


def action(name: str, *, get: bool = False, signed: bool = True) -> Callable[[Handler], Handler]:
    """Register a handler. ``get=True`` for parameterless actions, which take GET as well as POST (q. 26)."""

    def register(handler: Handler) -> Handler:
        methods = frozenset({"POST", "GET"} if get else {"POST"})
        ACTIONS[name] = Action(name, handler, methods, signed)
        return handler

    return register


def require_activated(store: Store) -> None:
    if not store.activated:
        raise ApiFault("Instance is not activated")
