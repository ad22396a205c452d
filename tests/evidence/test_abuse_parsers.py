"""Hostile API answers to the parsers: only the library's typed errors come out, and entities never expand.

CloudBasic: ``codec.decode_response`` / ``codec.decode_error`` get any bytes. Capella: the response helpers
get ``http_message.Response`` objects, and the client itself reads random bodies and statuses from a real
HTTP server (lists with pagination, single objects, a create's ``Location``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cbprovider.capella import CapellaClient
from cbprovider.capella.responses import api_error, json_object, location_id
from cbprovider.cloudbasic.codec import decode_error, decode_response
from cbprovider.deadline import Deadline
from cbprovider.errors import ApiError, ProviderError, ResponseFormatError
from cbprovider.http_message import Response as HttpResponse
from hypothesis import given, settings
from hypothesis import strategies as st
from urllib3._collections import HTTPHeaderDict

from simulators.server import Request, Response, Simulator
from tests.evidence.hostile import BILLION_LAUGHS, ENTITY_BOMBS, EXTERNAL_ENTITY, QUADRATIC_BLOWUP, api_bodies

TYPED = (ApiError, ResponseFormatError)
MANY = settings(max_examples=8 * (settings.default.max_examples if settings.default else 25))
"""The pure parsers are cheap: eight times the profile's examples."""
ACTIONS = st.sampled_from(["CreateReplication", "ReplicationStatus", "CreateUser", "GetReplicationsList"])


def _no_expansion(text: str) -> None:
    assert "lollollol" not in text
    assert "root:" not in text
    assert "x" * 6000 not in text


# -- CloudBasic codec -------------------------------------------------------------------------------------
@MANY
@given(action=ACTIONS, body=api_bodies)
def test_decode_response_gives_a_mapping_or_a_format_error(action: str, body: bytes) -> None:
    try:
        value = decode_response(action, body)
    except ResponseFormatError as error:
        _no_expansion(str(error))
        return
    assert isinstance(value, dict)
    _no_expansion(repr(value))


@MANY
@given(action=ACTIONS, status=st.integers(400, 599), body=api_bodies)
def test_decode_error_gives_an_api_error_or_a_format_error(action: str, status: int, body: bytes) -> None:
    try:
        error = decode_error(action, status, body)
    except ResponseFormatError as refused:
        _no_expansion(str(refused))
        return
    assert isinstance(error, ApiError)
    assert error.status == status
    _no_expansion(str(error))


