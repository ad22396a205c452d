"""DR promotion: PromoteDbReplicaToPrimary, then PromoteDbReplicaToPrimaryStatus to the end, then DNS.

A Lambda invocation may end before the promotion does. Then the result says ``"status": "Running"``,
``"continue": true`` and carries ``event``: the same request with ``"Resume": true``, which skips the
promote call and keeps polling. Re-invoking with it (by hand, from a Step Functions loop, or by the
function itself) is safe any number of times; so is repeating a finished promotion's resume event, which
only re-reads the status and re-applies the (UPSERT) DNS change.

The promotion and the DNS change are reported apart (``status`` and ``dnsStatus``): a promotion that
succeeded stays reported as succeeded when the DNS change then fails (``dnsStatus`` ``NotUpdated`` with
``dnsError``, and an ``event`` that retries only the DNS change). Before a promotion starts, the DNS change
is checked as far as it can be without making it: the target is resolved and Route 53 access to the zone is
read (``GetHostedZone``); if that fails nothing is started.

Status values: the reference documents ``Running`` and ``Success``; a failed promotion's value is not
captured. Anything that reads as a failure (``Failed``, ``Error``, ``Cancelled``) ends the wait as failed;
any other unknown value is treated as still running.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec

from cbprovider.automation.dns import CnameChange, check_access, upsert_cname, with_target
from cbprovider.automation.errors import DnsAccessError, DnsUpdateError
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

DNS_NOT_REQUESTED = "NotRequested"
"""The request has no ``Dns`` (or ``"Dns": null``)."""
DNS_PENDING = "Pending"
"""The promotion is still running; the DNS change follows its success."""
DNS_NOT_ATTEMPTED = "NotAttempted"
"""The promotion failed, so the record was left alone."""
DNS_UPDATED = "Updated"
DNS_NOT_UPDATED = "NotUpdated"
"""The promotion succeeded but the DNS change failed (``dnsError`` says why)."""
SKIP_DNS_HINT = 'or promote without DNS ("Dns": null in the event; cbctl promote --skip-dns)'


class PollUpdate(msgspec.Struct, frozen=True):
    """One PromoteDbReplicaToPrimaryStatus answer, for progress lines and logs (no secrets, no log text)."""

    replication_id: str
    poll: int
    status: str | None
    progress: int | None
    elapsed: float
    """Seconds since this run started."""


PollListener = Callable[[PollUpdate], None]


class PromotionResult(msgspec.Struct):
    replication_id: str
    status: str
    progress: int | None = None
    server_status: str | None = None
    logs_tail: list[str] = msgspec.field(default_factory=list)
    promote_called: bool = False
    dns: dict[str, Any] | None = None
    """The DNS change (zone, record, target, TTL), with ``changeId``/``changeStatus`` once made."""
    dns_status: str = DNS_NOT_REQUESTED
    dns_error: str | None = None
    resume_event: dict[str, Any] | None = None

    @property
    def should_continue(self) -> bool:
        return self.status == RUNNING

    @property
    def promoted_without_dns(self) -> bool:
        """Promoted, but the requested DNS change was not made: never to be reported as a failure."""
        return self.status == SUCCESS and self.dns_status == DNS_NOT_UPDATED

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "status": self.status,
            "continue": self.should_continue,
            "replicationId": self.replication_id,
            "progress": self.progress,
            "serverStatus": self.server_status,
            "promoteCalled": self.promote_called,
            "logsTail": self.logs_tail,
            "dnsStatus": self.dns_status,
            "dnsError": self.dns_error,
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


def describe_change(change: CnameChange) -> dict[str, Any]:
    return {
        "hostedZoneId": change.hosted_zone_id,
        "recordName": change.record_name,
        "target": change.target,
        "ttl": change.ttl,
    }


def server_host(connection_string: str | None) -> str | None:
    """The host of ``Data Source``/``Server`` (``tcp:`` prefix, ``,port`` and ``\\instance`` removed)."""
    for part in (connection_string or "").split(";"):
        key, sep, value = part.partition("=")
        if sep and " ".join(key.lower().split()) in ("data source", "server", "address", "addr"):
            host = value.strip().removeprefix("tcp:").split(",")[0].split("\\")[0].strip()
            return host or None
    return None


class Promotion:
    """Runs one promotion request against ``client`` until done or until ``deadline``.

    The CNAME's target, unless the request names one, is the server of the replica being promoted (the
    replication's destination, as the appliance lists it): applications connect to that SQL Server, and
    no other name can be slipped in. ``on_poll`` hears every status answer.
    """

    def __init__(
        self,
        request: PromotionRequest,
        client: CloudBasicClient,
        *,
        sleep: Callable[[float], None] = time.sleep,
        route53: Any = None,
        on_poll: PollListener | None = None,
    ) -> None:
        self.request = request
        self.client = client
        self.started = False
        """Whether this run called (or found running) PromoteDbReplicaToPrimary."""
        self._sleep = sleep
        self._route53 = route53
        self._on_poll = on_poll

    def dns_change(self, deadline: Deadline) -> CnameChange | None:
        """The DNS change this request makes, target resolved (``InputError`` naming ``Dns.Target``)."""
        if self.request.dns is None:
            return None
        replica = None if self.request.dns.target else self._replica_host(deadline)
        return with_target(self.request.dns, replica)

    def _replica_host(self, deadline: Deadline) -> str | None:
        for summary in self.client.get_replications_list(deadline=deadline):
            if summary.replication_id.lower() == self.request.replication_id.lower():
                return server_host(summary.destination)
        return None

    def check_dns_access(self, change: CnameChange) -> None:
        """Route 53 answers for the zone: else ``DnsAccessError`` saying that nothing was promoted."""
        try:
            check_access(change, client=self._route53)
        except DnsAccessError as exc:
            raise DnsAccessError(
                f"DNS check failed before the promotion: {exc}. Nothing was promoted. Fix the Route 53 "
                f"access (route53:GetHostedZone and route53:ChangeResourceRecordSets on the zone), "
                f"{SKIP_DNS_HINT}"
            ) from None

    def run(self, deadline: Deadline) -> PromotionResult:
        request = self.request
        began = time.monotonic()
        result = PromotionResult(request.replication_id, RUNNING)
        change = self.dns_change(deadline)
        if change is not None:
            result.dns = describe_change(change)
            result.dns_status = DNS_PENDING
            if not request.resume:
                self.check_dns_access(change)
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
            self.started = True
        polls = 0
        while True:
            try:
                status = self.client.promote_db_replica_to_primary_status(
                    request.replication_id, deadline=deadline
                )
            except ApiConnectionError:
                if deadline.remaining() > STATUS_CALL_BUDGET:
                    raise
                return self._hand_over(result)
            polls += 1
            result.server_status = status.status
            result.progress = status.progress
            result.logs_tail = tail(status.logs)
            if self._on_poll is not None:
                update = PollUpdate(
                    request.replication_id, polls, status.status, status.progress, time.monotonic() - began
                )
                self._on_poll(update)
            outcome = classify(status.status)
            if outcome == FAILED:
                result.status = FAILED
                if change is not None:
                    result.dns_status = DNS_NOT_ATTEMPTED
                logger.error("Promotion of replication %s failed", request.replication_id)
                return result
            if outcome == SUCCESS:
                result.status = SUCCESS
                if change is not None:
                    self._point_dns(change, result)
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

    def _point_dns(self, change: CnameChange, result: PromotionResult) -> None:
        """Make the DNS change; a failure is reported in ``result``, never raised (the promotion is done)."""
        try:
            answer = upsert_cname(change, client=self._route53)
        except DnsUpdateError as exc:
            error = str(exc)
        except Exception as exc:  # the promotion succeeded: whatever DNS raises, report that, not a failure
            error = f"could not upsert CNAME {change.record_name}: {type(exc).__name__}"
        else:
            result.dns_status = DNS_UPDATED
            result.dns = {
                **describe_change(change),
                "changeId": answer.change_id,
                "changeStatus": answer.status,
            }
            logger.info("Pointed %s at %s", change.record_name, change.target)
            return
        result.dns_status = DNS_NOT_UPDATED
        result.dns_error = error
        result.resume_event = self.request.to_event(resume=True)
        logger.error(
            "Replication %s was promoted, but its DNS record was not updated: %s",
            self.request.replication_id,
            error,
        )
