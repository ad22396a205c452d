"""The HTTP plumbing the simulators share: a threaded server on 127.0.0.1, fault injection, a call log.

Subclasses of ``Simulator`` implement ``handle`` (and ``fault_keys``); this module takes care of
reading the request, applying faults, recording the call and writing the response. Control endpoints
under ``/_sim/`` let another process drive a simulator started from the command line:

- ``POST /_sim/faults`` with ``{"key": "CreateReplication", "status": 503, "times": 2}`` adds a fault (a key
  the simulator would never match, or a field ``Fault`` does not have, is a 400 naming it);
- ``DELETE /_sim/faults`` clears them; ``GET /_sim/calls`` returns the call log.

Request bodies: ``Content-Length`` or ``Transfer-Encoding: chunked`` (what node's ``http`` module sends when a
body is written without a length). A body framed any other way (another transfer coding, an HTTP/1.0 body
without a length) is a 411, a malformed length or chunk a 400, both ending the connection so that no
unread byte is ever taken for the next request.
"""

from __future__ import annotations

import json
import os
import re
import socket
import ssl
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

from simulators.faults import Fault, FaultInjector, UnknownFaultField

_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")
MAX_BODY = 16 * 1024 * 1024
"""Largest request body read (either framing); a larger one is a 413."""


class BodyError(Exception):
    """The request body cannot be read as framed: answered with ``status`` and the connection closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Request:
    method: str
    path: str
    """Path without the query string."""
    query: str
    headers: dict[str, str]
    """Header names lower-cased."""
    body: bytes
    raw_target: str
    """The request-target exactly as sent (path and query)."""


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
        return cls(
            status,
            json.dumps(payload).encode(),
            {"Content-Type": "application/json", **(headers or {})},
        )


@dataclass
class Call:
    """One request as the simulator saw it (no headers or bodies: they may hold secrets)."""

    method: str
    path: str
    key: str
    status: int
    at: float


class Simulator:
    """Base class: a threaded HTTP server on 127.0.0.1 that a subclass gives behaviour to."""

    name = "simulator"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.faults = FaultInjector()
        self.calls: list[Call] = []
        self._calls_lock = threading.Lock()
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._tls: ssl.SSLContext | None = None

    # -- behaviour supplied by subclasses -------------------------------------------------------
    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def fault_keys(self, request: Request) -> tuple[str, ...]:
        """Keys under which faults for this request are registered."""
        return (request.path,)

    def known_fault_key(self, key: str) -> bool:
        """Whether some request could ever match ``key`` (``*`` and paths always can)."""
        return key == "*" or key.startswith("/")

    def error_response(self, request: Request, status: int) -> Response:
        """The body an injected error status carries by default."""
        return Response.json(status, {"message": f"injected HTTP {status}"})

    def malformed_response(self, request: Request, real: Response) -> Response:
        """The real answer cut in half: the request took effect, the body cannot be parsed."""
        cut = real.body[: max(1, len(real.body) // 2)] if real.body else b"{<"
        return Response(200, cut + b"\x00<", dict(real.headers))

    # -- lifecycle ----------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"{self.name} is not running")
        return int(self._server.server_address[1])

    @property
    def host(self) -> str:
        """The address the server really listens on (``--host`` as bound, not a constant)."""
        if self._server is None:
            raise RuntimeError(f"{self.name} is not running")
        return str(self._server.server_address[0])

    @property
    def accepted(self) -> int:
        """How many connections the server has accepted (with TLS: how many handshakes completed)."""
        return self._server.accepted if self._server is not None else 0

    @property
    def url(self) -> str:
        scheme = "https" if self._tls is not None else "http"
        host = self.host
        if host in ("0.0.0.0", "::"):  # every interface: the loopback name is the one that works locally
            host = "127.0.0.1" if host == "0.0.0.0" else "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"{scheme}://{host}:{self.port}"

    def with_tls(self, certificate: str | os.PathLike[str], key: str | os.PathLike[str]) -> Self:
        """Serve HTTPS with this certificate and key (call before ``start``); ``url`` becomes https."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate, key)
        self._tls = context
        return self

    def start(self) -> Self:
        handler = _make_handler(self)
        self._server = _Server((self._host, self._port), handler)
        if self._tls is not None:
            self._server.socket = self._tls.wrap_socket(self._server.socket, server_side=True)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name=self.name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def serve_forever(self) -> None:
        """Run in the foreground until interrupted (for the command line); starts the server if needed."""
        if self._server is None:
            self.start()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- call log -----------------------------------------------------------------------------------
    def record(self, call: Call) -> None:
        with self._calls_lock:
            self.calls.append(call)

    def calls_since(self, index: int) -> list[Call]:
        with self._calls_lock:
            return list(self.calls[index:])

    def control(self, request: Request) -> Response | None:
        """Answer the ``/_sim/`` control endpoints; ``None`` for every other path."""
        if not request.path.startswith("/_sim/"):
            return None
        if request.path == "/_sim/faults" and request.method == "POST":
            return self._add_fault(request.body)
        if request.path == "/_sim/faults" and request.method == "DELETE":
            self.faults.clear()
            return Response(204)
        if request.path == "/_sim/calls" and request.method == "GET":
            with self._calls_lock:
                return Response.json(200, [asdict(c) for c in self.calls])
        return Response.json(404, {"message": "unknown control endpoint"})

    def _add_fault(self, body: bytes) -> Response:
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return Response.json(400, {"message": "the fault must be a JSON object"})
        if not isinstance(data, dict):
            return Response.json(400, {"message": "the fault must be a JSON object"})
        key = str(data.pop("key", "*"))
        if not self.known_fault_key(key):
            return Response.json(400, {"message": f"unknown fault key {key!r}: no request would match it"})
        try:
            fault = Fault.from_json(data)
        except UnknownFaultField as exc:
            return Response.json(400, {"message": str(exc)})
        self.faults.add(key, fault)
        return Response(204)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    accepted = 0
    """Connections accepted (with TLS: handshakes completed), counted on the serving thread."""

    def process_request(self, request: Any, client_address: Any) -> None:
        self.accepted += 1
        super().process_request(request, client_address)

    request_queue_size = 128
    """socketserver's default listen backlog (5) resets connections when a monitor opens 32 at once; an
    appliance behind IIS does not."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a timeout test, a dropped connection) is not an error worth printing."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _make_handler(sim: Simulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = sim.name
        # Headers and body go out in two writes; without TCP_NODELAY the body waits for the client's
        # delayed ACK (about 40 ms a call).
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the call log records what matters."""

        def _dispatch(self) -> None:
            try:
                body = read_body(self.request_version, self.headers, self.rfile)
            except BodyError as exc:
                self.close_connection = True
                response = Response.json(exc.status, {"message": exc.message}, {"Connection": "close"})
                sim.record(Call(self.command, urlsplit(self.path).path, "", exc.status, time.time()))
                self._write(response)
                return
            split = urlsplit(self.path)
            request = Request(
                method=self.command,
                path=split.path,
                query=split.query,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                raw_target=self.path,
            )
            control = sim.control(request)
            if control is not None:
                self._write(control)
                return
            keys = sim.fault_keys(request)
            fault = sim.faults.take(*keys)
            if fault is not None and fault.delay:
                time.sleep(fault.delay)
            if fault is not None and fault.drop:
                sim.record(Call(request.method, request.path, keys[0], 0, time.time()))
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if fault is not None and fault.status is not None:
                response = sim.error_response(request, fault.status)
                if fault.body is not None:
                    response.body = fault.body.encode()
                response.headers.update(fault.headers)
            elif fault is not None and fault.malformed:
                response = sim.malformed_response(request, sim.handle(request))
            else:
                response = sim.handle(request)
            if fault is not None and fault.answer is not None:
                response = Response(200, fault.answer, {**response.headers, **fault.headers})
            sim.record(Call(request.method, request.path, keys[0], response.status, time.time()))
            self._write(response, drip=fault.drip if fault is not None else 0.0)

        def _write(self, response: Response, drip: float = 0.0) -> None:
            if drip:
                self._drip(response, drip)
                return
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            if _bodyless(response.status):
                self.end_headers()
                return
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if response.body and self.command != "HEAD":
                self.wfile.write(response.body)

        def _drip(self, response: Response, seconds: float) -> None:
            """The whole answer, status line and headers included, one byte every ``seconds``."""
            self.close_connection = True
            reason = self.responses.get(response.status, ("",))[0]
            lines = [f"HTTP/1.1 {response.status} {reason}"]
            lines += [f"{name}: {value}" for name, value in response.headers.items()]
            lines += [f"Content-Length: {len(response.body)}", "Connection: close", "", ""]
            data = "\r\n".join(lines).encode("latin-1") + response.body
            for index in range(len(data)):
                self.wfile.write(data[index : index + 1])
                self.wfile.flush()
                time.sleep(seconds)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch

    return Handler


