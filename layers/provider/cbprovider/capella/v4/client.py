"""Client of the Couchbase Capella Management API v4.

Every path lies under ``/v4/organizations/{organizationId}``; requests carry ``Authorization: Bearer
<API key token>`` and are paced per key (``ratelimit``). The transport retries reads, updates and
deletes (connection errors, 5xx, 429 with ``Retry-After``) and creates only where the server cannot have
acted. Projects, clusters and database credentials are updated with ``If-Match`` set to the ``ETag`` of
a fresh read: on a 412 the object is read again and the update applied once more on the new version;
a second 412 is a ``ConcurrentChangeError``. A 404 on delete means "already gone" (``False``).
See ``docs/capella-v4.md`` for the API facts this relies on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

from cbprovider.capella.fields import ModelError
from cbprovider.capella.pagination import Page, parse_page
from cbprovider.capella.polling import GONE, StatusWait, wait_for
from cbprovider.capella.responses import SERVICE, format_error, json_object
from cbprovider.capella.rest import CapellaRestClient, pages
from cbprovider.capella.v4.auth import BearerAuth
from cbprovider.capella.v4.errors import ConcurrentChangeError
from cbprovider.capella.v4.models import (
    AllowedCidr,
    AllowedCidrSpec,
    Audit,
    Bucket,
    BucketSpec,
    BucketUpdate,
    Cluster,
    ClusterSpec,
    ClusterUpdate,
    CreatedCredential,
    CredentialSpec,
    CredentialUpdate,
    DatabaseCredential,
    Organization,
    Project,
)
from cbprovider.capella.v4.ratelimit import DEFAULT_BURST, DEFAULT_PER_MINUTE, RateLimiter, shared_limiter
from cbprovider.capella.v4.responses import api_error, created_id
from cbprovider.deadline import Deadline
from cbprovider.errors import ApiError
from cbprovider.http_message import Response
from cbprovider.transport import RetryPolicy, Timeouts

logger = logging.getLogger(__name__)

DEFAULT_URL = "https://cloudapi.cloud.couchbase.com"
HEALTHY = "healthy"
DEGRADED = "degraded"
FAILURE_STATES = frozenset(
    {
        "deploymentFailed",
        "scaleFailed",
        "upgradeFailed",
        "rebalanceFailed",
        "peeringFailed",
        "destroyFailed",
        "turningOffFailed",
        "turningOnFailed",
    }
)
"""Every ``*Failed`` state of the specification's ``CurrentState``."""
DEFAULT_POLL_INTERVAL = 15.0
DEFAULT_PER_PAGE = 50
MAX_PAGES = 1000
"""More pages than this is a broken cursor, not a list."""

ORG = "/v4/organizations/{organizationId}"
PROJECTS = ORG + "/projects"
PROJECT = PROJECTS + "/{projectId}"
CLUSTERS = PROJECT + "/clusters"
CLUSTER = CLUSTERS + "/{clusterId}"
BUCKETS = CLUSTER + "/buckets"
BUCKET = BUCKETS + "/{bucketId}"
CIDRS = CLUSTER + "/allowedcidrs"
CIDR = CIDRS + "/{allowedCidrId}"
USERS = CLUSTER + "/users"
USER = USERS + "/{userId}"

T = TypeVar("T")


class _Body(Protocol):
    def to_json(self) -> dict[str, Any]: ...


def _has_next(page: Page, number: int) -> bool:
    """A v4 list goes on while its cursor names a next page (a list without a cursor is one page)."""
    return page.has_next and bool(page.items)


def _json(body: _Body | Mapping[str, Any]) -> dict[str, Any]:
    """A typed request model's JSON, or a mapping passed through as given."""
    return dict(body) if isinstance(body, Mapping) else body.to_json()


