"""The appliance's state: activation, users and keys, the service, the HA cluster and the replication jobs.

One ``Store`` per simulator; handlers run under ``Store.lock``. Time-based statuses come from
``timeline.TimedJob`` evaluated at read time.
"""

from __future__ import annotations

import secrets
import string
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from simulators.cloudbasic.texts import database_of, log_line, server_of
from simulators.cloudbasic.timeline import Clock, TimedJob
from simulators.cloudbasic.versions import NEWEST, ApplianceVersion

CT_INTERVAL = 2.0
"""Seconds between two change-tracking transfers of a seeded, enabled replication."""
_KEY_ALPHABET = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"


def new_key_pair() -> tuple[str, str]:
    """AWS-style keys as in the vendor samples: a 20-character id and a 40-character secret."""
    access = "".join(secrets.choice(_KEY_ALPHABET) for _ in range(20))
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))
    return access, secret


@dataclass
class User:
    user_name: str
    email: str
    first_name: str
    last_name: str
    is_admin: bool
    access_key_id: str
    secret_access_key: str = field(repr=False)


@dataclass
class Cluster:
    local_server: str
    remote_server: str
    port: int
    remote_public_key: str
    remote_private_key: str = field(repr=False)


@dataclass
class Reseed:
    table_name: str
    job: TimedJob
    cancelled: bool = False


@dataclass
class Promotion:
    job: TimedJob
    requested_by: str
    options: dict[str, bool]
    started_at: datetime
    turn_off_data_replication: bool


@dataclass
class Replication:
    """One replication job (SQL->SQL, SQL->Redshift or SQL->S3)."""

    replication_id: str
    kind: str
    """``SqlToSql``, ``SqlToRedshift`` or ``SqlToS3``."""
    name: str
    method: str
    source: str
    destination: str
    source_encrypt: bool
    destination_encrypt: bool
    seeding: TimedJob
    created_at: datetime
    ct_pid: str = field(default_factory=lambda: str(uuid.uuid4()))
    data_replication: bool = True
    schema_replication: bool = True
    finalized: bool = False
    settings: dict[str, Any] = field(default_factory=dict)
    rebuild: TimedJob | None = None
    rebuild_started_at: datetime | None = None
    reseeds: dict[str, Reseed] = field(default_factory=dict)
    promotion: Promotion | None = None
    data_off_at: float | None = None
    """When ``dataReplication`` was last switched off (transfers stop there)."""
    lag_seconds: float = 0.0
    """Extra staleness a test can set: the last transfer is reported this much older."""

    @property
    def source_server(self) -> str | None:
        return server_of(self.source)

    @property
    def destination_server(self) -> str | None:
        return server_of(self.destination)

    @property
    def source_database(self) -> str | None:
        return database_of(self.source)

    @property
    def destination_database(self) -> str | None:
        return database_of(self.destination)

    def seeded(self, now: float) -> bool:
        return self.seeding.status(now) == "Success"

    def is_enabled(self, now: float) -> bool:
        return self.data_replication and not self.finalized and not self.seeding_failed(now)

    def seeding_failed(self, now: float) -> bool:
        """Ended in anything but ``Success`` (the failure's spelling is the dialect's)."""
        return self.seeding.status(now) not in ("Running", "Success")

    def last_transfer(self, now: float) -> float:
        """Monotonic time of the last successful change transfer (a cycle every ``CT_INTERVAL`` seconds)."""
        if self.data_off_at is not None and not self.data_replication:
            last = max(self.seeding.ends, self.data_off_at)
        elif self.finalized:
            last = self.seeding.ends
        else:
            last = now - (max(0.0, now - self.seeding.ends) % CT_INTERVAL)
        return last - self.lag_seconds

    def change_tracking_status(self, now: float) -> str:
        """Invented values (assumption C13 in docs/simulators.md): NotStarted while seeding, Running or
        Stopped afterwards."""
        status = self.seeding.status(now)
        if status == "Running":
            return "NotStarted"
        if self.seeding_failed(now):
            return "Failed"
        return "Running" if self.is_enabled(now) else "Stopped"


