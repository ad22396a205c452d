"""A tiny "API" (a simulator of widgets) and a resource type on it, to drive the runtime in tests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from typing import Any

import requests
from cbprovider.errors import ApiError, DeadlineExceeded
from cbprovider.resources.pending_create import PendingCreate, verify_named
from cbprovider.runtime import Done, InProgress, Outcome, Request, ResourceProperties, ResourceType

from simulators.server import Request as HttpRequest
from simulators.server import Response, Simulator

TYPE_NAME = "Custom::TestWidget"


class WidgetSimulator(Simulator):
    """Widgets: POST /widgets, PUT/DELETE/GET /widgets/<id>; a widget is ready after ``ready_after`` GETs."""

    name = "widgets"

    def __init__(self, *, ready_after: int = 1) -> None:
        super().__init__()
        self.widgets: dict[str, dict[str, Any]] = {}
        self.ready_after = ready_after
        self._lock = threading.Lock()
        self._next = 0
        self.arrived: list[str] = []
        """``METHOD path`` of every request, recorded on arrival (before any injected delay)."""

    def fault_keys(self, request: HttpRequest) -> tuple[str, ...]:
        self.arrived.append(f"{request.method} {request.path}")
        return (f"{request.method} {request.path}", request.method)

    def handle(self, request: HttpRequest) -> Response:
        parts = request.path.strip("/").split("/")
        with self._lock:
            if request.method == "POST" and parts == ["widgets"]:
                body = json.loads(request.body)
                if body.get("name", "").startswith("reject"):
                    return Response.json(400, {"message": body["name"] + " is rejected: " + "x" * 6000})
                self._next += 1
                widget_id = f"w-{self._next:04d}"
                self.widgets[widget_id] = {**body, "gets": 0}
                return Response.json(201, {"id": widget_id})
            if request.method == "GET" and parts == ["widgets"]:
                listed = [{"id": key, "name": w.get("name")} for key, w in self.widgets.items()]
                return Response.json(200, {"widgets": listed})
            if len(parts) == 2 and parts[0] == "widgets":
                widget = self.widgets.get(parts[1])
                if widget is None:
                    return Response.json(404, {"message": f"no widget {parts[1]}"})
                if request.method == "PUT":
                    widget.update(json.loads(request.body))
                    return Response.json(200, {"id": parts[1]})
                if request.method == "DELETE":
                    del self.widgets[parts[1]]
                    return Response(204)
                if request.method == "GET":
                    widget["gets"] += 1
                    status = "ready" if widget["gets"] >= self.ready_after else "deploying"
                    if widget.get("name", "").startswith("breaks"):
                        status = "broken"
                    return Response.json(200, {"id": parts[1], "status": status})
        return Response.json(405, {"message": "not supported"})


class Source(ResourceProperties):
    server: str
    database: str


class WidgetProperties(ResourceProperties):
    api_url: str
    name: str
    size: int = 1
    enabled: bool = False
    wait: bool = False
    data_bytes: int = 0
    source: Source | None = None
    admin_password: str | None = None
    fail_after_create: bool = False
    ignore_deadline: bool = False
    check_after_create: bool = False


class Widget(ResourceType[WidgetProperties]):
    type_name = TYPE_NAME
    properties_model = WidgetProperties
    replacement_properties = frozenset({"Name"})

    def _call(self, req: Request[WidgetProperties], method: str, path: str, body: Any = None) -> Any:
        timeout = 30.0 if req.properties.ignore_deadline else req.deadline.remaining()
        if timeout <= 0:
            raise DeadlineExceeded("no time left to call the widget API")
        try:
            response = requests.request(
                method, req.properties.api_url + path, json=body, timeout=min(timeout, 30.0)
            )
        except requests.Timeout:
            raise DeadlineExceeded(f"widget API {method} {path} did not answer in time") from None
        if response.status_code >= 400:
            raise ApiError(
                service="Widgets",
                operation=f"{method} {path}",
                status=response.status_code,
                messages=[response.json().get("message", "")],
            )
        return response.json() if response.content else {}

    def create(self, req: Request[WidgetProperties]) -> Outcome:
        p = req.properties
        created = self._call(req, "POST", "/widgets", {"name": p.name, "size": p.size, "enabled": p.enabled})
        req.note_physical_id(created["id"])
        if p.check_after_create:
            self._call(req, "GET", f"/widgets/{created['id']}")
        if p.fail_after_create:
            raise ValueError("boom after create with password=hunter2")
        if p.wait:
            return InProgress(created["id"], {"checks": 0}, retry_after=60)
        return Done(created["id"], self._data(req, created["id"]))

    def update(self, req: Request[WidgetProperties]) -> Outcome:
        p = req.properties
        self._call(req, "PUT", f"/widgets/{req.physical_id}", {"size": p.size, "enabled": p.enabled})
        return Done("ignored-by-runtime", self._data(req, str(req.physical_id)))

    def delete(self, req: Request[WidgetProperties]) -> Outcome:
        self._call(req, "DELETE", f"/widgets/{req.physical_id}")
        return Done(str(req.physical_id))

    def in_flight(self, req: Request[WidgetProperties]) -> Mapping[str, Any] | None:
        now = time.time()
        return PendingCreate(req.properties.name, since=now, settle_at=now, cause="died").to_state()

    def poll(self, req: Request[WidgetProperties], state: Mapping[str, Any]) -> Outcome:
        pending = PendingCreate.from_state(state)
        if pending is not None:
            found = verify_named(
                pending,
                lambda pending: self._named(req, pending.name),
                what="widget",
                physical_id=str(req.physical_id),
                foreign=req.owned_elsewhere,
            )
            if not isinstance(found, str):
                return found
            req.note_physical_id(found)
            return Done(found, self._data(req, found))
        widget = self._call(req, "GET", f"/widgets/{req.physical_id}")
        if widget["status"] == "broken":
            raise ApiError(service="Widgets", operation="GET", status=200, messages=["widget is broken"])
        if widget["status"] != "ready":
            return InProgress(str(req.physical_id), {"checks": int(state["checks"]) + 1})
        return Done(
            str(req.physical_id), {**self._data(req, str(req.physical_id)), "Checks": str(state["checks"])}
        )

    def owns_physical_id(self, physical_id: str) -> bool:
        return physical_id.startswith("w-")

    def _named(self, req: Request[WidgetProperties], name: str) -> str | None:
        listed = self._call(req, "GET", "/widgets")["widgets"]
        return next((str(w["id"]) for w in listed if w["name"] == name), None)

    @staticmethod
    def _data(req: Request[WidgetProperties], widget_id: str) -> dict[str, str]:
        data = {"WidgetId": widget_id, "Size": str(req.properties.size)}
        if req.properties.data_bytes:
            data["Blob"] = "b" * req.properties.data_bytes
        return data