class CapellaV4Client(CapellaRestClient):
    """Typed access to the Capella v4 management API of one organization over one keep-alive session.

    ``token`` is the API key token (``None`` sends no ``Authorization``: every call is refused).
    ``limiter`` paces the requests; by default the process-wide limiter of the token at
    ``rate_per_minute``. ``ca_bundle`` is a CA bundle to trust instead of the default store.
    ``organization_id`` may be ``None`` for a client that only sends raw paths (``request``, ``iterate``):
    the typed calls build paths under the organization and then raise ``ValueError``.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        token: str | None = None,
        *,
        organization_id: str | None,
        rate_per_minute: float = DEFAULT_PER_MINUTE,
        burst: int = DEFAULT_BURST,
        limiter: RateLimiter | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        ca_bundle: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if organization_id is not None and not organization_id:
            raise ValueError("organization_id must not be empty (None: raw-path calls only)")
        super().__init__(
            base_url,
            api="Capella",
            service=SERVICE,
            timeouts=timeouts,
            retry=retry,
            ca_bundle=ca_bundle,
            sleep=sleep,
        )
        self.organization_id = organization_id
        self._token = token
        self.limiter = limiter or (shared_limiter(token, rate_per_minute, burst) if token else None)

    def __repr__(self) -> str:
        return f"CapellaV4Client(base_url={self.base_url!r}, organization_id={self.organization_id!r})"

    # -- generic -----------------------------------------------------------------------------------
    def route(self, template: str, **values: str) -> tuple[str, str]:
        """``(template, path)`` for a template under ``ORG``, each value checked and URL-quoted."""
        if self.organization_id is None:
            raise ValueError("an organization id is needed to build v4 paths: give organization_id")
        for name, value in values.items():
            if not value:
                raise ValueError(f"{name} must not be empty")
        quoted = {k: quote(v, safe="") for k, v in values.items()}
        return template, template.format(organizationId=quote(self.organization_id, safe=""), **quoted)

    def _api_error(self, response: Response, operation: str) -> ApiError:
        return api_error(response, operation)

    def _auth(self, deadline: Deadline | None) -> BearerAuth | None:
        if not self._token:
            return None
        limiter = self.limiter
        if limiter is None:
            return BearerAuth(self._token)

        def pace() -> None:
            limiter.acquire(deadline)

        return BearerAuth(self._token, before_send=pace)

    def iterate(
        self,
        template: str,
        path: str,
        *,
        per_page: int = DEFAULT_PER_PAGE,
        deadline: Deadline | None = None,
    ) -> Iterator[Any]:
        """Every item of a list across all pages: ``page`` counts up while ``cursor.pages.next`` is present.

        Items whose ``id`` was already yielded are skipped; a page with nothing new ends the listing and
        more than ``MAX_PAGES`` pages is a ``ResponseFormatError``. A list without a cursor (buckets) is
        one page.
        """
        if per_page < 1:
            raise ValueError("per_page must be at least 1")
        operation = f"GET {template}"

        def read(number: int) -> Page:
            query = {"page": number, "perPage": per_page}
            response = self.request("GET", path, params=query, deadline=deadline, operation=operation)
            try:
                return parse_page(response.json() if response.content else None)
            except ValueError as exc:
                reason = str(exc) if isinstance(exc, ModelError) else "list body is not JSON"
                raise format_error(operation, reason) from None

        return pages(read, more_after=_has_next, max_pages=MAX_PAGES, operation=operation)

    def _list(
        self, template: str, path: str, parse: Callable[[object], T], deadline: Deadline | None
    ) -> list[T]:
        try:
            return [parse(item) for item in self.iterate(template, path, deadline=deadline)]
        except ModelError as exc:
            raise format_error(f"GET {template}", str(exc)) from None

    def _get(
        self, template: str, path: str, parse: Callable[[object, str | None], T], deadline: Deadline | None
    ) -> T:
        operation = f"GET {template}"
        response = self.request("GET", path, deadline=deadline, operation=operation)
        try:
            return parse(json_object(response, operation), response.headers.get("ETag") or None)
        except ModelError as exc:
            raise format_error(operation, str(exc)) from None

    def _create(
        self, template: str, path: str, body: Mapping[str, Any], deadline: Deadline | None
    ) -> Response:
        """POST once where it may have been delivered: the caller looks the object up before retrying."""
        return self.request("POST", path, json=body, deadline=deadline, operation=f"POST {template}")

    def _put_if_match(
        self,
        kind: str,
        object_id: str,
        route: tuple[str, str],
        body: Mapping[str, Any],
        read: Callable[[Deadline | None], tuple[str | None, Audit]],
        *,
        if_match: str | None,
        deadline: Deadline | None,
    ) -> None:
        """PUT with ``If-Match``; on a 412 re-read and apply once more, then ``ConcurrentChangeError``.

        ``if_match`` is the version the caller's change was based on; ``None`` reads the current one.
        Without an ``ETag`` from the API the PUT goes unconditionally.
        """
        template, path = route
        operation = f"PUT {template}"
        sent = if_match if if_match is not None else read(deadline)[0]
        for attempt in (1, 2):
            headers = {"If-Match": sent} if sent else {}
            try:
                self.request(
                    "PUT", path, json=dict(body), headers=headers, deadline=deadline, operation=operation
                )
                return
            except ApiError as exc:
                if exc.status != 412:
                    raise
                current, audit = read(deadline)
                if attempt == 2:
                    raise ConcurrentChangeError(
                        kind=kind,
                        object_id=object_id,
                        sent=sent or "",
                        current=current or "",
                        changed_by=audit.modified_by,
                        changed_at=audit.modified_at,
                    ) from exc
                logger.warning(
                    "Capella %s %s changed since it was read (%s, now %s); applying the update again",
                    kind,
                    object_id,
                    sent,
                    current,
                )
                sent = current

    # -- organization ------------------------------------------------------------------------------
    def get_organization(self, *, deadline: Deadline | None = None) -> Organization:
        template, path = self.route(ORG)
        return self._get(template, path, lambda body, _etag: Organization.from_json(body), deadline)

    # -- projects ----------------------------------------------------------------------------------
    def list_projects(self, *, deadline: Deadline | None = None) -> list[Project]:
        return self._list(*self.route(PROJECTS), Project.from_json, deadline)

    def create_project(
        self, name: str, description: str | None = None, *, deadline: Deadline | None = None
    ) -> str:
        """201 with the new project's id."""
        template, path = self.route(PROJECTS)
        body = {"name": name} if description is None else {"name": name, "description": description}
        return created_id(self._create(template, path, body, deadline), f"POST {template}")

    def get_project(self, project_id: str, *, deadline: Deadline | None = None) -> Project:
        return self._get(*self.route(PROJECT, projectId=project_id), Project.from_json, deadline)

    def update_project(
        self,
        project_id: str,
        name: str,
        description: str = "",
        *,
        if_match: str | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        """Replace name and description (204), guarded by ``If-Match``."""

        def read(d: Deadline | None) -> tuple[str | None, Audit]:
            project = self.get_project(project_id, deadline=d)
            return project.etag, project.audit

        body = {"name": name, "description": description}
        route = self.route(PROJECT, projectId=project_id)
        self._put_if_match("project", project_id, route, body, read, if_match=if_match, deadline=deadline)

    def delete_project(self, project_id: str, *, deadline: Deadline | None = None) -> bool:
        """``False`` if it did not exist; a project that still holds clusters is refused (ApiError)."""
        return self._delete(*self.route(PROJECT, projectId=project_id), deadline)

    # -- clusters ----------------------------------------------------------------------------------
    def list_clusters(self, project_id: str, *, deadline: Deadline | None = None) -> list[Cluster]:
        return self._list(*self.route(CLUSTERS, projectId=project_id), Cluster.from_json, deadline)

    def create_cluster(
        self, project_id: str, spec: ClusterSpec | Mapping[str, Any], *, deadline: Deadline | None = None
    ) -> str:
        """Start deploying a cluster: 202 with its id in the body. Not retried once possibly delivered:
        on a timeout or 5xx look for the cluster by name (``list_clusters``) before trying again."""
        template, path = self.route(CLUSTERS, projectId=project_id)
        return created_id(self._create(template, path, _json(spec), deadline), f"POST {template}")

    def get_cluster(self, project_id: str, cluster_id: str, *, deadline: Deadline | None = None) -> Cluster:
        return self._get(
            *self.route(CLUSTER, projectId=project_id, clusterId=cluster_id), Cluster.from_json, deadline
        )

    def get_cluster_state(self, project_id: str, cluster_id: str, *, deadline: Deadline | None = None) -> str:
        return self.get_cluster(project_id, cluster_id, deadline=deadline).current_state

    def update_cluster(
        self,
        project_id: str,
        cluster_id: str,
        update: ClusterUpdate | Mapping[str, Any],
        *,
        if_match: str | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        """Replace name, description, support and service groups (204); scaling then runs on its own."""

        def read(d: Deadline | None) -> tuple[str | None, Audit]:
            cluster = self.get_cluster(project_id, cluster_id, deadline=d)
            return cluster.etag, cluster.audit

        route = self.route(CLUSTER, projectId=project_id, clusterId=cluster_id)
        self._put_if_match(
            "cluster", cluster_id, route, _json(update), read, if_match=if_match, deadline=deadline
        )

    def delete_cluster(self, project_id: str, cluster_id: str, *, deadline: Deadline | None = None) -> bool:
        """Start destroying (202); ``False`` if the cluster did not exist."""
        return self._delete(*self.route(CLUSTER, projectId=project_id, clusterId=cluster_id), deadline)

    def _state_reader(
        self, project_id: str, cluster_id: str, *, gone_ok: bool
    ) -> Callable[[Deadline], str | None]:
        def read(deadline: Deadline) -> str | None:
            try:
                return self.get_cluster_state(project_id, cluster_id, deadline=deadline)
            except ApiError as exc:
                if gone_ok and exc.status == 404:
                    return None
                raise

        return read

    def wait_for_cluster(
        self,
        project_id: str,
        cluster_id: str,
        *,
        deadline: Deadline,
        interval: float = DEFAULT_POLL_INTERVAL,
        accept_degraded: bool = True,
    ) -> str:
        """Poll until ``healthy`` (or ``degraded``, as Terraform's provider settles); return that state.

        ``ClusterFailedError`` on any ``*Failed`` state, ``DeadlineExceeded`` naming the last state seen.
        """
        also = frozenset({DEGRADED}) if accept_degraded else frozenset()
        wait = StatusWait(cluster_id, HEALTHY, FAILURE_STATES, deadline, interval, also_done=also)
        return wait_for(wait, self._state_reader(project_id, cluster_id, gone_ok=False), sleep=self._sleep)

    def wait_for_cluster_gone(
        self, project_id: str, cluster_id: str, *, deadline: Deadline, interval: float = DEFAULT_POLL_INTERVAL
    ) -> None:
        """Poll until the cluster answers 404; ``ClusterFailedError`` on ``destroyFailed``."""
        wait = StatusWait(cluster_id, GONE, {"destroyFailed"}, deadline, interval)
        wait_for(wait, self._state_reader(project_id, cluster_id, gone_ok=True), sleep=self._sleep)

    # -- buckets -----------------------------------------------------------------------------------
    def list_buckets(
        self, project_id: str, cluster_id: str, *, deadline: Deadline | None = None
    ) -> list[Bucket]:
        return self._list(
            *self.route(BUCKETS, projectId=project_id, clusterId=cluster_id), Bucket.from_json, deadline
        )

    def create_bucket(
        self,
        project_id: str,
        cluster_id: str,
        spec: BucketSpec | Mapping[str, Any],
        *,
        deadline: Deadline | None = None,
    ) -> str:
        """201 with the bucket's id (its name in base64)."""
        template, path = self.route(BUCKETS, projectId=project_id, clusterId=cluster_id)
        return created_id(self._create(template, path, _json(spec), deadline), f"POST {template}")

    def get_bucket(
        self, project_id: str, cluster_id: str, bucket_id: str, *, deadline: Deadline | None = None
    ) -> Bucket:
        route = self.route(BUCKET, projectId=project_id, clusterId=cluster_id, bucketId=bucket_id)
        return self._get(*route, lambda body, _etag: Bucket.from_json(body), deadline)

    def update_bucket(
        self,
        project_id: str,
        cluster_id: str,
        bucket_id: str,
        update: BucketUpdate | Mapping[str, Any],
        *,
        deadline: Deadline | None = None,
    ) -> None:
        """Replace memory, durability, replicas, TTL (and flush) together (204; no ``If-Match`` in v4)."""
        template, path = self.route(BUCKET, projectId=project_id, clusterId=cluster_id, bucketId=bucket_id)
        self.request("PUT", path, json=_json(update), deadline=deadline, operation=f"PUT {template}")

    def delete_bucket(
        self, project_id: str, cluster_id: str, bucket_id: str, *, deadline: Deadline | None = None
    ) -> bool:
        route = self.route(BUCKET, projectId=project_id, clusterId=cluster_id, bucketId=bucket_id)
        return self._delete(*route, deadline)

    # -- allowed CIDRs -----------------------------------------------------------------------------
    def list_allowed_cidrs(
        self, project_id: str, cluster_id: str, *, deadline: Deadline | None = None
    ) -> list[AllowedCidr]:
        route = self.route(CIDRS, projectId=project_id, clusterId=cluster_id)
        return self._list(*route, AllowedCidr.from_json, deadline)

    def create_allowed_cidr(
        self,
        project_id: str,
        cluster_id: str,
        spec: AllowedCidrSpec | Mapping[str, Any],
        *,
        deadline: Deadline | None = None,
    ) -> str:
        """201 with the entry's id. Entries cannot be updated: delete and create again."""
        template, path = self.route(CIDRS, projectId=project_id, clusterId=cluster_id)
        return created_id(self._create(template, path, _json(spec), deadline), f"POST {template}")

    def get_allowed_cidr(
        self, project_id: str, cluster_id: str, allowed_cidr_id: str, *, deadline: Deadline | None = None
    ) -> AllowedCidr:
        route = self.route(CIDR, projectId=project_id, clusterId=cluster_id, allowedCidrId=allowed_cidr_id)
        return self._get(*route, lambda body, _etag: AllowedCidr.from_json(body), deadline)

    def delete_allowed_cidr(
        self, project_id: str, cluster_id: str, allowed_cidr_id: str, *, deadline: Deadline | None = None
    ) -> bool:
        route = self.route(CIDR, projectId=project_id, clusterId=cluster_id, allowedCidrId=allowed_cidr_id)
        return self._delete(*route, deadline)

    # -- database credentials (the API's "users" of a cluster) -------------------------------------
    def list_database_credentials(
        self, project_id: str, cluster_id: str, *, deadline: Deadline | None = None
    ) -> list[DatabaseCredential]:
        route = self.route(USERS, projectId=project_id, clusterId=cluster_id)
        return self._list(*route, DatabaseCredential.from_json, deadline)

    def create_database_credential(
        self,
        project_id: str,
        cluster_id: str,
        spec: CredentialSpec | Mapping[str, Any],
        *,
        deadline: Deadline | None = None,
    ) -> CreatedCredential:
        """201 with the id and the password (the one sent, or the one the API generated)."""
        template, path = self.route(USERS, projectId=project_id, clusterId=cluster_id)
        operation = f"POST {template}"
        body = json_object(self._create(template, path, _json(spec), deadline), operation)
        credential_id, password = body.get("id"), body.get("password")
        if not isinstance(credential_id, str) or not credential_id:
            raise format_error(operation, "the body has no 'id' string")
        if not isinstance(password, str) or not password:
            raise format_error(operation, "the body has no 'password' string")
        return CreatedCredential(credential_id, password)

    def get_database_credential(
        self, project_id: str, cluster_id: str, credential_id: str, *, deadline: Deadline | None = None
    ) -> DatabaseCredential:
        route = self.route(USER, projectId=project_id, clusterId=cluster_id, userId=credential_id)
        return self._get(*route, DatabaseCredential.from_json, deadline)

    def update_database_credential(
        self,
        project_id: str,
        cluster_id: str,
        credential_id: str,
        update: CredentialUpdate | Mapping[str, Any],
        *,
        if_match: str | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        """Replace the access list (and the password, if one is given), guarded by ``If-Match``."""

        def read(d: Deadline | None) -> tuple[str | None, Audit]:
            credential = self.get_database_credential(project_id, cluster_id, credential_id, deadline=d)
            return credential.etag, credential.audit

        route = self.route(USER, projectId=project_id, clusterId=cluster_id, userId=credential_id)
        self._put_if_match(
            "database credential",
            credential_id,
            route,
            _json(update),
            read,
            if_match=if_match,
            deadline=deadline,
        )

    def delete_database_credential(
        self, project_id: str, cluster_id: str, credential_id: str, *, deadline: Deadline | None = None
    ) -> bool:
        route = self.route(USER, projectId=project_id, clusterId=cluster_id, userId=credential_id)
        return self._delete(*route, deadline)
