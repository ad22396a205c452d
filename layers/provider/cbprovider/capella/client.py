"""Client of the Couchbase Capella Management API v3 (and the v2 endpoints it still relies on).

Hosted clusters and their database users live under ``/v3``; projects, in-VPC clusters, clouds and
organization users under ``/v2``. Every call is signed afresh (``CapellaHmacAuth``) on every attempt.
Reads, updates and deletes are retried by the transport (connection errors, 5xx, 429 with
``Retry-After``); creates only where the server cannot have acted (see ``Transport.send(idempotent=False)``).
A 404 on delete means "already gone" and returns ``False``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from cbprovider.capella.models import (
    BucketAccess,
    Cloud,
    Cluster,
    ClusterSummary,
    DatabaseUser,
    ModelError,
    OrgUser,
    Project,
    ServerGroup,
    VpcCluster,
    server_groups_json,
)
from cbprovider.capella.responses import SERVICE, api_error, format_error, json_body, json_object, location_id
from cbprovider.capella.rest import CapellaRestClient, Params, pages, param_pairs
from cbprovider.capella.signing import CapellaHmacAuth
from cbprovider.deadline import Deadline
from cbprovider.errors import ApiError
from cbprovider.http_message import Response, Signer
from cbprovider.transport import RetryPolicy, Timeouts

if TYPE_CHECKING:
    from cbprovider.capella.pagination import Page

DEFAULT_URL = "https://cloudapi.cloud.couchbase.com"
HOSTED_FAILURE_STATES = frozenset(
    {"deploymentFailed", "scaleFailed", "upgradeFailed", "rebalanceFailed", "peeringFailed", "destroyFailed"}
)
VPC_FAILURE_STATES = frozenset({"deploy_failed", "destroy_failed", "preflight_failed"})
DEFAULT_POLL_INTERVAL = 15.0
"""Seconds between status polls (the reference advises no faster than every 15-30 s)."""


def _route(template: str, **values: str) -> tuple[str, str]:
    """``(template, path)``: the operation name's template and the path with each value URL-quoted."""
    for name, value in values.items():
        if not value:
            raise ValueError(f"{name} must not be empty")
    return template, template.format(**{k: quote(v, safe="") for k, v in values.items()})


MAX_PAGES = 10_000
"""More pages than this is a broken cursor, not a list (a million items at the default page size)."""


