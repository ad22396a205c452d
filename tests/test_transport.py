"""The shared transport: retries, Retry-After, deadlines, fresh preparation per attempt."""

from __future__ import annotations

import contextlib
import time

import pytest
from cbprovider.deadline import Deadline
from cbprovider.errors import ApiConnectionError, ResponseFormatError
from cbprovider.http_message import PreparedRequest, Request
from cbprovider.transport import RetryPolicy, Timeouts, Transport

from simulators.server import Request as ServerRequest
from simulators.server import Response, Simulator


class CountingSimulator(Simulator):
    """Answers 200 with the number of requests seen and the X-Attempt header it was sent."""

    name = "counting"

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def handle(self, request: ServerRequest) -> Response:
        self.seen.append(request.headers.get("x-attempt", ""))
        return Response.json(200, {"count": len(self.seen)})


class AttemptAuth:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        self.count += 1
        r.headers["X-Attempt"] = str(self.count)
        return r


@pytest.fixture
def sim():
    with CountingSimulator() as s:
        yield s


def fast_transport(origin: str, **kwargs) -> Transport:
    return Transport(
        service="Test", origin=origin, policy=RetryPolicy(base_delay=0.01, max_delay=0.05), **kwargs
    )


def test_retries_5xx_then_succeeds_and_reprepares_each_attempt(sim):
    sim.faults.fail_times("/op", 2, status=503)
    auth = AttemptAuth()
    response = fast_transport(sim.url).send(Request("POST", sim.url + "/op", auth=auth), operation="Op")
    assert response.status_code == 200
    assert auth.count == 3
    assert sim.seen == ["3"]
    assert [c.status for c in sim.calls] == [503, 503, 200]


def test_4xx_is_not_retried(sim):
    sim.faults.fail_times("/op", 1, status=400)
    response = fast_transport(sim.url).send(Request("GET", sim.url + "/op"), operation="Op")
    assert response.status_code == 400
    assert len(sim.calls) == 1


def test_retry_after_is_honoured(sim):
    sim.faults.add("/op", status=429, headers={"Retry-After": "1"})
    slept: list[float] = []
    transport = fast_transport(sim.url, sleep=slept.append)
    response = transport.send(Request("GET", sim.url + "/op"), operation="Op")
    assert response.status_code == 200
    assert slept == [1.0]


def test_retry_after_beyond_deadline_returns_the_error_response(sim):
    sim.faults.add("/op", status=429, headers={"Retry-After": "30"})
    response = fast_transport(sim.url).send(
        Request("GET", sim.url + "/op"), operation="Op", deadline=Deadline.after(2)
    )
    assert response.status_code == 429


def test_5xx_forever_returns_last_response_after_max_attempts(sim):
    sim.faults.add("/op", status=500, times=None)
    response = fast_transport(sim.url).send(Request("GET", sim.url + "/op"), operation="Op")
    assert response.status_code == 500
    assert len(sim.calls) == RetryPolicy().max_attempts


def test_dropped_connection_is_retried(sim):
    sim.faults.add("/op", drop=True)
    response = fast_transport(sim.url).send(Request("GET", sim.url + "/op"), operation="Op")
    assert response.json() == {"count": 1}


def test_unreachable_raises_connection_error_within_deadline():
    with CountingSimulator() as s:
        url = s.url
    started = time.monotonic()
    with pytest.raises(ApiConnectionError, match="could not reach"):
        fast_transport(url).send(Request("GET", url + "/op"), operation="Op", deadline=Deadline.after(1))
    assert time.monotonic() - started < 3


def test_slow_response_times_out_at_the_deadline(sim):
    sim.faults.add("/op", delay=2.0, times=None)
    transport = fast_transport(sim.url, timeouts=Timeouts(connect=1, read=10))
    started = time.monotonic()
    with pytest.raises(ApiConnectionError, match="timed out"):
        transport.send(Request("GET", sim.url + "/op"), operation="Op", deadline=Deadline.after(0.5))
    assert time.monotonic() - started < 2


def test_a_create_is_not_repeated_after_a_dropped_connection(sim):
    sim.faults.add("/op", drop=True)
    with pytest.raises(ApiConnectionError):
        fast_transport(sim.url).send(Request("POST", sim.url + "/op"), operation="Create", idempotent=False)
    assert len(sim.calls) == 1


