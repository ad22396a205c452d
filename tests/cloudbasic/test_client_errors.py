"""Failures through the client over HTTP: signature rejections, error bodies, retries, deadlines, TLS."""

from __future__ import annotations

import datetime
import http.server
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cbprovider.cloudbasic import CloudBasicClient, CloudBasicSigV4Auth, CreateReplicationRequest, Endpoint
from cbprovider.deadline import Deadline
from cbprovider.errors import ApiConnectionError, ApiError, ResponseFormatError
from cbprovider.http_message import PreparedRequest

from simulators.cloudbasic import CloudBasicSimulator
from tests.cloudbasic.conftest import FAST_RETRY, SHORT_TIMEOUTS, make_client
from tests.tls import self_signed_certificate

SOURCE = "Data Source=src;Initial Catalog=Sales;User ID=cb;Password=src-pass"
REPLICA = "Data Source=dst;Initial Catalog=Sales;User ID=cb;Password=dst-pass"
CREATE = CreateReplicationRequest(source=Endpoint(SOURCE), destination=Endpoint(REPLICA))


def _calls(sim: CloudBasicSimulator, action: str) -> int:
    return sum(1 for call in sim.calls if call.key == action)


class _StaleClock(CloudBasicSigV4Auth):
    def now(self) -> datetime.datetime:
        return datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)


class _TamperAfterSigning(CloudBasicSigV4Auth):
    """Signs, then changes one byte of the body (same length): only a body-checking server notices."""

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        signed = super().__call__(r)
        assert isinstance(signed.body, bytes)
        signed.body = signed.body.replace(b"Sales", b"Sal3s")
        return signed


def _assert_rejected(error: ApiError) -> None:
    assert error.status in (400, 403)
    assert error.request_id
    assert error.messages
    assert error.operation == "GetReplicationsList"


@pytest.mark.parametrize("xml", [False, True], ids=["json", "xml"])
def test_wrong_secret_is_an_api_error_with_request_id(cloudbasic_sim: CloudBasicSimulator, xml: bool) -> None:
    assert cloudbasic_sim.admin_keys
    access_key, secret = cloudbasic_sim.admin_keys
    with (
        CloudBasicClient(
            cloudbasic_sim.url, (access_key, "not-the-secret"), xml=xml, retry=FAST_RETRY
        ) as client,
        pytest.raises(ApiError) as info,
    ):
        client.get_replications_list()
    _assert_rejected(info.value)
    assert "not-the-secret" not in str(info.value)
    assert secret not in str(info.value)


def test_stale_date_is_rejected(cloudbasic_sim: CloudBasicSimulator) -> None:
    assert cloudbasic_sim.admin_keys
    auth = _StaleClock(*cloudbasic_sim.admin_keys)
    client = CloudBasicClient(cloudbasic_sim.url, None, auth=auth, retry=FAST_RETRY)
    with client, pytest.raises(ApiError) as info:
        client.get_replications_list()
    _assert_rejected(info.value)


def test_tampered_body_is_rejected_in_strict_mode() -> None:
    with CloudBasicSimulator(strict_payload_hash=True) as sim:
        assert sim.admin_keys
        auth = _TamperAfterSigning(*sim.admin_keys)
        client = CloudBasicClient(sim.url, None, auth=auth, retry=FAST_RETRY)
        with client, pytest.raises(ApiError) as info:
            client.create_replication(CREATE)
        assert info.value.status in (400, 403)
        assert info.value.request_id
        assert not sim.replications
        with make_client(sim) as honest:
            assert honest.create_replication(CREATE) in sim.replications


def test_service_and_region_outside_the_servers_allow_list_are_rejected() -> None:
    with CloudBasicSimulator(allowed_services=("cloudbasic",), allowed_regions=("",)) as sim:
        with make_client(sim, service="cbr") as cbr, pytest.raises(ApiError):
            cbr.get_replications_list()
        with make_client(sim, region="us-east-1") as old, pytest.raises(ApiError):
            old.get_replications_list()
        with make_client(sim) as current:
            assert current.get_replications_list() == []


def test_unsigned_call_without_credentials_is_refused_locally(cloudbasic_sim: CloudBasicSimulator) -> None:
    with CloudBasicClient(cloudbasic_sim.url, None) as client, pytest.raises(ValueError, match="credentials"):
        client.get_replications_list()
    assert cloudbasic_sim.calls == []


def test_503_twice_then_success_even_for_a_create(cloudbasic_sim: CloudBasicSimulator) -> None:
    cloudbasic_sim.faults.add("CreateReplication", status=503, times=2)
    with make_client(cloudbasic_sim) as client:
        replication_id = client.create_replication(CREATE)
    assert _calls(cloudbasic_sim, "CreateReplication") == 3
    assert list(cloudbasic_sim.replications) == [replication_id]


def test_429_honours_retry_after(cloudbasic_sim: CloudBasicSimulator) -> None:
    cloudbasic_sim.faults.add("GetReplicationsList", status=429, headers={"Retry-After": "1"}, times=1)
    with make_client(cloudbasic_sim) as client:
        started = time.monotonic()
        assert client.get_replications_list() == []
        elapsed = time.monotonic() - started
    assert elapsed >= 0.9
    assert _calls(cloudbasic_sim, "GetReplicationsList") == 2