class CapellaClient(CapellaRestClient):
    """Typed access to the Capella v3 management API over one keep-alive session.

    ``credentials`` is the v3 ``(access_key, secret_key)`` pair; without it requests go unsigned (only
    ``GET /v2/status`` allows that). ``ca_bundle`` is the path of a CA bundle to trust instead of the
    default store (for a TLS-inspecting proxy or a test server); verification is never turned off.
    ``auth`` replaces the signer built from ``credentials`` (e.g. to observe signing in tests),
    ``sleep`` the pause between retries, and ``deadline`` bounds every call (a call's own deadline may
    only end it sooner).
    """

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        credentials: tuple[str, str] | None = None,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        ca_bundle: str | None = None,
        auth: Signer | None = None,
        sleep: Callable[[float], None] = time.sleep,
        deadline: Deadline | None = None,
    ) -> None:
        super().__init__(
            base_url,
            api="Capella",
            service=SERVICE,
            timeouts=timeouts,
            retry=retry,
            ca_bundle=ca_bundle,
            sleep=sleep,
        )
        self.auth = auth or (CapellaHmacAuth(*credentials) if credentials else None)
        self.deadline = deadline

    def _api_error(self, response: Response, operation: str) -> ApiError:
        return api_error(response, operation)

    def _auth(self, deadline: Deadline | None) -> Signer | None:
        return self.auth

    def __repr__(self) -> str:
        return f"CapellaClient(base_url={self.base_url!r}, auth={self.auth!r})"

    # -- generic -----------------------------------------------------------------------------------
    def iterate(
        self,
        path: str,
        params: Params | None = None,
        per_page: int = 100,
        *,
        deadline: Deadline | None = None,
        operation: str | None = None,
    ) -> Iterator[Any]:
        """Every item of a list endpoint across all pages, requested by counting ``page`` up to
        ``cursor.pages.last``. Items whose ``id`` was already yielded (the list shifted between pages)
        are skipped. A cursor that promises pages without end is not followed forever: a page with nothing
        new ends the listing, and more than ``MAX_PAGES`` pages is a ``ResponseFormatError``.
        """
        from cbprovider.capella.pagination import Page, parse_page

        if per_page < 1:
            raise ValueError("per_page must be at least 1")
        operation = operation or f"GET {urlsplit(path).path}"
        base = [(k, v) for k, v in param_pairs(params) if k not in ("page", "perPage")]

        def read(number: int) -> Page:
            query = [*base, ("page", number), ("perPage", per_page)]
            response = self.request("GET", path, params=query, deadline=deadline, operation=operation)
            try:
                return parse_page(json_body(response, operation) if response.content else None)
            except ModelError as exc:
                raise format_error(operation, str(exc)) from None

        return pages(read, more_after=Page.more_after, max_pages=MAX_PAGES, operation=operation)

    def _typed_list(
        self, path: str, parse: Callable[[object], Any], params: Params | None, deadline: Deadline | None
    ) -> list[Any]:
        operation = f"GET {path}"
        try:
            return [parse(item) for item in self.iterate(path, params, deadline=deadline)]
        except ModelError as exc:
            raise format_error(operation, str(exc)) from None

    def _get_model(
        self, template: str, path: str, parse: Callable[[object], Any], deadline: Deadline | None
    ) -> Any:
        operation = f"GET {template}"
        response = self.request("GET", path, deadline=deadline, operation=operation)
        try:
            return parse(json_object(response, operation))
        except ModelError as exc:
            raise format_error(operation, str(exc)) from None

    def _get_status(self, template: str, path: str, deadline: Deadline | None) -> str:
        operation = f"GET {template}"
        body = json_object(self.request("GET", path, deadline=deadline, operation=operation), operation)
        status = body.get("status")
        if not isinstance(status, str) or not status:
            raise format_error(operation, "no 'status' string in the body")
        return status

    def _read_or_gone(self, template: str, path: str) -> Callable[[Deadline], str | None]:
        def read(deadline: Deadline) -> str | None:
            try:
                return self._get_status(template, path, deadline)
            except ApiError as exc:
                if exc.status == 404:
                    return None
                raise

        return read

    def _read_present(self, template: str, path: str) -> Callable[[Deadline], str | None]:
        return lambda deadline: self._get_status(template, path, deadline)

    def _wait(
        self,
        read: Callable[[Deadline], str | None],
        cluster_id: str,
        target: str | None,
        failure_states: Collection[str],
        deadline: Deadline,
        interval: float,
    ) -> str:
        """``polling.wait_for`` until ``read`` gives ``target`` (``None``: until the cluster is gone)."""
        from cbprovider.capella.polling import GONE, StatusWait, wait_for

        wait = StatusWait(cluster_id, GONE if target is None else target, failure_states, deadline, interval)
        return wait_for(wait, read, sleep=self._sleep)

    # -- projects (v2) -----------------------------------------------------------------------------
    def list_projects(self, *, deadline: Deadline | None = None) -> list[Project]:
        return self._typed_list("/v2/projects", Project.from_json, None, deadline)

    def create_project(self, name: str, *, deadline: Deadline | None = None) -> Project:
        """Synchronous: 201 with the project. Not retried after a possibly-delivered attempt."""
        operation = "POST /v2/projects"
        response = self.request(
            "POST", "/v2/projects", json={"name": name}, deadline=deadline, operation=operation
        )
        try:
            return Project.from_json(json_object(response, operation))
        except ModelError as exc:
            raise format_error(operation, str(exc)) from None

    def get_project(self, project_id: str, *, deadline: Deadline | None = None) -> Project:
        template, path = _route("/v2/projects/{id}", id=project_id)
        result: Project = self._get_model(template, path, Project.from_json, deadline)
        return result

    def delete_project(self, project_id: str, *, deadline: Deadline | None = None) -> bool:
        """``False`` if the project did not exist. A project that still has clusters gives ApiError 400."""
        return self._delete(*_route("/v2/projects/{id}", id=project_id), deadline)

    # -- hosted clusters (v3) ----------------------------------------------------------------------
    def list_clusters(
        self, project_id: str | None = None, *, deadline: Deadline | None = None
    ) -> list[ClusterSummary]:
        """Hosted and in-VPC clusters (optionally of one project), across all pages."""
        params = {"projectId": project_id} if project_id else None
        return self._typed_list("/v3/clusters", ClusterSummary.from_json, params, deadline)

    def create_cluster(self, spec: Mapping[str, Any], *, deadline: Deadline | None = None) -> str:
        """Start deploying a hosted cluster (a V3CreateClusterRequest body); return its id.

        202 with the id in ``Location``. Not retried after a possibly-delivered attempt: on a timeout or
        a 5xx the caller should look for the cluster by name (``list_clusters``) before trying again.
        """
        response = self.request(
            "POST", "/v3/clusters", json=dict(spec), deadline=deadline, operation="POST /v3/clusters"
        )
        return location_id(response, "POST /v3/clusters")

    def get_cluster(self, cluster_id: str, *, deadline: Deadline | None = None) -> Cluster:
        template, path = _route("/v3/clusters/{id}", id=cluster_id)
        result: Cluster = self._get_model(template, path, Cluster.from_json, deadline)
        return result

    def get_cluster_status(self, cluster_id: str, *, deadline: Deadline | None = None) -> str:
        return self._get_status(*_route("/v3/clusters/{id}/status", id=cluster_id), deadline)

    def update_cluster_meta(
        self,
        cluster_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        """Rename and/or re-describe (synchronous, 204). At least one of the two must be given."""
        body = {k: v for k, v in (("name", name), ("description", description)) if v is not None}
        if not body:
            raise ValueError("update_cluster_meta needs a name or a description")
        template, path = _route("/v3/clusters/{id}/meta", id=cluster_id)
        self.request("PUT", path, json=body, deadline=deadline, operation=f"PUT {template}")

    def update_cluster_servers(
        self,
        cluster_id: str,
        servers: Sequence[ServerGroup | Mapping[str, Any]],
        *,
        deadline: Deadline | None = None,
    ) -> None:
        """Replace the server groups (the full new set). Asynchronous: wait for ``healthy`` afterwards."""
        if not servers:
            raise ValueError("servers must hold at least one server group")
        template, path = _route("/v3/clusters/{id}/servers", id=cluster_id)
        body = {"servers": server_groups_json(servers)}
        self.request("PUT", path, json=body, deadline=deadline, operation=f"PUT {template}")

    def update_cluster_support(
        self, cluster_id: str, type: str, timezone: str | None = None, *, deadline: Deadline | None = None
    ) -> None:
        """Change the support package (synchronous, 204)."""
        package: dict[str, str] = {"type": type}
        if timezone is not None:
            package["timezone"] = timezone
        template, path = _route("/v3/clusters/{id}/support", id=cluster_id)
        self.request(
            "PUT", path, json={"supportPackage": package}, deadline=deadline, operation=f"PUT {template}"
        )

    def delete_cluster(self, cluster_id: str, *, deadline: Deadline | None = None) -> bool:
        """Start destroying a hosted cluster; ``False`` if it was already gone (404)."""
        return self._delete(*_route("/v3/clusters/{id}", id=cluster_id), deadline)

    def wait_for_cluster_status(
        self,
        cluster_id: str,
        target: str = "healthy",
        failure_states: Collection[str] = HOSTED_FAILURE_STATES,
        *,
        deadline: Deadline,
        interval: float = DEFAULT_POLL_INTERVAL,
    ) -> str:
        """Poll ``/v3/clusters/{id}/status`` until ``target``; ``ClusterFailedError`` on a failure state,
        ``DeadlineExceeded`` (with the last status) when time runs out, ``ApiError`` 404 if it vanished.
        """
        read = self._read_present(*_route("/v3/clusters/{id}/status", id=cluster_id))
        return self._wait(read, cluster_id, target, failure_states, deadline, interval)

    def wait_for_cluster_gone(
        self, cluster_id: str, *, deadline: Deadline, interval: float = DEFAULT_POLL_INTERVAL
    ) -> None:
        """Poll until the status endpoint answers 404; ``ClusterFailedError`` on ``destroyFailed``."""
        read = self._read_or_gone(*_route("/v3/clusters/{id}/status", id=cluster_id))
        self._wait(read, cluster_id, None, {"destroyFailed"}, deadline, interval)

    # -- in-VPC clusters (v2) ----------------------------------------------------------------------
    def create_vpc_cluster(self, spec: Mapping[str, Any], *, deadline: Deadline | None = None) -> str:
        """Start deploying an in-VPC cluster (``POST /v2/clusters`` body); return its id from ``Location``."""
        response = self.request(
            "POST", "/v2/clusters", json=dict(spec), deadline=deadline, operation="POST /v2/clusters"
        )
        return location_id(response, "POST /v2/clusters")

    def get_vpc_cluster(self, cluster_id: str, *, deadline: Deadline | None = None) -> VpcCluster:
        template, path = _route("/v2/clusters/{id}", id=cluster_id)
        result: VpcCluster = self._get_model(template, path, VpcCluster.from_json, deadline)
        return result

    def get_vpc_cluster_status(self, cluster_id: str, *, deadline: Deadline | None = None) -> str:
        return self._get_status(*_route("/v2/clusters/{id}/status", id=cluster_id), deadline)

    def delete_vpc_cluster(self, cluster_id: str, *, deadline: Deadline | None = None) -> bool:
        return self._delete(*_route("/v2/clusters/{id}", id=cluster_id), deadline)

    def wait_for_vpc_cluster_status(
        self,
        cluster_id: str,
        target: str = "ready",
        failure_states: Collection[str] = VPC_FAILURE_STATES,
        *,
        deadline: Deadline,
        interval: float = DEFAULT_POLL_INTERVAL,
    ) -> str:
        read = self._read_present(*_route("/v2/clusters/{id}/status", id=cluster_id))
        return self._wait(read, cluster_id, target, failure_states, deadline, interval)

    def wait_for_vpc_cluster_gone(
        self, cluster_id: str, *, deadline: Deadline, interval: float = DEFAULT_POLL_INTERVAL
    ) -> None:
        read = self._read_or_gone(*_route("/v2/clusters/{id}/status", id=cluster_id))
        self._wait(read, cluster_id, None, {"destroy_failed"}, deadline, interval)

    # -- database users of hosted clusters (v3) ----------------------------------------------------
    def create_database_user(
        self,
        cluster_id: str,
        username: str,
        password: str,
        *,
        all_buckets_access: str | None = None,
        buckets: Sequence[BucketAccess] = (),
        deadline: Deadline | None = None,
    ) -> None:
        """Create a database user (201) with either ``all_buckets_access`` or per-bucket ``buckets``."""
        if (all_buckets_access is None) == (not buckets):
            raise ValueError("give exactly one of all_buckets_access and buckets")
        body: dict[str, Any] = {"username": username, "password": password}
        if all_buckets_access is not None:
            body["allBucketsAccess"] = all_buckets_access
        else:
            body["buckets"] = [b.to_json() for b in buckets]
        template, path = _route("/v3/clusters/{id}/users", id=cluster_id)
        self.request("POST", path, json=body, deadline=deadline, operation=f"POST {template}")

    def list_database_users(self, cluster_id: str, *, deadline: Deadline | None = None) -> list[DatabaseUser]:
        """The cluster's database users (a bare array or a paginated envelope are both understood)."""
        template, path = _route("/v3/clusters/{id}/users", id=cluster_id)
        try:
            items = list(self.iterate(path, deadline=deadline, operation=f"GET {template}"))
            return [DatabaseUser.from_json(item) for item in items]
        except ModelError as exc:
            raise format_error(f"GET {template}", str(exc)) from None

    def delete_database_user(
        self, cluster_id: str, username: str, *, deadline: Deadline | None = None
    ) -> bool:
        """``False`` if the user (or the cluster) did not exist."""
        return self._delete(
            *_route("/v3/clusters/{id}/users/{username}", id=cluster_id, username=username), deadline
        )

    # -- organization (v2) -------------------------------------------------------------------------
    def list_clouds(self, *, deadline: Deadline | None = None) -> list[Cloud]:
        return self._typed_list("/v2/clouds", Cloud.from_json, None, deadline)

    def list_org_users(self, *, deadline: Deadline | None = None) -> list[OrgUser]:
        return self._typed_list("/v2/users", OrgUser.from_json, None, deadline)
