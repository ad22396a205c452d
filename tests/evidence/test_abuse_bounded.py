"""Hostile inputs that used to crash or leak: deep nesting, internal services' answers in reasons.

- Bodies nested thousands deep (JSON and XML) reach the parsers: a typed format error naming the
  operation comes out, never RecursionError.
- Properties nested 2,000 deep: ``redact_event`` returns, ``parse_properties`` refuses naming the property.
- An API URL that answers with an internal service's body (HTML, JSON with credentials): the reason shows
  only the status, the content type and the size, none of the body.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cbprovider.capella import CapellaClient
from cbprovider.capella.responses import api_error, json_object
from cbprovider.cloudbasic import CloudBasicClient
from cbprovider.cloudbasic.codec import decode_error, decode_response
from cbprovider.deadline import Deadline
from cbprovider.errors import ApiError, ProviderError, ResponseFormatError
from cbprovider.http_message import Response as HttpResponse
from cbprovider.runtime.reasons import reason_for
from cbprovider.transport import RetryPolicy
from urllib3._collections import HTTPHeaderDict

from simulators.server import Request, Response, Simulator

DEPTH = 100_000
DEEP_JSON = b"[" * DEPTH + b"]" * DEPTH
DEEP_OBJECT = b'{"a":' * DEPTH + b"1" + b"}" * DEPTH
DEEP_XML = b"<a>" * DEPTH + b"x" + b"</a>" * DEPTH
DEEP_ERROR_XML = (
    b"<ErrorResponse><Errors>" + b"<Error>" * DEPTH + b"</Error>" * DEPTH + b"</Errors></ErrorResponse>"
)


@pytest.mark.parametrize("body", [DEEP_JSON, DEEP_OBJECT, DEEP_XML], ids=["json-array", "json-object", "xml"])
def test_deep_success_bodies_are_a_format_error_naming_the_operation(body: bytes) -> None:
    with pytest.raises(ResponseFormatError, match="CreateReplication"):
        decode_response("CreateReplication", body)


@pytest.mark.parametrize(
    "body",
    [DEEP_JSON, DEEP_OBJECT, DEEP_XML, DEEP_ERROR_XML],
    ids=["json-array", "json-object", "xml", "errors"],
)
def test_deep_error_bodies_keep_their_status(body: bytes) -> None:
    error = decode_error("CreateReplication", 400, body)
    assert isinstance(error, ApiError)
    assert error.status == 400
    assert len(str(error)) < 300


def _response(status: int, body: bytes, content_type: str = "application/json") -> HttpResponse:
    return HttpResponse(status, HTTPHeaderDict({"Content-Type": content_type}), body)


@pytest.mark.parametrize("body", [DEEP_JSON, DEEP_OBJECT], ids=["array", "object"])
def test_capella_deep_json_is_a_format_error_or_an_api_error(body: bytes) -> None:
    with pytest.raises(ResponseFormatError, match="GET /v3/clusters"):
        json_object(_response(200, body), "GET /v3/clusters/{id}")
    error = api_error(_response(500, body), "GET /v3/clusters/{id}")
    assert error.status == 500


# -- properties nested 2,000 deep --------------------------------------------------------------------------
def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"Password": "deep-secret-value"}
    for _ in range(depth):
        value = {"Inner": value}
    return value


def test_redact_event_on_properties_nested_2000_deep_returns() -> None:
    from cbprovider.runtime.redact import redact_event

    event = {"ResponseURL": "https://x.example/p?X-Amz-Signature=abc", "ResourceProperties": _nested(2000)}
    clean = redact_event(event)
    assert clean["ResponseURL"] == "https://x.example/p"
    assert "deep-secret-value" not in repr(clean)


def test_properties_nested_2000_deep_are_refused_naming_the_property() -> None:
    """A free-form property would otherwise parse, and later crash whatever serialises it (poll state)."""
    from cbprovider.runtime.properties import ResourceProperties, ValidationFailed, parse_properties

    class FreeForm(ResourceProperties):
        source: dict[str, Any] | None = None

    with pytest.raises(ValidationFailed, match="Source: nested more than"):
        parse_properties(FreeForm, {"Source": _nested(2000)})


# -- an internal service's answer never reaches a reason ---------------------------------------------------
INTERNAL_JSON = (
    b'{"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "ASIAINTERNALKEY0001", '
    b'"SecretAccessKey": "internal+secret/value", "Token": "internal-session-token", '
    b'"error": {"detail": "internal-db-host.corp:5432 user=svc"}, "message": "internal-detail-text"}'
)
INTERNAL_HTML = b"<!DOCTYPE html><html><body><h1>Jenkins</h1><p>internal-build-server-7</p></body></html>"
MARKERS = ("ASIAINTERNALKEY0001", "internal+secret", "internal-session", "internal-db-host", "internal-build")


class InternalService(Simulator):
    """Answers every request with the body it was given (an internal service behind an ApiUrl)."""

    name = "internal"

    def __init__(self) -> None:
        super().__init__()
        self.status = 200
        self.body = b""
        self.content_type = "application/json"

    def handle(self, request: Request) -> Response:
        return Response(self.status, self.body, {"Content-Type": self.content_type})


@pytest.fixture(scope="module")
def internal() -> Iterator[InternalService]:
    with InternalService() as server:
        yield server


ANSWERS = [
    (200, INTERNAL_JSON, "application/json"),
    (403, INTERNAL_JSON, "application/json"),
    (500, INTERNAL_JSON, "application/json"),
    (200, INTERNAL_HTML, "text/html"),
    (404, INTERNAL_HTML, "text/html"),
]
FAST = RetryPolicy(max_attempts=1)


def _reason(call: Any) -> str:
    try:
        call()
    except ProviderError as error:
        return reason_for(error, request_id="r-1")
    return ""  # a 2xx answer the client could read: nothing of it reaches a reason


@pytest.mark.parametrize(("status", "body", "content_type"), ANSWERS)
@pytest.mark.parametrize("xml", [False, True], ids=["json", "xml"])
def test_cloudbasic_reason_holds_none_of_an_internal_services_body(
    internal: InternalService, status: int, body: bytes, content_type: str, xml: bool
) -> None:
    internal.status, internal.body, internal.content_type = status, body, content_type
    with CloudBasicClient(internal.url, ("AKIDEXAMPLE", "secret-key-example"), xml=xml, retry=FAST) as client:
        reason = _reason(lambda: client.replication_status("0b5f3a52-2c3c-4d52-9d7e-5a1f0f7c2a11"))
        created = _reason(lambda: client.call("CreateReplication", {"name": "x"}, deadline=Deadline.after(5)))
    for text in (reason, created):
        for marker in MARKERS:
            assert marker not in text, text
    if status >= 400:
        assert f"unexpected answer (HTTP {status}, {content_type}, {len(body)} bytes)" in reason


@pytest.mark.parametrize(("status", "body", "content_type"), ANSWERS)
def test_capella_reason_holds_none_of_an_internal_services_body(
    internal: InternalService, status: int, body: bytes, content_type: str
) -> None:
    internal.status, internal.body, internal.content_type = status, body, content_type
    cluster = "0b5f3a52-2c3c-4d52-9d7e-5a1f0f7c2a11"
    with CapellaClient(internal.url, ("access-key", "secret-key-secret-key"), retry=FAST) as client:
        reasons = [
            _reason(lambda: client.get_cluster(cluster, deadline=Deadline.after(5))),
            _reason(lambda: client.create_cluster({"name": "x"}, deadline=Deadline.after(5))),
        ]
    for text in reasons:
        for marker in MARKERS:
            assert marker not in text, text
    if status >= 400 and content_type == "text/html":
        assert f"unexpected answer (HTTP {status}, text/html, {len(body)} bytes)" in reasons[0]