@pytest.mark.parametrize("xml", [False, True], ids=["json", "xml"])
def test_500_forever_ends_in_api_error(cloudbasic_sim: CloudBasicSimulator, xml: bool) -> None:
    cloudbasic_sim.faults.add("ReplicationStatus", status=500, times=None)
    with make_client(cloudbasic_sim, xml=xml) as client, pytest.raises(ApiError) as info:
        client.replication_status("998acaec-9211-4dac-b90b-196fd1d17993")
    assert info.value.status == 500
    assert info.value.messages
    assert _calls(cloudbasic_sim, "ReplicationStatus") == FAST_RETRY.max_attempts


def test_dropped_connection_is_retried_for_a_read(cloudbasic_sim: CloudBasicSimulator) -> None:
    cloudbasic_sim.add_replications(1)
    cloudbasic_sim.faults.add("GetReplicationsList", drop=True, times=1)
    with make_client(cloudbasic_sim) as client:
        assert len(client.get_replications_list()) == 1
    assert _calls(cloudbasic_sim, "GetReplicationsList") == 2


def test_dropped_create_is_not_retried_blindly(cloudbasic_sim: CloudBasicSimulator) -> None:
    cloudbasic_sim.faults.add("CreateReplication", drop=True, times=1)
    with make_client(cloudbasic_sim) as client, pytest.raises(ApiConnectionError):
        client.create_replication(CREATE)
    assert _calls(cloudbasic_sim, "CreateReplication") == 1


def test_refused_connection_is_retried_then_reported() -> None:
    with CloudBasicSimulator() as sim:
        url, keys = sim.url, sim.admin_keys
    client = CloudBasicClient(url, keys, retry=FAST_RETRY, timeouts=SHORT_TIMEOUTS)
    with client, pytest.raises(ApiConnectionError, match="refused"):
        client.create_replication(CREATE)


def test_deadline_bounds_a_slow_call(cloudbasic_sim: CloudBasicSimulator) -> None:
    cloudbasic_sim.faults.add("GetReplicationsList", delay=3.0, times=None)
    with make_client(cloudbasic_sim, deadline=Deadline.after(0.5)) as client:
        started = time.monotonic()
        with pytest.raises(ApiConnectionError):
            client.get_replications_list()
        assert time.monotonic() - started < 2.5
    with make_client(cloudbasic_sim) as client:
        started = time.monotonic()
        with pytest.raises(ApiConnectionError):
            client.get_replications_list(deadline=Deadline.after(0.3))
        assert time.monotonic() - started < 2.5


def test_garbage_error_body_gives_a_short_message(cloudbasic_sim: CloudBasicSimulator) -> None:
    page = "<html><body><h1>Bad Gateway</h1>" + "x" * 500 + "</body></html>"
    cloudbasic_sim.faults.add("GetReplicationsList", status=502, body=page, times=None)
    with make_client(cloudbasic_sim) as client, pytest.raises(ApiError) as info:
        client.get_replications_list()
    assert info.value.status == 502
    assert info.value.message.startswith("unexpected answer (HTTP 502, ")
    assert "Bad Gateway" not in info.value.message, "a body that is not the documented shape is not quoted"


def test_malformed_success_body_is_a_format_error(cloudbasic_sim: CloudBasicSimulator) -> None:
    cloudbasic_sim.faults.add("ReplicationServiceStatus", malformed=True)
    with make_client(cloudbasic_sim) as client, pytest.raises(ResponseFormatError):
        client.replication_service_status()


def test_entity_expansion_in_an_error_body_is_refused_and_keeps_the_status(
    cloudbasic_sim: CloudBasicSimulator,
) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        "<ErrorResponse><RequestId>1</RequestId><Errors><Error>&b;</Error></Errors></ErrorResponse>"
    )
    cloudbasic_sim.faults.add("GetLogs", status=400, body=bomb)
    with make_client(cloudbasic_sim, xml=True) as client, pytest.raises(ApiError) as raised:
        client.get_logs("998acaec-9211-4dac-b90b-196fd1d17993")
    assert raised.value.status == 400
    assert "aaaaaaaaaaaa" not in str(raised.value)
    assert "unexpected answer (HTTP 400, " in str(raised.value)


# -- TLS ---------------------------------------------------------------------------------------------------
class _StatusHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"status":"Running","requestTimestamp":"Monday, November 23, 2026 11:00:00 AM"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """An HTTPS server on 127.0.0.1 with a fresh self-signed certificate: ``(url, certificate path)``."""
    cert, key = self_signed_certificate(tmp_path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _StatusHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", str(cert)
    finally:
        server.shutdown()
        server.server_close()


def test_ca_bundle_trusts_a_self_signed_server(tls_server: tuple[str, str]) -> None:
    url, cert = tls_server
    keys = ("AKIAEXAMPLE000000000", "tls-test-secret")
    with CloudBasicClient(url, keys, ca_bundle=cert, retry=FAST_RETRY) as client:
        assert client.replication_service_status().status == "Running"
    with CloudBasicClient(url, keys, retry=FAST_RETRY) as untrusting, pytest.raises(ApiConnectionError):
        untrusting.replication_service_status()