def test_a_create_is_repeated_after_503_but_not_after_500(sim):
    sim.faults.fail_times("/op", 1, status=503)
    ok = fast_transport(sim.url).send(Request("POST", sim.url + "/op"), operation="Create", idempotent=False)
    assert ok.status_code == 200
    sim.faults.fail_times("/op", 1, status=500)
    failed = fast_transport(sim.url).send(
        Request("POST", sim.url + "/op"), operation="Create", idempotent=False
    )
    assert failed.status_code == 500
    assert [c.status for c in sim.calls] == [503, 200, 500]


# -- bounded I/O: a wall-clock limit over the whole attempt, a size cap, no transparent decompression ------
MiB = 1024 * 1024


class RawServer:
    """A TCP server on 127.0.0.1 that reads one request's head and answers with ``reply(sock)`` (at once,
    without reading, if ``read_head`` is false)."""

    def __init__(self, reply, *, read_head: bool = True) -> None:
        import socket
        import threading

        self.reply = reply
        self.read_head = read_head
        self.heads: list[bytes] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        import threading

        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn) -> None:
        with conn:
            head = b""
            while self.read_head and b"\r\n\r\n" not in head:
                data = conn.recv(65536)
                if not data:
                    return
                head += data
            self.heads.append(head)
            with contextlib.suppress(OSError):
                self.reply(conn, self._stop)

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        self._thread.join(timeout=2)


def _drip_body(conn, stop) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n")
    for _ in range(40):
        if stop.is_set():
            return
        conn.sendall(b" ")
        time.sleep(1.0)


def _drip_head(conn, stop) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 40:
        if stop.is_set():
            return
        conn.sendall(bytes([byte]))
        time.sleep(1.0)


@pytest.mark.parametrize("reply", [_drip_body, _drip_head], ids=["body", "headers"])
def test_an_answer_dripped_a_byte_a_second_ends_at_the_deadline(reply):
    server = RawServer(reply)
    transport = fast_transport(server.url, timeouts=Timeouts(connect=2, read=5))
    started = time.monotonic()
    try:
        with pytest.raises(ApiConnectionError, match="timed out"):
            transport.send(Request("GET", server.url + "/op"), operation="Op", deadline=Deadline.after(2))
        elapsed = time.monotonic() - started
    finally:
        server.close()
        transport.close()
    assert elapsed < 3.5, f"the call took {elapsed:.1f}s with a 2s deadline"


def _drip_server_hello(conn, stop) -> None:
    """A TLS record header announcing a 16 KiB handshake record, then its bytes one a second."""
    conn.sendall(b"\x16\x03\x03\x40\x00")
    for _ in range(40):
        if stop.is_set():
            return
        conn.sendall(b"\x02")
        time.sleep(1.0)


def test_a_tls_handshake_dripped_a_byte_a_second_ends_at_the_deadline():
    """Python bounds a handshake as a whole by the socket timeout, and the connect timeout is at most
    the time left: a handshake record dripped a byte a second cannot hold the call past its deadline."""
    server = RawServer(_drip_server_hello, read_head=False)
    origin = server.url.replace("http://", "https://")
    transport = fast_transport(origin, timeouts=Timeouts(connect=5, read=5))
    started = time.monotonic()
    try:
        with pytest.raises(ApiConnectionError, match="timed out"):
            transport.send(Request("GET", origin + "/op"), operation="Op", deadline=Deadline.after(2))
        elapsed = time.monotonic() - started
    finally:
        server.close()
        transport.close()
    assert elapsed < 3.5, f"the call took {elapsed:.1f}s with a 2s deadline"


def test_attempts_share_one_watchdog_thread_instead_of_a_timer_thread_each():
    """Attempts in flight at once start no thread per attempt (a monitoring pass makes thousands)."""
    import threading

    release = threading.Event()

    def held(conn, stop) -> None:
        release.wait(10)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")

    server = RawServer(held)
    transport = fast_transport(server.url)
    before = {t.ident for t in threading.enumerate()}
    callers = [
        threading.Thread(
            target=transport.send,
            args=(Request("GET", f"{server.url}/op/{n}"),),
            kwargs={"operation": "Op", "deadline": Deadline.after(20)},
            name=f"caller-{n}",
        )
        for n in range(8)
    ]
    try:
        for caller in callers:
            caller.start()
        give_up = time.monotonic() + 10
        while len(server.heads) < len(callers) and time.monotonic() < give_up:
            time.sleep(0.02)
        assert len(server.heads) == len(callers)
        started = [t.name for t in threading.enumerate() if t.ident not in before]
        extra = [name for name in started if not name.startswith("caller-") and not name.endswith("(_one)")]
        assert len(extra) <= 1, f"threads started for {len(callers)} attempts: {extra}"
    finally:
        release.set()
        for caller in callers:
            caller.join(10)
        server.close()
        transport.close()


