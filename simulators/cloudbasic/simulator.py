"""``CloudBasicSimulator``: the CloudBasic REST API (``/api/<Action>``) over HTTP, SigV4-checked."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from simulators.cloudbasic import codec
from simulators.cloudbasic.actions import ACTIONS, Action, Context
from simulators.cloudbasic.dialect import Dialect
from simulators.cloudbasic.errors import ApiFault
from simulators.cloudbasic.sigv4 import Policy, verify
from simulators.cloudbasic.state import Cluster, Replication, Store, User, new_key_pair
from simulators.cloudbasic.versions import NEWEST, ApplianceVersion
from simulators.server import Request, Response, Simulator

API_PREFIX = "/api/"
OUTCOMES = ("Success", "Failed")
FAILED = "Failed"
"""``set_replication_outcome(id, FAILED)`` ends the seeding in the dialect's spelling of a failure."""
_BY_LOWER_NAME = {name.lower(): name for name in ACTIONS}


def action_name(path: str) -> str | None:
    """The action a path names (matched case-insensitively, like the IIS-hosted original), else ``None``."""
    if not path.startswith(API_PREFIX):
        return None
    return _BY_LOWER_NAME.get(path[len(API_PREFIX) :].rstrip("/").lower())


def _host_name(request: Request) -> str:
    """The host the request names (``Host`` without its port), as an older CreateCluster's local node."""
    host = request.headers.get("host", "").strip()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _connection(server: str, database: str) -> str:
    return f"Data Source={server};Initial Catalog={database};User ID=cb;Password=simulated"


