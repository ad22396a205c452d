"""Request bodies as real clients frame them (chunked, as node's ``http`` sends them) on both simulators.

Each test talks over a raw socket (or curl) and then sends a second request on the same connection: an
unread byte left behind would show up as a garbage answer to that second request.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from collections.abc import Iterator
from typing import BinaryIO

import pytest

from simulators.capella import CapellaSimulator
from simulators.cloudbasic import CloudBasicSimulator
from simulators.server import Simulator

INSTANCE_ID = "i-0123456789abcdef0"


@pytest.fixture
def fresh_cloudbasic() -> Iterator[CloudBasicSimulator]:
    with CloudBasicSimulator(activated=False, instance_id=INSTANCE_ID) as sim:
        yield sim


@pytest.fixture(params=["cloudbasic", "capella"])
def any_sim(request: pytest.FixtureRequest) -> Iterator[Simulator]:
    sim: Simulator = CloudBasicSimulator() if request.param == "cloudbasic" else CapellaSimulator()
    with sim:
        yield sim


def _chunked(body: bytes, sizes: tuple[int, ...] = (5, 7)) -> bytes:
    out, rest = b"", body
    for size in sizes:
        piece, rest = rest[:size], rest[size:]
        if piece:
            out += f"{len(piece):x};ext=1\r\n".encode() + piece + b"\r\n"
    if rest:
        out += f"{len(rest):X}\r\n".encode() + rest + b"\r\n"
    return out + b"0\r\nX-Trailer: yes\r\n\r\n"


def _read_response(reader: BinaryIO) -> tuple[int, dict[str, str], bytes]:
    status_line = reader.readline()
    assert status_line.startswith(b"HTTP/1.1 "), status_line
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while True:
        line = reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    body = reader.read(int(headers.get("content-length", "0")))
    return status, headers, body


def _connect(sim: Simulator) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", sim.port), timeout=5)
    return sock


CALL_LOG_REQUEST = b"GET /_sim/calls HTTP/1.1\r\nHost: sim\r\n\r\n"


def test_chunked_activation_is_read_and_the_connection_stays_clean(fresh_cloudbasic: CloudBasicSimulator):
    body = json.dumps(
        {
            "email": "ops@example.com",
            "instanceId": INSTANCE_ID,
            "password": "pw",
            "agreeToEula": True,
        }
    ).encode()
    head = (
        b"POST /api/ActivateInstance HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    with _connect(fresh_cloudbasic) as sock, sock.makefile("rb") as reader:
        sock.sendall(head + _chunked(body) + CALL_LOG_REQUEST)
        status, _, answer = _read_response(reader)
        assert status == 200, answer
        assert "publicKey" in json.loads(answer)
        status, _, calls = _read_response(reader)
        assert status == 200
        assert [c["key"] for c in json.loads(calls)] == ["ActivateInstance"]
    assert fresh_cloudbasic.activated


def test_chunked_fault_registration_on_both_simulators(any_sim: Simulator):
    body = json.dumps({"key": "*", "status": 503, "times": 1}).encode()
    head = b"POST /_sim/faults HTTP/1.1\r\nHost: sim\r\nTransfer-Encoding: chunked\r\n\r\n"
    with _connect(any_sim) as sock, sock.makefile("rb") as reader:
        sock.sendall(head + _chunked(body, (1, 2, 3)) + CALL_LOG_REQUEST)
        status, _, answer = _read_response(reader)
        assert status == 204, answer
        status, _, _ = _read_response(reader)
        assert status == 200  # the control endpoint is never faulted: the next request is read cleanly
    assert any_sim.faults.take("anything") is not None  # the fault in the chunked body was registered


@pytest.mark.parametrize(
    ("framing", "expected"),
    [
        (b"Transfer-Encoding: gzip, chunked\r\n", 411),
        (b"Transfer-Encoding: identity\r\n", 411),
        (b"Content-Length: 12\r\nTransfer-Encoding: chunked\r\n", 400),
        (b"Content-Length: -3\r\n", 400),
        (b"Content-Length: ten\r\n", 400),
    ],
)
def test_unsupported_framing_is_refused_and_closes(any_sim: Simulator, framing: bytes, expected: int):
    head = b"POST /_sim/faults HTTP/1.1\r\nHost: sim\r\n" + framing + b"\r\n"
    with _connect(any_sim) as sock, sock.makefile("rb") as reader:
        sock.sendall(head + b"5\r\nhello\r\n0\r\n\r\n")
        status, headers, body = _read_response(reader)
        assert status == expected
        assert headers.get("connection") == "close"
        assert json.loads(body)["message"]
        assert reader.read() == b""  # closed: nothing stray follows


def test_http10_body_without_length_is_a_411(any_sim: Simulator):
    with _connect(any_sim) as sock:
        sock.sendall(b"POST /_sim/faults HTTP/1.0\r\nHost: sim\r\nContent-Type: application/json\r\n\r\n{}")
        sock.shutdown(socket.SHUT_WR)
        data = sock.makefile("rb").read()
    assert data.split(b"\r\n", 1)[0].split()[1] == b"411"


@pytest.mark.parametrize(
    "chunk", [b"zz\r\nhello\r\n0\r\n\r\n", b"3\r\nhello\r\n0\r\n\r\n", b"0x5\r\nhello\r\n"]
)
def test_malformed_chunks_are_a_400(any_sim: Simulator, chunk: bytes):
    head = b"POST /_sim/faults HTTP/1.1\r\nHost: sim\r\nTransfer-Encoding: chunked\r\n\r\n"
    with _connect(any_sim) as sock, sock.makefile("rb") as reader:
        sock.sendall(head + chunk)
        status, headers, _ = _read_response(reader)
    assert status == 400
    assert headers.get("connection") == "close"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_chunked_upload(fresh_cloudbasic: CloudBasicSimulator):
    body = json.dumps(
        {"email": "a@example.com", "instanceId": INSTANCE_ID, "password": "p", "agreeToEula": True}
    )
    result = subprocess.run(
        [
            "curl", "-sS", "-i", "-H", "Transfer-Encoding: chunked", "-H", "Content-Type: application/json",
            "--data-binary", body, f"{fresh_cloudbasic.url}/api/ActivateInstance",
            "--next", "-i", f"{fresh_cloudbasic.url}/_sim/calls",
        ],
        capture_output=True, text=True, timeout=20, check=True,
    )  # fmt: skip
    assert result.stdout.startswith("HTTP/1.1 200"), result.stdout
    assert "<html" not in result.stdout.lower()
    assert fresh_cloudbasic.activated
    assert result.stdout.count("HTTP/1.1 200") == 2


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ({"key": "CreateReplicaton", "status": 503}, "unknown fault key"),
        ({"key": "*", "stauts": 503}, "stauts"),
        ({"key": "*", "status": 503, "times": 1, "extra": True}, "extra"),
    ],
)
def test_unknown_fault_keys_are_refused(any_sim: Simulator, fault: dict[str, object], message: str):
    import requests

    if isinstance(any_sim, CapellaSimulator) and fault["key"] == "CreateReplicaton":
        fault = {**fault, "key": "POST /v3/clusterz"}
    answer = requests.post(f"{any_sim.url}/_sim/faults", json=fault, timeout=5)
    assert answer.status_code == 400
    assert message in answer.json()["message"]
    good = {"key": "CreateReplication" if isinstance(any_sim, CloudBasicSimulator) else "POST /v3/clusters"}
    assert (
        requests.post(f"{any_sim.url}/_sim/faults", json={**good, "status": 503}, timeout=5).status_code
        == 204
    )


@pytest.mark.parametrize("status", [204, 304])
def test_a_bodyless_status_sends_no_body_even_when_scripted_with_one(any_sim: Simulator, status: int):
    """Bytes after a 204's headers would be read as the next answer's status line on a kept-alive
    connection: a client's next request on it fails as a dropped connection (a flaky POST)."""
    fault = json.dumps({"key": "*", "status": status, "body": "stray bytes", "times": 1}).encode()
    with _connect(any_sim) as sock, sock.makefile("rb") as reader:
        head = b"POST /_sim/faults HTTP/1.1\r\nHost: sim\r\nContent-Length: %d\r\n\r\n" % len(fault)
        sock.sendall(head + fault)
        assert _read_response(reader)[0] == 204
        sock.sendall(b"GET /anything HTTP/1.1\r\nHost: sim\r\n\r\n" + CALL_LOG_REQUEST)
        status_seen, headers, _ = _read_response(reader)
        assert status_seen == status
        assert "content-length" not in headers
        status_seen, _, calls = _read_response(reader)  # the next answer starts right after the headers
        assert status_seen == 200
        assert [c["status"] for c in json.loads(calls)][-1] == status
