"""DR promotion: PromoteDbReplicaToPrimary, then PromoteDbReplicaToPrimaryStatus to the end, then DNS.

A Lambda invocation may end before the promotion does. Then the result says ``"status": "Running"``,
``"continue": true`` and carries ``event``: the same request with ``"Resume": true``, which skips the
promote call and keeps polling. Re-invoking with it (by hand, from a Step Functions loop, or by the
function itself) is safe any number of times; so is repeating a finished promotion's resume event, which
only re-reads the status and re-applies the (UPSERT) DNS change.

Status values: the reference documents ``Running`` and ``Success``; a failed promotion's value is not
captured. Anything that reads as a failure (``Failed``, ``Error``, ``Cancelled``) ends the wait as failed;
any other unknown value is treated as still running.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cbprovider.automation.dns import CnameChange, upsert_cname
from cbprovider.automation.errors import DnsUpdateError
from cbprovider.automation.promotion_request import PromotionRequest
from cbprovider.cloudbasic.outcomes import FAILED, RUNNING, SUCCESS
from cbprovider.cloudbasic.outcomes import outcome as classify
from cbprovider.deadline import Deadline
from cbprovider.errors import ApiConnectionError, ApiError

if TYPE_CHECKING:
    from cbprovider.cloudbasic.client import CloudBasicClient

logger = logging.getLogger(__name__)

STATUS_CALL_BUDGET = 2.0
"""Seconds kept for one more status call before the deadline; below that the run hands over."""
LOG_TAIL_LINES = 10


@dataclass
class PromotionResult:
    replication_id: str
    status: str
    progress: int | None = None
    server_status: str | None = None
    logs_tail: list[str] = field(default_factory=list)
    promote_called: bool = False
    dns: dict[str, Any] | None = None
    resume_event: dict[str, Any] | None = None

    @property
    def should_continue(self) -> bool:
        return self.status == RUNNING

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "status": self.status,
            "continue": self.should_continue,
            "replicationId": self.replication_id,
            "progress": self.progress,
            "serverStatus": self.server_status,
            "promoteCalled": self.promote_called,
            "logsTail": self.logs_tail,
            "dns": self.dns,
        }
        if self.resume_event is not None:
            result["event"] = self.resume_event
        return result


def already_running(
    client: CloudBasicClient, error: ApiError, replication_id: str, deadline: Deadline
) -> bool:
    """Whether a 400 to the start call is the one a second start gets while a promotion runs (e.g. our own
    first attempt, whose answer was lost). Its text is not documented, so the status call decides."""
    if error.status != 400:
        return False
    try:
        status = client.promote_db_replica_to_primary_status(replication_id, deadline=deadline)
    except ApiError:
        return False
    return classify(status.status) == RUNNING


def tail(logs: str | None, lines: int = LOG_TAIL_LINES) -> list[str]:
    return [line for line in (logs or "").splitlines() if line.strip()][-lines:]


def server_host(connection_string: str | None) -> str | None:
    """The host of ``Data Source``/``Server`` (``tcp:`` prefix, ``,port`` and ``\\instance`` removed)."""
    for part in (connection_string or "").split(";"):
        key, sep, value = part.partition("=")
        if sep and " ".join(key.lower().split()) in ("data source", "server", "address", "addr"):
            host = value.strip().removeprefix("tcp:").split(",")[0].split("\\")[0].strip()
            return host or None
    return None


class Promotion:
    """Runs one promotion request against ``client`` until done or until ``deadline``."""

    def __init__(
        self,
        request: PromotionRequest,
        client: CloudBasicClient,
        *,
        sleep: Callable[[float], None] = time.sleep,
        route53: Any = None,
    ) -> None:
        self.request = request
        self.client = client
        self._sleep = sleep
        self._route53 = route53

    def run(self, deadline: Deadline) -> PromotionResult:
        request = self.request
        result = PromotionResult(request.replication_id, RUNNING)
        if not request.resume:
            logger.info("Starting promotion of replication %s", request.replication_id)
            try:
                self.client.promote_db_replica_to_primary(
                    request.replication_id, request.api_options(), deadline=deadline
                )
            except ApiError as exc:
                if not already_running(self.client, exc, request.replication_id, deadline):
                    raise
                logger.warning(
                    "A promotion of replication %s is already running; following it", request.replication_id
                )
            result.promote_called = True
        while True:
            try:
                status = self.client.promote_db_replica_to_primary_status(
                    request.replication_id, deadline=deadline
                )
            except ApiConnectionError:
                if deadline.remaining() > STATUS_CALL_BUDGET:
                    raise
                return self._hand_over(result)
            result.server_status = status.status
            result.progress = status.progress
            result.logs_tail = tail(status.logs)
            outcome = classify(status.status)
            if outcome == FAILED:
                result.status = FAILED
                logger.error("Promotion of replication %s failed", request.replication_id)
                return result
            if outcome == SUCCESS:
                result.status = SUCCESS
                if request.dns is not None:
                    result.dns = self._point_dns(request.dns, deadline)
                return result
            if deadline.remaining() < request.poll_interval + STATUS_CALL_BUDGET:
                return self._hand_over(result)
            self._sleep(request.poll_interval)

    def _hand_over(self, result: PromotionResult) -> PromotionResult:
        result.status = RUNNING
        result.resume_event = self.request.to_event(resume=True)
        logger.info(
            "Promotion of replication %s still running at %s%%; continue with Resume",
            self.request.replication_id,
            result.progress,
        )
        return result

    def _point_dns(self, change: CnameChange, deadline: Deadline) -> dict[str, Any]:
        target = change.target or self._replica_host(deadline)
        if not target:
            raise DnsUpdateError(
                "Dns.Target: not given, and the replication's destination names no server to point at"
            )
        applied = CnameChange(change.hosted_zone_id, change.record_name, target, change.ttl)
        answer = upsert_cname(applied, client=self._route53)
        logger.info("Pointed %s at %s", applied.record_name, target)
        return {
            "hostedZoneId": applied.hosted_zone_id,
            "recordName": applied.record_name,
            "target": target,
            "ttl": applied.ttl,
            "changeId": answer.change_id,
            "changeStatus": answer.status,
        }

    def _replica_host(self, deadline: Deadline) -> str | None:
        for summary in self.client.get_replications_list(deadline=deadline):
            if summary.replication_id.lower() == self.request.replication_id:
                return server_host(summary.destination)
        return None
