"""``CapellaSimulator``: the Capella Management API v3 (and the v2 endpoints it relies on) over HTTP."""

from __future__ import annotations

import time
import uuid
from http import HTTPStatus

from simulators.capella import clusters, inventory, projects, users, vpc_clusters
from simulators.capella.auth import AuthError, Credentials, verify
from simulators.capella.problems import ApiProblem, error_body
from simulators.capella.routes import Context, Router
from simulators.capella.state import (
    PRE_DEPLOY_STATUSES,
    Cluster,
    ClusterUser,
    HostedCluster,
    Project,
    Store,
    Timeline,
    Timings,
)
from simulators.capella.v4 import V4Api
from simulators.capella.v4.api import PREFIX as V4_PREFIX
from simulators.capella.v4.problems import error_body as v4_error_body
from simulators.server import Request, Response, Simulator


def build_router() -> Router:
    router = Router()
    for module in (inventory, projects, clusters, users, vpc_clusters):
        module.register(router)
    return router


class CapellaSimulator(Simulator):
    """A local Capella API: HMAC-checked requests, state, statuses that move with time, injectable faults.

    Fault keys are ``"METHOD <route template>"`` (``"GET /v3/clusters/{id}/status"``), the bare path, or
    ``"*"``. Unknown routes answer 404 and known paths with another method 405, both before authentication.
    """

    name = "capella-simulator"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        access_key: str | None = None,
        secret_key: str | None = None,
        deploy_seconds: float = 2.0,
        destroy_seconds: float = 1.0,
        scale_seconds: float = 1.0,
        latency: float = 0.0,
        clock_skew_seconds: float = 300,
        default_per_page: int = 10,
        api_key_token: str | None = None,
        organization_id: str | None = None,
        strict: bool = True,
        rate_limit: int | None = None,
        rate_window: float = 60.0,
    ) -> None:
        super().__init__(host=host, port=port)
        generated = Credentials.generate()
        self.credentials = Credentials(access_key or generated.access_key, secret_key or generated.secret_key)
        self.latency = latency
        self.clock_skew_seconds = clock_skew_seconds
        self.default_per_page = default_per_page
        self.state = Store(Timings(deploy_seconds, destroy_seconds, scale_seconds))
        self._router = build_router()
        self.v4 = V4Api(
            self.state.timings,
            token=api_key_token,
            organization_id=organization_id,
            strict=strict,
            rate_limit=rate_limit,
            rate_window=rate_window,
            default_per_page=default_per_page,
        )
        """The v4 API under ``/v4/`` (bearer ``v4.token``, organization ``v4.organization_id``)."""

    # -- what tests and other processes look at ---------------------------------------------------------
    @property
    def access_key(self) -> str:
        return self.credentials.access_key

    @property
    def secret_key(self) -> str:
        return self.credentials.secret_key

    @property
    def tenant_id(self) -> str:
        return self.state.tenant_id

    @property
    def projects(self) -> dict[str, Project]:
        return self.state.projects

    @property
    def clusters(self) -> dict[str, Cluster]:
        """Live clusters (those whose destruction has finished are dropped first)."""
        self.state.purge()
        return self.state.clusters

    @property
    def cluster_users(self) -> dict[str, dict[str, ClusterUser]]:
        """Cluster id -> username -> database user."""
        self.state.purge()
        return self.state.cluster_users

    def cluster_status(self, cluster_id: str) -> str | None:
        """The status a client would read now (``None``: gone or never existed)."""
        cluster = self.state.clusters.get(cluster_id)
        return None if cluster is None else cluster.status(self.state.now())

    # -- seeding ------------------------------------------------------------------------------------------
    def add_project(self, name: str) -> str:
        return self.state.add_project(name).id

    def add_clusters(self, project_id: str, n: int, *, status: str = "healthy") -> list[str]:
        """``n`` hosted clusters that stay in ``status`` (for list, pagination and monitor tests)."""
        now = self.state.now()
        ids = []
        with self.state.lock:
            start = len(self.state.clusters)
            for i in range(n):
                cluster = HostedCluster(
                    id=str(uuid.uuid4()),
                    name=f"cluster-{start + i + 1:04d}",
                    project_id=project_id,
                    timeline=Timeline.fixed(status),
                    deployed_after=None if status in PRE_DEPLOY_STATUSES else now,
                    servers=[
                        {
                            "size": 3,
                            "compute": "m5.xlarge",
                            "services": ["data", "index", "query"],
                            "storage": {"type": "GP3", "size": 50, "IOPS": 3000},
                        }
                    ],
                )
                self.state.add_cluster(cluster)
                ids.append(cluster.id)
        return ids

    def fail_next_deploy(self, status: str = "deploymentFailed") -> None:
        """The next cluster created through the API ends in ``status`` instead of ``healthy``."""
        with self.state.lock:
            self.state.failed_deploys.append(status)

    # -- Simulator hooks ----------------------------------------------------------------------------------
    def fault_keys(self, request: Request) -> tuple[str, ...]:
        if request.path.startswith(V4_PREFIX):
            return self.v4.fault_keys(request)
        match = self._router.match(request.method, request.path)
        template = match.template if match is not None else request.path
        return (f"{request.method} {template}", request.path)

    def known_fault_key(self, key: str) -> bool:
        return super().known_fault_key(key) or key in self._router.fault_keys()

    def error_response(self, request: Request, status: int) -> Response:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "error"
        if request.path.startswith(V4_PREFIX):
            return v4_error_body(status, f"injected fault: HTTP {status} {phrase}")
        return error_body(status, f"injected fault: HTTP {status} {phrase}")

    def handle(self, request: Request) -> Response:
        if self.latency:
            time.sleep(self.latency)
        if request.path.startswith(V4_PREFIX):
            return self.v4.handle(request)
        match = self._router.match(request.method, request.path)
        if match is None:
            return error_body(404, f"no such endpoint: {request.path}")
        if match.route is None:
            response = error_body(405, f"{request.method} is not allowed on {match.template}")
            response.headers["Allow"] = ", ".join(match.allowed)
            return response
        if match.template != inventory.STATUS_PATH:
            try:
                verify(
                    request.headers,
                    request.method,
                    request.raw_target,
                    self.credentials,
                    now_ms=int(time.time() * 1000),
                    window_seconds=self.clock_skew_seconds,
                )
            except AuthError as exc:
                return error_body(401, str(exc), "Unauthorized")
        with self.state.lock:
            self.state.purge()
            ctx = Context(request, match.params, self.state, self.state.now(), self.default_per_page)
            try:
                return match.route.handler(ctx)
            except ApiProblem as problem:
                return problem.response()