class Store:
    def __init__(
        self,
        *,
        instance_id: str,
        seeding_seconds: float,
        promote_seconds: float,
        version: ApplianceVersion = NEWEST,
    ) -> None:
        self.lock = threading.RLock()
        self.version = version
        self.instance_id = instance_id
        self.admin: tuple[str, str] | None = None
        self.next_admin_keys: tuple[str, str] | None = None
        """Keys the next ActivateInstance hands out (from the command line); random when ``None``."""
        self.clock = Clock()
        self.seeding_seconds = seeding_seconds
        self.promote_seconds = promote_seconds
        self.activated = False
        self.users: dict[str, User] = {}
        self.service_running = True
        self.active_directory = False
        self.certificate_bound = False
        self.cluster: Cluster | None = None
        self.replications: dict[str, Replication] = {}
        self.promotion_outcomes: dict[str, str] = {}
        """Replication id -> outcome of its next promotion (default ``Success``)."""
        self._request_ids = 0

    def next_request_id(self) -> int:
        with self.lock:
            self._request_ids += 1
            return self._request_ids

    # -- users -----------------------------------------------------------------------------------------
    def secret_for(self, access_key_id: str) -> str | None:
        with self.lock:
            for user in self.users.values():
                if hmac_safe_equal(user.access_key_id, access_key_id):
                    return user.secret_access_key
        return None

    def user_by_key(self, access_key_id: str) -> User | None:
        with self.lock:
            return next((u for u in self.users.values() if u.access_key_id == access_key_id), None)

    def add_user(self, user: User) -> None:
        self.users[user.user_name] = user

    # -- replications ----------------------------------------------------------------------------------
    def add_replication(
        self,
        *,
        kind: str,
        name: str,
        method: str,
        source: str,
        destination: str,
        source_encrypt: bool = False,
        destination_encrypt: bool = False,
        seeded: bool = False,
        settings: dict[str, Any] | None = None,
    ) -> Replication:
        now = self.clock.now()
        started = now - self.seeding_seconds if seeded else now
        replication = Replication(
            replication_id=str(uuid.uuid4()),
            kind=kind,
            name=name,
            method=method,
            source=source,
            destination=destination,
            source_encrypt=source_encrypt,
            destination_encrypt=destination_encrypt,
            seeding=TimedJob(started, self.seeding_seconds),
            created_at=self.clock.wall(started),
            settings=dict(settings or {}),
        )
        self.replications[replication.replication_id] = replication
        return replication

    def settle(self, now: float) -> None:
        """Apply the effects of jobs finished since the last request (promotions turning replication off)."""
        for replication in self.replications.values():
            promotion = replication.promotion
            if promotion is None or not promotion.turn_off_data_replication or promotion.job.running(now):
                continue
            if promotion.job.outcome == "Success" and replication.data_replication:
                replication.data_replication = False
                replication.data_off_at = promotion.job.ends
            promotion.turn_off_data_replication = False

    def seeding_log(self, replication: Replication) -> list[str]:
        now = self.clock.now()
        at = replication.created_at
        lines = [
            log_line(at, "[START DB STRUCTURE]"),
            log_line(at, f"Source SQL Server: {replication.source_server or 'unknown'}"),
            log_line(at, f"Replica SQL Server: {replication.destination_server or 'unknown'}"),
        ]
        if replication.seeding.running(now):
            lines.append(
                log_line(self.clock.wall(now), f"Seeding in progress: {replication.seeding.progress(now)}")
            )
        else:
            end = self.clock.wall(replication.seeding.ends)
            lines.append(log_line(end, "[END DB STRUCTURE]"))
            lines.append(log_line(end, f"Seeding finished: {replication.seeding.outcome}"))
        return lines


def hmac_safe_equal(a: str, b: str) -> bool:
    return secrets.compare_digest(a.encode(), b.encode())