@pytest.mark.parametrize("body", ENTITY_BOMBS, ids=["billion-laughs", "external", "parameter", "quadratic"])
def test_entity_declarations_are_refused_quickly(body: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(ResponseFormatError) as answer:
        decode_response("CreateReplication", body)
    error = decode_error("CreateReplication", 400, body)
    assert time.monotonic() - started < 5.0
    assert error.status == 400
    for text in (str(answer.value), str(error)):
        _no_expansion(text)


def test_an_html_error_page_with_a_doctype_keeps_its_status() -> None:
    page = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    error = decode_error("CreateReplication", 502, page)
    assert error.status == 502


# -- Capella response helpers -----------------------------------------------------------------------------
def _response(status: int, body: bytes, headers: dict[str, str] | None = None) -> HttpResponse:
    return HttpResponse(status, HTTPHeaderDict(headers or {"Content-Type": "application/json"}), body)


@MANY
@given(status=st.integers(400, 599), body=api_bodies)
def test_capella_error_bodies_always_become_api_errors(status: int, body: bytes) -> None:
    error = api_error(_response(status, body), "GET /v3/clusters")
    assert isinstance(error, ApiError)
    assert error.status == status
    _no_expansion(str(error))


@MANY
@given(body=api_bodies)
def test_capella_json_objects_or_format_errors(body: bytes) -> None:
    try:
        value = json_object(_response(200, body), "GET /v3/clusters/{id}")
    except ResponseFormatError:
        return
    assert hasattr(value, "keys")


@MANY
@given(location=st.one_of(st.none(), st.text(max_size=80), st.sampled_from(["/v3/clusters/", "x/../../etc"])))
def test_capella_locations_give_a_uuid_or_a_format_error(location: str | None) -> None:
    headers = {} if location is None else {"Location": location.replace("\r", "").replace("\n", "")}
    try:
        found = location_id(_response(202, b"", headers), "POST /v3/clusters")
    except ResponseFormatError:
        return
    assert len(found) == 36


# -- the Capella client over HTTP -------------------------------------------------------------------------
class ScriptedServer(Simulator):
    """Answers every request with the status, body and headers last given to ``script``."""

    name = "scripted"

    def __init__(self) -> None:
        super().__init__()
        self.answer: Callable[[int], Response] = lambda n: Response(200, b"{}")
        self.served = 0

    def script(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        fixed = Response(status, body, {"Content-Type": "application/json", **(headers or {})})
        self.script_each(lambda n: (fixed.status, fixed.body), fixed.headers)

    def script_each(
        self, answer: Callable[[int], tuple[int, bytes]], headers: dict[str, str] | None = None
    ) -> None:
        """Answer request number n (from 1, counted from this call) with ``answer(n)``."""
        self.served = 0
        all_headers = headers or {"Content-Type": "application/json"}

        def respond(n: int) -> Response:
            status, body = answer(n)
            return Response(status, body, dict(all_headers))

        self.answer = respond

    def handle(self, request: Request) -> Response:
        self.served += 1
        return self.answer(self.served)


@pytest.fixture(scope="module")
def scripted() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


CLUSTER = "0b5f3a52-2c3c-4d52-9d7e-5a1f0f7c2a11"
CALLS: dict[str, Callable[[CapellaClient, Deadline], Any]] = {
    "list_projects": lambda c, d: c.list_projects(deadline=d),
    "list_clusters": lambda c, d: c.list_clusters(deadline=d),
    "list_database_users": lambda c, d: c.list_database_users(CLUSTER, deadline=d),
    "get_project": lambda c, d: c.get_project(CLUSTER, deadline=d),
    "get_cluster": lambda c, d: c.get_cluster(CLUSTER, deadline=d),
    "get_cluster_status": lambda c, d: c.get_cluster_status(CLUSTER, deadline=d),
    "create_project": lambda c, d: c.create_project("p", deadline=d),
}


@given(
    call=st.sampled_from(sorted(CALLS)),
    status=st.sampled_from([200, 201, 202, 204, 400, 401, 404, 409, 422]),
    body=api_bodies,
)
def test_capella_client_raises_only_typed_errors(
    scripted: ScriptedServer, call: str, status: int, body: bytes
) -> None:
    scripted.script(status, body)
    caught: ProviderError | None = None
    with CapellaClient(scripted.url, ("access-key", "secret-key-secret-key")) as client:
        try:
            CALLS[call](client, Deadline.after(10))
        except TYPED as error:
            caught = error
    if caught is not None:
        _no_expansion(str(caught))
        assert not isinstance(caught, ApiError) or caught.status == status


def test_a_list_that_repeats_its_page_under_an_endless_cursor_ends(scripted: ScriptedServer) -> None:
    """The same page again and again, with a cursor that promises a billion pages: a page with nothing
    new ends the listing."""
    body = (
        b'{"cursor": {"pages": {"page": 1, "next": 2, "last": 1000000000}}, '
        b'"data": [{"id": "8b3f2c1e-0000-4000-8000-000000000001", "name": "p", "tenantId": "t", '
        b'"createdAt": "2026-01-01T00:00:00Z"}]}'
    )
    scripted.script(200, body)
    with CapellaClient(scripted.url, ("access-key", "secret-key-secret-key")) as client:
        projects = client.list_projects(deadline=Deadline.after(5))
    assert [p.id for p in projects] == ["8b3f2c1e-0000-4000-8000-000000000001"]
    assert scripted.served == 2


def test_a_cursor_that_never_ends_is_a_format_error(
    scripted: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New items on every page and no last page: the listing stops at MAX_PAGES with a clear error."""
    import cbprovider.capella.client as capella_client

    monkeypatch.setattr(capella_client, "MAX_PAGES", 5)
    scripted.script_each(
        lambda n: (
            200,
            b'{"cursor": {"pages": {"page": %d, "next": %d, "last": 1000000000}}, '
            b'"data": [{"id": "item-%d"}]}' % (n, n + 1, n),
        )
    )
    with (
        CapellaClient(scripted.url, ("access-key", "secret-key-secret-key")) as client,
        pytest.raises(ResponseFormatError, match="did not end after 5 pages"),
    ):
        list(client.iterate("/v2/projects", deadline=Deadline.after(5)))


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, QUADRATIC_BLOWUP])
def test_capella_never_parses_xml(scripted: ScriptedServer, body: bytes) -> None:
    scripted.script(200, body, {"Content-Type": "application/xml"})
    with (
        CapellaClient(scripted.url, ("access-key", "secret-key-secret-key")) as client,
        pytest.raises(ResponseFormatError) as error,
    ):
        client.get_cluster(CLUSTER, deadline=Deadline.after(5))
    _no_expansion(str(error.value))