def _bodyless(status: int) -> bool:
    """1xx, 204 and 304 answers end at their headers (RFC 9110 6.4.1), whatever body a script gives them.

    Bytes written after such a header would wait on the kept-alive connection and be read as the next
    answer's status line: the client's next request on it fails as a dropped connection.
    """
    return status < 200 or status in (204, 304)


def read_body(version: str, headers: Any, rfile: Any) -> bytes:
    """The request body as framed by ``Content-Length`` or ``Transfer-Encoding: chunked``."""
    encoding = headers.get("Transfer-Encoding")
    length = headers.get("Content-Length")
    if encoding is not None:
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        if length is not None:
            raise BodyError(400, "Content-Length and Transfer-Encoding together are refused")
        if codings != ["chunked"]:
            raise BodyError(411, f"Transfer-Encoding {encoding!r} is not supported: send Content-Length")
        return _read_chunked(rfile)
    if length is None:
        if version == "HTTP/1.0" and headers.get("Content-Type"):
            raise BodyError(411, "an HTTP/1.0 request body needs Content-Length")
        return b""  # HTTP/1.1: no length and no transfer coding means no body
    if not length.strip().isdigit():
        raise BodyError(400, f"Content-Length must be a whole number, got {length!r}")
    size = int(length)
    if size > MAX_BODY:
        raise BodyError(413, f"the body is larger than {MAX_BODY} bytes")
    body: bytes = rfile.read(size) if size else b""
    if len(body) != size:
        raise BodyError(400, "the body ended before Content-Length bytes")
    return body


def _read_chunked(rfile: Any) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        line = rfile.readline(1024)
        if not line.endswith(b"\n"):
            raise BodyError(400, "malformed chunk size line")
        size_text = line.split(b";", 1)[0].strip()
        if not _HEX.fullmatch(size_text):
            raise BodyError(400, f"malformed chunk size {size_text[:20]!r}")
        size = int(size_text, 16)
        if size == 0:
            break
        total += size
        if total > MAX_BODY:
            raise BodyError(413, f"the body is larger than {MAX_BODY} bytes")
        chunk = rfile.read(size)
        if len(chunk) != size or rfile.readline(3) not in (b"\r\n", b"\n"):
            raise BodyError(400, "a chunk does not match its size")
        parts.append(chunk)
    while True:  # trailer fields, up to the blank line
        trailer = rfile.readline(8192)
        if trailer in (b"\r\n", b"\n", b""):
            break
    return b"".join(parts)
