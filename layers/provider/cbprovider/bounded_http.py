"""Bounded HTTP attempts: one wall-clock deadline over the whole exchange, a size cap on the body.

Socket timeouts bound each ``recv``, not an answer: a server that drips its headers or body one byte a
second never trips them. Here every attempt runs under a ``Watch``: at the deadline the process's one
``watchdog`` thread shuts the attempt's socket down (its connection hands itself to the watch when it
connects or sends: the pool manager uses ``WATCHED_POOL_CLASSES``), which ends whatever read is under
way; the transport then reports a timeout. The body is read here, from urllib3's unread response (sent
with ``preload_content=False``), in chunks, with the deadline checked between them and at most ``limit``
bytes kept.

Answers are asked for uncompressed (``Accept-Encoding: identity``) and read without urllib3's transparent
decompression (``decode_content=False``); a server that compresses anyway gets its gzip or deflate body
decoded here with the same cap (a 300 KiB gzip bomb stops at the cap instead of expanding to hundreds of
MiB). Other encodings are refused.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import zlib
from types import TracebackType
from typing import TYPE_CHECKING, Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError as Urllib3Error

from cbprovider.deadline import Deadline
from cbprovider.errors import ResponseFormatError, ResponseTooLarge
from cbprovider.watchdog import Alarm, arm

if TYPE_CHECKING:
    from urllib3.response import BaseHTTPResponse  # urllib3 2 (1.26, which Lambda may bring, has none)

DEFAULT_MAX_BODY = 2 * 1024 * 1024
"""The largest answer read (after decoding): far above any documented answer of either API."""
CHUNK = 64 * 1024

_current = threading.local()


class BodyUnreadable(Exception):
    """The connection failed (or the deadline passed) while the body was being read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Watch:
    """Shuts the attempt's socket down when ``deadline`` passes; ``fired`` says whether it did.

    The watch holds the attempt's connection, not its socket, and reads ``connection.sock`` when it
    fires (urllib3 sets it as soon as the TCP connection is made; a TLS handshake is bounded as a whole
    by the socket timeout, at most the time left). The alarm is the process's one ``watchdog`` thread.
    """

    def __init__(self, deadline: Deadline) -> None:
        self.fired = False
        self._lock = threading.Lock()
        self._connection: Any = None
        self._done = False
        self._seconds = deadline.remaining()
        self._alarm: Alarm | None = None

    def attach(self, connection: Any) -> None:
        """The connection the attempt now uses (its socket shut at once if the deadline has passed)."""
        with self._lock:
            self._connection = connection
            if self.fired:
                _shut(getattr(connection, "sock", None))

    def _fire(self) -> None:
        with self._lock:
            if self._done:  # the attempt ended as the alarm went off: its socket may be back in the pool
                return
            self.fired = True
            _shut(getattr(self._connection, "sock", None))

    def __enter__(self) -> Watch:
        _current.watch = self
        if self._seconds != float("inf"):
            self._alarm = arm(max(0.0, self._seconds), self._fire)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._alarm is not None:
            self._alarm.cancel()
        with self._lock:
            self._done = True
        _current.watch = None


def _shut(sock: socket.socket | None) -> None:
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


def _attach(connection: Any) -> None:
    watch: Watch | None = getattr(_current, "watch", None)
    if watch is not None:
        watch.attach(connection)


# -- urllib3 classes that hand themselves to the current watch (public methods only) -------------------
class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        _attach(self)  # before: the watch reads ``sock`` once urllib3 has set it
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self)  # a pooled connection, already connected
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        _attach(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self)
        super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


WATCHED_POOL_CLASSES: dict[str, type[HTTPConnectionPool]] = {
    "http": _WatchedHTTPPool,
    "https": _WatchedHTTPSPool,
}
"""A pool manager's ``pool_classes_by_scheme`` whose connections hand themselves to the current ``Watch``."""


# -- reading the body --------------------------------------------------------------------------------------
class _Inflater:
    """gzip or zlib-deflate decoding that never produces more than it is allowed to."""

    def __init__(self, wbits: int) -> None:
        self._decoder = zlib.decompressobj(wbits)

    def feed(self, data: bytes, room: int) -> bytes:
        try:
            return self._decoder.decompress(data, room)
        except zlib.error:
            raise BodyUnreadable("the compressed answer is corrupt") from None


def _inflater(encoding: str | None, *, service: str, operation: str) -> _Inflater | None:
    name = (encoding or "").strip().lower()
    if name in ("", "identity"):
        return None
    if name in ("gzip", "x-gzip"):
        return _Inflater(16 + zlib.MAX_WBITS)
    if name == "deflate":
        return _Inflater(zlib.MAX_WBITS)
    raise ResponseFormatError(
        service=service,
        operation=operation,
        reason="the answer uses a Content-Encoding that is not read (identity was asked for)",
    )


def read_body(
    response: BaseHTTPResponse, deadline: Deadline, limit: int, *, service: str, operation: str
) -> bytes:
    """Read at most ``limit`` bytes of ``response``'s body (unread, undecoded) before ``deadline``.

    ``ResponseTooLarge`` past the cap, ``ResponseFormatError`` for an encoding that is not read,
    ``BodyUnreadable`` when the connection fails or the deadline passes mid-body. The connection goes
    back to the pool when the body was read whole, and is closed otherwise.
    """
    try:
        inflater = _inflater(response.headers.get("Content-Encoding"), service=service, operation=operation)
        parts: list[bytes] = []
        size = 0
        while True:
            if deadline.expired():
                raise BodyUnreadable("timed out")
            _bound_socket(response, deadline)
            chunk = (
                response.read1(CHUNK, decode_content=False)
                if hasattr(response, "read1")
                else response.read(CHUNK, decode_content=False)
            )
            if not chunk:
                break
            if inflater is not None:
                chunk = inflater.feed(chunk, limit - size + 1)
            size += len(chunk)
            if size > limit:
                raise ResponseTooLarge(service=service, operation=operation, limit=limit)
            parts.append(chunk)
    except (Urllib3Error, OSError, http.client.HTTPException) as error:
        discard(response)
        raise BodyUnreadable(_why(error)) from None
    except BaseException:
        discard(response)
        raise
    response.release_conn()  # the body was read whole: the connection goes back to the pool
    return b"".join(parts)


def discard(response: BaseHTTPResponse) -> None:
    """Close ``response`` unread: its connection is closed, and its place in the pool given back."""
    response.close()
    response.release_conn()


def _bound_socket(response: BaseHTTPResponse, deadline: Deadline) -> None:
    """No single read may wait past the deadline (on top of the watch, for pools that are not watched)."""
    sock = getattr(getattr(response, "connection", None), "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.settimeout(max(0.01, min(deadline.remaining(), sock.gettimeout() or float("inf"))))


def _why(error: BaseException) -> str:
    text = type(error).__name__
    if "Timeout" in text or isinstance(error, socket.timeout):
        return "timed out"
    return "connection dropped while reading the answer"