class CloudBasicSimulator(Simulator):
    """A local CloudBasic appliance API. Fault keys are action names (``"CreateReplication"``) or ``"*"``.

    ``appliance_version`` (default ``NEWEST``) selects the documented differences of older releases (see
    ``versions``); ``dialect`` how answers are spelled (see ``dialect``). ``allowed_regions`` defaults to what
    the version accepts.
    """

    name = "cloudbasic-simulator"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seeding_seconds: float = 2.0,
        promote_seconds: float = 1.0,
        latency: float = 0.0,
        instance_id: str = "i-0123456789abcdef0",
        activated: bool = True,
        allowed_services: tuple[str, ...] = ("cloudbasic", "cbr"),
        allowed_regions: tuple[str, ...] | None = None,
        clock_skew_seconds: float = 900,
        strict_payload_hash: bool = False,
        admin_access_key_id: str | None = None,
        admin_secret_access_key: str | None = None,
        appliance_version: ApplianceVersion | str = NEWEST,
        dialect: Dialect | None = None,
    ) -> None:
        super().__init__(host=host, port=port)
        self.latency = latency
        self.version = (
            appliance_version
            if isinstance(appliance_version, ApplianceVersion)
            else ApplianceVersion.parse(appliance_version)
        )
        self.dialect = dialect or Dialect()
        regions = self.version.signing_regions() if allowed_regions is None else allowed_regions
        self.policy = Policy(
            allowed_services=frozenset(allowed_services),
            allowed_regions=frozenset(regions),
            clock_skew_seconds=clock_skew_seconds,
            strict_payload_hash=strict_payload_hash,
        )
        self.state = Store(
            instance_id=instance_id,
            seeding_seconds=seeding_seconds,
            promote_seconds=promote_seconds,
            version=self.version,
        )
        given = None
        if admin_access_key_id and admin_secret_access_key:
            given = (admin_access_key_id, admin_secret_access_key)
        if activated:
            access, secret = given or new_key_pair()
            self.state.add_user(User("admin", "admin@example.com", "Admin", "User", True, access, secret))
            self.state.admin = (access, secret)
            self.state.activated = True
        else:
            self.state.next_admin_keys = given
            self.state.service_running = False

    # -- what tests look at -------------------------------------------------------------------------------
    @property
    def admin_keys(self) -> tuple[str, str] | None:
        """``(access_key_id, secret_access_key)`` of the first admin; ``None`` before ActivateInstance."""
        return self.state.admin

    @property
    def activated(self) -> bool:
        return self.state.activated

    @property
    def users(self) -> dict[str, User]:
        return self.state.users

    @property
    def cluster(self) -> Cluster | None:
        return self.state.cluster

    @property
    def replications(self) -> dict[str, Replication]:
        return self.state.replications

    @property
    def service_running(self) -> bool:
        return self.state.service_running

    def add_replications(self, n: int, *, seeded: bool = True, name_prefix: str = "db") -> list[str]:
        """``n`` SQL->SQL jobs created directly (already seeded by default), for list and monitor tests."""
        ids = []
        with self.state.lock:
            start = len(self.state.replications)
            for i in range(start, start + n):
                name = f"{name_prefix}{i + 1:04d}"
                replication = self.state.add_replication(
                    kind="SqlToSql",
                    name=name,
                    method="ContinuousWithAutoSeeding",
                    source=_connection("source.example.internal", name),
                    destination=_connection("replica.example.internal", name),
                    seeded=seeded,
                )
                ids.append(replication.replication_id)
        return ids

    def set_replication_outcome(self, replication_id: str, outcome: str) -> None:
        """Make the job's seeding end in ``outcome`` (``Failed`` or ``Success``); a failure is reported
        as the dialect spells it (``seeding_failure``)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
        if outcome == FAILED:
            outcome = self.dialect.seeding_failure
        with self.state.lock:
            self.state.replications[replication_id.lower()].seeding.outcome = outcome

    def set_promotion_outcome(self, replication_id: str, outcome: str) -> None:
        """Make the job's next promotion end in ``outcome``."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
        with self.state.lock:
            self.state.promotion_outcomes[replication_id.lower()] = outcome

    # -- Simulator hooks ----------------------------------------------------------------------------------
    def fault_keys(self, request: Request) -> tuple[str, ...]:
        name = action_name(request.path)
        return (name, request.path) if name else (request.path,)

    def known_fault_key(self, key: str) -> bool:
        return super().known_fault_key(key) or key in ACTIONS

    def error_response(self, request: Request, status: int) -> Response:
        self._delay()
        return codec.error(
            codec.answer_format(request),
            status,
            [f"injected fault: HTTP {status}"],
            self.state.next_request_id(),
            self.dialect,
        )

    def handle(self, request: Request) -> Response:
        self._delay()
        fmt = codec.answer_format(request)
        name = action_name(request.path)
        action = ACTIONS.get(name) if name else None
        try:
            if action is None:
                raise ApiFault(f"unknown action: {request.path}", status=404)
            if request.method not in action.methods:
                raise ApiFault(f"{request.method} is not allowed for {action.name}", status=405)
            return self._run(action, request, fmt)
        except ApiFault as fault:
            response = codec.error(
                fmt, fault.status, fault.messages, self.state.next_request_id(), self.dialect
            )
            if fault.status == 405 and action is not None:
                response.headers["Allow"] = ", ".join(sorted(action.methods))
            return response
        except Exception as exc:  # a simulator bug: answer it visibly instead of dropping the connection
            message = f"internal simulator error ({type(exc).__name__})"
            return codec.error(fmt, 500, [message], self.state.next_request_id(), self.dialect)

    def _run(self, action: Action, request: Request, fmt: codec.Format) -> Response:
        caller = None
        if action.signed:
            access_key_id = verify(request, self.state.secret_for, self.policy, now=datetime.now(UTC))
            caller = self.state.user_by_key(access_key_id)
        params = codec.parse_body(request)
        with self.state.lock:
            now = self.state.clock.now()
            self.state.settle(now)
            payload: dict[str, Any] | None = action.handler(
                Context(action.name, params, self.state, now, caller, _host_name(request))
            )
        return codec.success(fmt, action.name, payload, self.dialect)

    def _delay(self) -> None:
        if self.latency:
            time.sleep(self.latency)
