"""Route templates such as ``/v3/clusters/{id}/status`` matched against request paths.

The template of the matched route is also the fault-injection key (``"GET /v3/clusters/{id}/status"``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

from simulators.capella.problems import ApiProblem
from simulators.capella.state import Store
from simulators.server import Request, Response


@dataclass
class Context:
    """What a handler gets: the request, the path parameters, the state and the time of the request."""

    request: Request
    params: dict[str, str]
    store: Store
    now: float
    default_per_page: int
    query: dict[str, list[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.query = parse_qs(self.request.query, keep_blank_values=True)

    def query_value(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def body(self) -> dict[str, Any]:
        """The JSON object sent; 400 when the body is absent, not JSON or not an object."""
        try:
            data = json.loads(self.request.body or b"")
        except ValueError:
            raise ApiProblem(400, "request body must be a JSON object") from None
        if not isinstance(data, dict):
            raise ApiProblem(400, "request body must be a JSON object")
        return data


Handler = Callable[[Any], Response]
"""Takes a ``Context`` (v3) or a ``V4Context`` (v4): both APIs share the router."""


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler


@dataclass(frozen=True)
class RouteMatch:
    template: str
    route: Route | None
    """``None`` when the path exists but not for this method (405)."""
    params: dict[str, str]
    allowed: tuple[str, ...]


def _compile(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>[^/]+)" for i, p in enumerate(parts))
    return re.compile(f"^{regex}$")


class Router:
    def __init__(self) -> None:
        self._routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        self._routes.append(Route(method, template, _compile(template), handler))

    def fault_keys(self) -> frozenset[str]:
        """Every ``"METHOD template"`` fault key a request could match."""
        return frozenset(f"{r.method} {r.template}" for r in self._routes)

    def match(self, method: str, path: str) -> RouteMatch | None:
        """The route for ``method`` and ``path``; ``None`` when no template matches the path at all."""
        candidates: list[tuple[Route, dict[str, str]]] = []
        for route in self._routes:
            found = route.pattern.match(path)
            if found:
                candidates.append((route, {k: unquote(v) for k, v in found.groupdict().items()}))
        if not candidates:
            return None
        allowed = tuple(sorted({r.method for r, _ in candidates}))
        for route, params in candidates:
            if route.method == method:
                return RouteMatch(route.template, route, params, allowed)
        route, params = candidates[0]
        return RouteMatch(route.template, None, params, allowed)