_BOMB: list[bytes] = []


def gzip_bomb() -> bytes:
    """About 300 KiB of gzip that expands to 300 MiB of zeros (made once, streamed: never held whole)."""
    import zlib

    if not _BOMB:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        zeros = bytes(MiB)
        _BOMB.append(b"".join(packer.compress(zeros) for _ in range(300)) + packer.flush())
    return _BOMB[0]


def _gzip_answer(body: bytes):
    def reply(conn, stop) -> None:
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        conn.sendall(head.encode() + body)

    return reply


def test_a_gzip_bomb_keeps_memory_bounded():
    import tracemalloc

    bomb = gzip_bomb()
    assert len(bomb) < 400 * 1024
    server = RawServer(_gzip_answer(bomb))
    transport = fast_transport(server.url)
    tracemalloc.start()
    try:
        try:
            response = transport.send(Request("GET", server.url + "/op"), operation="Op")
            outcome: object = len(response.content)
        except ResponseFormatError as error:
            outcome = error
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        server.close()
        transport.close()
    assert peak < 16 * MiB, f"reading the answer took {peak / MiB:.0f} MiB"
    assert isinstance(outcome, ResponseFormatError), outcome
    assert "larger than 2048 KiB" in str(outcome)
    assert b"accept-encoding: identity" in server.heads[0].lower()


def test_a_small_gzip_answer_is_decoded():
    import gzip

    server = RawServer(_gzip_answer(gzip.compress(b'{"ok": true}')))
    try:
        response = fast_transport(server.url).send(Request("GET", server.url + "/op"), operation="Op")
    finally:
        server.close()
    assert response.json() == {"ok": True}


def test_an_oversized_body_is_refused_and_the_cap_is_configurable(sim):
    sim.faults.add("/op", status=200, body="x" * (3 * MiB), times=None)
    with pytest.raises(ResponseFormatError, match="larger than"):
        fast_transport(sim.url).send(Request("GET", sim.url + "/op"), operation="Op")
    small = fast_transport(sim.url)
    small.max_body = 1024
    sim.faults.clear()
    assert "count" in small.send(Request("GET", sim.url + "/op"), operation="Op").json()
    sim.faults.add("/op", status=200, body="y" * 2000)
    with pytest.raises(ResponseFormatError, match="larger than 1 KiB"):
        small.send(Request("GET", sim.url + "/op"), operation="Op")


def test_an_unknown_content_encoding_is_refused():
    def reply(conn, stop) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 4\r\n\r\nabcd")

    server = RawServer(reply)
    try:
        with pytest.raises(ResponseFormatError, match="Content-Encoding"):
            fast_transport(server.url).send(Request("GET", server.url + "/op"), operation="Op")
    finally:
        server.close()


def test_the_connection_error_says_whether_the_request_was_sent(sim):
    """``sent`` is what a create's caller decides on (look the object up, or it certainly never happened)."""
    with CountingSimulator() as s:
        closed = s.url
    with pytest.raises(ApiConnectionError) as refused:
        fast_transport(closed).send(Request("POST", closed + "/op"), operation="Create", idempotent=False)
    assert refused.value.sent is False
    with pytest.raises(ApiConnectionError) as no_attempt:
        fast_transport(sim.url).send(
            Request("POST", sim.url + "/op"), operation="Create", deadline=Deadline.after(0)
        )
    assert no_attempt.value.sent is False
    sim.faults.add("/op", drop=True)
    with pytest.raises(ApiConnectionError) as dropped:
        fast_transport(sim.url).send(Request("POST", sim.url + "/op"), operation="Create", idempotent=False)
    assert dropped.value.sent is True
    sim.faults.add("/slow", delay=2.0, times=None)
    with pytest.raises(ApiConnectionError) as timed_out:
        fast_transport(sim.url).send(
            Request("POST", sim.url + "/slow"), operation="Create", deadline=Deadline.after(0.5)
        )
    assert timed_out.value.sent is True


def test_a_create_is_tried_again_when_no_connection_could_be_made():
    """An unresolvable host: nothing reached a server, so repeating a create is safe and it is not "sent"."""
    auth = AttemptAuth()
    url = "http://no-such-host.invalid:82"
    with pytest.raises(ApiConnectionError, match="could not be resolved") as caught:
        fast_transport(url).send(
            Request("POST", url + "/op", auth=auth),
            operation="Create",
            idempotent=False,
            deadline=Deadline.after(5),
        )
    assert caught.value.sent is False
    assert auth.count == RetryPolicy().max_attempts
