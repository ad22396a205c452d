"""One monitoring pass over the registered CloudBasic endpoints and Capella organisations.

Phase one, concurrently: per CloudBasic endpoint ReplicationServiceStatus (``Status`` and the cluster
peer's ``RemoteStatus``) then GetReplicationsList; per Capella endpoint the cluster list (all pages).
Phase two, concurrently and bounded by ``concurrency``: GetLatency for every replication and the status
of every Capella cluster. Each item is reported on its own (see ``cbprovider.automation.report``);
nothing one item does stops the others, and the pass ends by its deadline, reporting what it could not
reach as skipped.

Time since the last successful transfer: ``LastSuccessfullTransfer`` is a zone-less en-US text in the
server's clock (the reference documents ``RequestTimestamp`` as UTC and the simulator uses UTC for every
timestamp). It is measured against the same server's ``RequestTimestamp`` from ReplicationServiceStatus
(advanced by the time elapsed since that answer), so the result does not depend on the zone the server
writes in, nor on clock skew between the appliance and Lambda. Only when that timestamp is missing or
unreadable is the text read as UTC and compared with this machine's clock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import msgspec

from cbprovider.automation.capella_v4_check import V4Clusters, list_v4_clusters, v4_client
from cbprovider.automation.clients import ThreadClients
from cbprovider.automation.credentials import CAPELLA_FIELDS, CLOUDBASIC_FIELDS, key_pair_from_secret
from cbprovider.automation.errors import CredentialsError
from cbprovider.automation.pool import Outcome, run_bounded
from cbprovider.automation.report import (
    DEADLINE_REASON,
    CapellaReport,
    ClusterReport,
    EndpointReport,
    MonitorReport,
    ReplicationReport,
    Status,
)
from cbprovider.automation.settings import (
    CapellaTarget,
    CloudBasicTarget,
    MonitorSettings,
    RefusedEndpoint,
)
from cbprovider.automation.texts import parse_duration_seconds, parse_long_timestamp
from cbprovider.automation.window import Window
from cbprovider.cloudbasic.ca_bundle import ca_bundle_file
from cbprovider.deadline import Deadline
from cbprovider.errors import ApiConnectionError, ProviderError

if TYPE_CHECKING:
    from cbprovider.capella.client import CapellaClient
    from cbprovider.capella.models import ClusterSummary
    from cbprovider.capella.v4 import CapellaV4Client
    from cbprovider.cloudbasic.client import CloudBasicClient
    from cbprovider.cloudbasic.models import ReplicationSummary, ServiceStatus

logger = logging.getLogger(__name__)

RUNNING = "running"
HEALTHY_CLUSTER_STATUSES = frozenset({"healthy", "ready"})
"""``healthy`` for hosted (v3) clusters, ``ready`` for in-VPC (v2) ones."""
IN_VPC = "inVpc"
NOT_ANSWERED = "no answer before the deadline"
CapellaCredentials = tuple[str, str] | str | None
"""A v3 key pair, a v4 API key token, or nothing (every call is then refused)."""


class ServerClock(msgspec.Struct, frozen=True):
    """The CloudBasic server's wall clock, anchored on one of its ``RequestTimestamp`` texts."""

    server_time: datetime | None
    observed_at: float

    def now(self) -> datetime:
        if self.server_time is None:
            return datetime.now(UTC).replace(tzinfo=None)
        return self.server_time + timedelta(seconds=time.monotonic() - self.observed_at)

    def seconds_since(self, text: str | None) -> float | None:
        moment = parse_long_timestamp(text)
        if moment is None:
            return None
        return max(0.0, (self.now() - moment).total_seconds())


class EndpointSnapshot(msgspec.Struct, frozen=True):
    service: ServiceStatus
    replications: list[ReplicationSummary]
    clock: ServerClock


class ClusterTask(msgspec.Struct, frozen=True):
    endpoint: str
    summary: ClusterSummary


class ReplicationTask(msgspec.Struct, frozen=True):
    endpoint: str
    summary: ReplicationSummary
    clock: ServerClock


def report_refused(report: MonitorReport, refused: Sequence[RefusedEndpoint]) -> None:
    """Registry entries the monitor must not call, as error items under their names."""
    for entry in refused:
        if entry.vendor == "capella":
            report.capella.append(CapellaReport("", Status.ERROR, entry.reason, name=entry.name))
        else:
            report.endpoints.append(EndpointReport(entry.name, "", Status.ERROR, entry.reason))


def describe_failure(error: Exception) -> tuple[Status, str]:
    """The status and reason an item gets for an exception from its check."""
    if isinstance(error, ApiConnectionError):
        return Status.UNREACHABLE, error.reason
    if isinstance(error, ProviderError):
        return Status.ERROR, str(error)
    logger.error("Unexpected error in a monitor check", exc_info=error)
    return Status.ERROR, f"{type(error).__name__}: {error}"


