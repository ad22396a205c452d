"""``V4Api``: the Capella Management API v4 that ``CapellaSimulator`` serves under ``/v4/``.

Order of checks: route (404/405), bearer token (401), the key's request rate (429 + ``Retry-After``),
the organization in the path (403 for another organization's id), then the handler. Every error
carries the v4 body; the v3 field helpers' problems are translated into it.
"""

from __future__ import annotations

import hmac
import secrets
import uuid

from simulators.capella.problems import ApiProblem
from simulators.capella.routes import Router
from simulators.capella.state import Timeline, Timings
from simulators.capella.v4 import buckets, cidrs, clusters, credentials, projects
from simulators.capella.v4.context import V4Context
from simulators.capella.v4.problems import V4Problem, error_body
from simulators.capella.v4.ratelimit import SlidingWindow
from simulators.capella.v4.state import Cluster, V4Store
from simulators.server import Request, Response

PREFIX = "/v4/"


def build_router() -> Router:
    router = Router()
    for module in (projects, clusters, buckets, cidrs, credentials):
        module.register(router)
    return router


class V4Api:
    """State and dispatch of the v4 API; one organization (``organization_id``) reachable with ``token``.

    ``strict`` answers 400 to unknown body keys; ``rate_limit`` requests per ``rate_window`` seconds per
    token (``None``: no limit) are admitted before 429.
    """

    def __init__(
        self,
        timings: Timings,
        *,
        token: str | None = None,
        organization_id: str | None = None,
        strict: bool = True,
        rate_limit: int | None = None,
        rate_window: float = 60.0,
        default_per_page: int = 10,
    ) -> None:
        self.store = V4Store(timings)
        self.token = token or secrets.token_urlsafe(32)
        self.organization_id = self.store.add_organization("sim-organization", self.token, organization_id).id
        self.strict = strict
        self.default_per_page = default_per_page
        self.limiter = SlidingWindow(rate_limit, rate_window) if rate_limit else None
        self.router = build_router()

    # -- seeding and steering (tests) -------------------------------------------------------------------
    def add_token(self, token: str, organization_name: str = "other-organization") -> str:
        """Another organization reachable with ``token``; returns its id."""
        return self.store.add_organization(organization_name, token).id

    def add_project(self, name: str, organization_id: str | None = None) -> str:
        return self.store.add_project(organization_id or self.organization_id, name).id

    def add_clusters(self, project_id: str, n: int, *, state: str = "healthy") -> list[str]:
        """``n`` clusters that stay in ``state`` (lists, paging, monitor)."""
        project = self.store.projects[project_id]
        ids = []
        with self.store.lock:
            for i in range(n):
                cluster = Cluster(
                    id=str(uuid.uuid4()),
                    org_id=project.org_id,
                    project_id=project_id,
                    name=f"cluster-{len(self.store.clusters) + 1:04d}",
                    cloud_provider={"type": "aws", "region": "us-east-1", "cidr": f"10.{i % 250}.0.0/23"},
                    support={"plan": "developer pro", "timezone": "GMT"},
                    service_groups=[
                        {
                            "node": {
                                "compute": {"cpu": 4, "ram": 16},
                                "disk": {"type": "gp3", "storage": 50, "iops": 3000},
                            },
                            "numOfNodes": 3,
                            "services": ["data", "index", "query"],
                        }
                    ],
                    timeline=Timeline.fixed(state),
                )
                ids.append(self.store.add_cluster(cluster).id)
        return ids

    def set_cluster_state(self, cluster_id: str, state: str) -> None:
        with self.store.lock:
            self.store.clusters[cluster_id].timeline = Timeline.fixed(state)

    def next_deploy_ends(self, state: str) -> None:
        """The next cluster created ends its deploy in ``state`` (``degraded``, ``deploymentFailed``...)."""
        with self.store.lock:
            self.store.deploy_outcomes.append(state)

    def next_scale_ends(self, state: str) -> None:
        with self.store.lock:
            self.store.scale_outcomes.append(state)

    def next_destroy_ends(self, state: str) -> None:
        with self.store.lock:
            self.store.destroy_outcomes.append(state)

    def cluster_state(self, cluster_id: str) -> str | None:
        with self.store.lock:
            cluster = self.store.clusters.get(cluster_id)
            return None if cluster is None else cluster.state(self.store.now())

    # -- HTTP -------------------------------------------------------------------------------------------
    def fault_keys(self, request: Request) -> tuple[str, ...]:
        match = self.router.match(request.method, request.path)
        template = match.template if match is not None else request.path
        return (f"{request.method} {template}", request.path)

    def _organization_of(self, request: Request) -> str:
        """The organization of the bearer token; ``V4Problem(401)`` when absent or unknown."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise V4Problem(401, "missing 'Authorization: Bearer <API key token>' header")
        for known, org_id in self.store.tokens.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                return org_id
        raise V4Problem(401, "the API key token is not valid")

    def handle(self, request: Request) -> Response:
        match = self.router.match(request.method, request.path)
        if match is None:
            return error_body(404, f"no such endpoint: {request.path}")
        if match.route is None:
            response = error_body(405, f"{request.method} is not allowed on {match.template}")
            response.headers["Allow"] = ", ".join(match.allowed)
            return response
        try:
            with self.store.lock:
                org_id = self._organization_of(request)
            if self.limiter is not None:
                wait = self.limiter.admit(org_id + ":" + request.headers.get("authorization", ""))
                if wait is not None:
                    raise V4Problem(
                        429, "rate limit exceeded for this API key", headers={"Retry-After": str(wait)}
                    )
            if match.params.get("organizationId", org_id) != org_id:
                raise V4Problem(403, "the API key has no access to this organization")
            with self.store.lock:
                self.store.purge()
                ctx = V4Context(
                    request,
                    match.params,
                    self.store,
                    self.store.now(),
                    org_id,
                    self.strict,
                    self.default_per_page,
                )
                return match.route.handler(ctx)
        except V4Problem as problem:
            return problem.response()
        except ApiProblem as problem:
            response = error_body(problem.status, problem.message)
            response.headers.update(problem.headers)
            return response