def failure_of(outcome: Outcome[Any, Any]) -> tuple[Status, str] | None:
    """``None`` for a successful outcome, else its status and reason."""
    if outcome.skipped:
        return Status.SKIPPED, DEADLINE_REASON
    if outcome.timed_out:
        return Status.UNREACHABLE, NOT_ANSWERED
    if outcome.error is not None:
        return describe_failure(outcome.error)
    return None


def database_name(connection_string: str | None) -> str | None:
    """``Initial Catalog`` / ``Database`` of a connection string (the replica's database)."""
    for part in (connection_string or "").split(";"):
        key, sep, value = part.partition("=")
        if sep and " ".join(key.lower().split()) in ("initial catalog", "database") and value.strip():
            return value.strip()
    return None


class Monitor:
    """Runs passes with the given settings. ``reader`` reads JSON secrets (injectable for tests).

    ``window`` (one unit of a fanned-out run, ``cbprovider.automation.window``) limits and orders the
    replications of every endpoint and the clusters of every Capella endpoint; without it every item is
    checked in the order the API lists it.
    """

    def __init__(
        self,
        settings: MonitorSettings,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        window: Window | None = None,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._window = window

    def run(self, deadline: Deadline) -> MonitorReport:
        started = time.monotonic()
        report = MonitorReport(started_at=self._clock())
        self._report_refused(report)
        endpoints, credentials, bundles = self._resolve_cloudbasic(report)
        orgs, capella_credentials = self._resolve_capella(report)
        with (
            ThreadClients(
                lambda name: self._cloudbasic_client(credentials[name], bundles[name], name)
            ) as cloudbasic,
            ThreadClients(lambda name: self._capella_client(capella_credentials[name], name)) as capella,
        ):
            replication_tasks, cluster_tasks = self._phase_one(
                report, endpoints, orgs, cloudbasic, capella, deadline
            )
            self._phase_two(report, replication_tasks, cluster_tasks, cloudbasic, capella, deadline)
        report.deadline_reached = deadline.expired() or any(
            item.status is Status.SKIPPED for item in report.items()
        )
        report.duration_seconds = time.monotonic() - started
        return report

    # -- credentials and CA bundles (read once, on the calling thread) -----------------------------------
    def _report_refused(self, report: MonitorReport) -> None:
        report_refused(report, self.settings.refused)

    def _resolve_cloudbasic(
        self, report: MonitorReport
    ) -> tuple[list[CloudBasicTarget], dict[str, tuple[str, str] | None], dict[str, str | None]]:
        ready: list[CloudBasicTarget] = []
        credentials: dict[str, tuple[str, str] | None] = {}
        bundles: dict[str, str | None] = {}
        for target in self.settings.cloudbasic:
            try:
                credentials[target.name] = self._key_pair(
                    target.credentials,
                    target.credentials_secret_arn,
                    CLOUDBASIC_FIELDS,
                    f"endpoint {target.name} CredentialsSecretArn",
                )
                bundles[target.name] = target.ca_bundle or (
                    ca_bundle_file(
                        target.ca_bundle_secret_arn,
                        field_context=f"endpoint {target.name} CaBundleSecretArn",
                    )
                    if target.ca_bundle_secret_arn
                    else None
                )
            except ProviderError as exc:
                report.endpoints.append(EndpointReport(target.name, target.api_url, Status.ERROR, str(exc)))
                continue
            ready.append(target)
        return ready, credentials, bundles

    def _resolve_capella(
        self, report: MonitorReport
    ) -> tuple[list[CapellaTarget], dict[str, CapellaCredentials]]:
        ready: list[CapellaTarget] = []
        credentials: dict[str, CapellaCredentials] = {}
        for target in self.settings.capella:
            context = f"capella endpoint {target.name} CredentialsSecretArn"
            try:
                if target.api_version != "v4":
                    credentials[target.name] = self._key_pair(
                        target.credentials, target.credentials_secret_arn, CAPELLA_FIELDS, context
                    )
                elif not target.organization_id:
                    raise CredentialsError(f"capella endpoint {target.name}: API v4 needs an OrganizationId")
                else:
                    from cbprovider.capella.v4.auth import read_api_key_token

                    credentials[target.name] = target.token or (
                        read_api_key_token(target.credentials_secret_arn, field_context=context)
                        if target.credentials_secret_arn
                        else None
                    )
            except ProviderError as exc:
                report.capella.append(CapellaReport(target.api_url, Status.ERROR, str(exc), name=target.name))
                continue
            ready.append(target)
        return ready, credentials

    def _key_pair(
        self,
        given: tuple[str, str] | None,
        secret_arn: str | None,
        fields: tuple[str, str],
        context: str,
    ) -> tuple[str, str] | None:
        if given is not None:
            return given
        if secret_arn:
            return key_pair_from_secret(secret_arn, fields, field_context=context)
        return None

    # -- clients ----------------------------------------------------------------------------------------
    def _target(self, name: str) -> CloudBasicTarget:
        return next(t for t in self.settings.cloudbasic if t.name == name)

    def _cloudbasic_client(
        self, credentials: tuple[str, str] | None, ca_bundle: str | None, name: str
    ) -> CloudBasicClient:
        from cbprovider.cloudbasic.client import CloudBasicClient

        target = self._target(name)
        return CloudBasicClient(
            target.api_url,
            credentials,
            service=target.signing_service,
            region=target.signing_region,
            ca_bundle=ca_bundle,
            timeouts=self.settings.timeouts,
            retry=self.settings.retry,
        )

    def _capella_client(self, credentials: CapellaCredentials, name: str) -> CapellaClient | CapellaV4Client:
        from cbprovider.capella.client import CapellaClient

        target = next(t for t in self.settings.capella if t.name == name)
        if target.api_version == "v4":
            return v4_client(target, credentials if isinstance(credentials, str) else None, self.settings)
        return CapellaClient(
            target.api_url,
            credentials if isinstance(credentials, tuple) else None,
            timeouts=self.settings.timeouts,
            retry=self.settings.retry,
        )

    # -- phase one: service status and lists ------------------------------------------------------------
    def _phase_one(
        self,
        report: MonitorReport,
        endpoints: Sequence[CloudBasicTarget],
        orgs: Sequence[CapellaTarget],
        cloudbasic: ThreadClients[CloudBasicClient],
        capella: ThreadClients[CapellaClient | CapellaV4Client],
        deadline: Deadline,
    ) -> tuple[list[ReplicationTask], list[ClusterTask]]:
        def check(
            target: CloudBasicTarget | CapellaTarget,
        ) -> EndpointSnapshot | list[ClusterSummary] | V4Clusters:
            if isinstance(target, CapellaTarget):
                organisation = capella.get(target.name)
                if target.api_version == "v4":
                    return list_v4_clusters(cast("CapellaV4Client", organisation), deadline)
                return cast("CapellaClient", organisation).list_clusters(deadline=deadline)
            client = cloudbasic.get(target.name)
            service = client.replication_service_status(deadline=deadline)
            clock = ServerClock(parse_long_timestamp(service.request_timestamp), time.monotonic())
            return EndpointSnapshot(service, client.get_replications_list(deadline=deadline), clock)

        targets: list[CloudBasicTarget | CapellaTarget] = [*endpoints, *orgs]
        concurrency = max(1, min(len(targets), self.settings.concurrency))
        outcomes = run_bounded(targets, check, concurrency=concurrency, deadline=deadline)
        tasks: list[ReplicationTask] = []
        for target, outcome in zip(endpoints, outcomes, strict=False):
            tasks.extend(self._endpoint_report(report, target, outcome))
        cluster_tasks: list[ClusterTask] = []
        for org, outcome in zip(orgs, outcomes[len(endpoints) :], strict=True):
            failure = failure_of(outcome)
            org_report = CapellaReport(
                org.api_url,
                Status.OK if failure is None else failure[0],
                None if failure is None else failure[1],
                name=org.name,
            )
            report.capella.append(org_report)
            if isinstance(outcome.result, V4Clusters):
                org_report.clusters.extend(outcome.result.reports)
            elif failure is None:
                summaries: list[ClusterSummary] = list(outcome.result or ())  # type: ignore[arg-type]
                org_report.cluster_total = len(summaries)
                if self._window is not None:
                    summaries = self._window.select(summaries, key=lambda c: c.id)
                cluster_tasks.extend(ClusterTask(org.name, summary) for summary in summaries)
        return tasks, cluster_tasks

    def _endpoint_report(
        self, report: MonitorReport, target: CloudBasicTarget, outcome: Outcome[Any, Any]
    ) -> list[ReplicationTask]:
        failure = failure_of(outcome)
        if failure is not None:
            report.endpoints.append(EndpointReport(target.name, target.api_url, *failure))
            return []
        snap = outcome.result
        if not isinstance(snap, EndpointSnapshot):
            raise TypeError("an endpoint check must return an EndpointSnapshot")
        status, reason = Status.OK, None
        if (snap.service.status or "").lower() != RUNNING:
            status, reason = Status.UNHEALTHY, f"replication service is {snap.service.status or 'unknown'}"
        elif snap.service.remote_status is not None and snap.service.remote_status.lower() != RUNNING:
            peer = snap.service.remote_status
            status, reason = Status.UNHEALTHY, f"cluster peer's replication service is {peer}"
        report.endpoints.append(
            EndpointReport(
                target.name,
                target.api_url,
                status,
                reason,
                service_status=snap.service.status,
                remote_status=snap.service.remote_status,
                replication_total=len(snap.replications),
            )
        )
        summaries = snap.replications
        if self._window is not None:
            summaries = self._window.select(summaries, key=lambda r: r.replication_id)
        return [ReplicationTask(target.name, summary, snap.clock) for summary in summaries]

    # -- phase two: every replication and cluster -------------------------------------------------------
    def _phase_two(
        self,
        report: MonitorReport,
        replication_tasks: list[ReplicationTask],
        cluster_tasks: list[ClusterTask],
        cloudbasic: ThreadClients[CloudBasicClient],
        capella: ThreadClients[CapellaClient | CapellaV4Client],
        deadline: Deadline,
    ) -> None:
        period = self.settings.latency_period_hours

        def check(item: ReplicationTask | ClusterTask) -> ReplicationReport | ClusterReport:
            if isinstance(item, ReplicationTask):
                return check_replication(cloudbasic.get(item.endpoint), item, period, deadline)
            return check_cluster(cast("CapellaClient", capella.get(item.endpoint)), item.summary, deadline)

        items: list[ReplicationTask | ClusterTask] = [*replication_tasks, *cluster_tasks]
        outcomes = run_bounded(items, check, concurrency=self.settings.concurrency, deadline=deadline)
        by_endpoint = {e.name: e for e in report.endpoints}
        by_org = {org.name: org for org in report.capella}
        for outcome in outcomes:
            failure = failure_of(outcome)
            item = outcome.item
            result = outcome.result
            if isinstance(item, ReplicationTask):
                if not isinstance(result, ReplicationReport):
                    result = failed_replication(item, *(failure or (Status.ERROR, "no result")))
                by_endpoint[item.endpoint].replications.append(result)
            else:
                if not isinstance(result, ClusterReport):
                    result = failed_cluster(item.summary, *(failure or (Status.ERROR, "no result")))
                by_org[item.endpoint].clusters.append(result)


def replication_base(task: ReplicationTask, status: Status, reason: str | None) -> ReplicationReport:
    summary = task.summary
    return ReplicationReport(
        endpoint=task.endpoint,
        replication_id=summary.replication_id,
        status=status,
        reason=reason,
        name=database_name(summary.destination),
        enabled=summary.is_enabled,
        seconds_since_last_transfer=task.clock.seconds_since(summary.last_successful_transfer),
        last_successful_transfer=summary.last_successful_transfer,
    )


def failed_replication(task: ReplicationTask, status: Status, reason: str) -> ReplicationReport:
    return replication_base(task, status, reason)


def check_replication(
    client: CloudBasicClient, task: ReplicationTask, period_hours: int, deadline: Deadline
) -> ReplicationReport:
    latency = client.get_latency(task.summary.replication_id, period_hours, deadline=deadline)
    result = replication_base(task, Status.OK, None)
    result.data_replication_on = latency.is_data_replication_on
    result.latency_seconds = parse_duration_seconds(latency.average_latency)
    result.time_since_last_data_sync_seconds = parse_duration_seconds(latency.time_since_last_data_sync)
    if task.summary.is_enabled is False:
        result.status, result.reason = Status.UNHEALTHY, "replication is disabled"
    elif latency.is_data_replication_on is False:
        result.status, result.reason = Status.UNHEALTHY, "data replication is off"
    return result


def failed_cluster(summary: ClusterSummary, status: Status, reason: str) -> ClusterReport:
    return ClusterReport(
        cluster_id=summary.id,
        status=status,
        reason=reason,
        name=summary.name or None,
        project_id=summary.project_id or None,
        environment=summary.environment or None,
    )


def check_cluster(client: CapellaClient, summary: ClusterSummary, deadline: Deadline) -> ClusterReport:
    if summary.environment == IN_VPC:
        cluster_status = client.get_vpc_cluster_status(summary.id, deadline=deadline)
    else:
        cluster_status = client.get_cluster_status(summary.id, deadline=deadline)
    result = failed_cluster(summary, Status.OK, "")
    result.reason = None
    result.cluster_status = cluster_status
    if cluster_status not in HEALTHY_CLUSTER_STATUSES:
        result.status, result.reason = Status.UNHEALTHY, f"cluster status is {cluster_status}"
    return result
