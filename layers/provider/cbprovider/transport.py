"""One keep-alive HTTP session with deadline-bounded retries, shared by the API clients.

Requests go out through urllib3 (the library botocore uses, which the Lambda runtime brings) with
urllib3's own retries and redirects off: the retry loop is this one. Retries cover connection errors
(refused, reset, dropped, timed out) and the statuses in ``RetryPolicy.retry_statuses`` (5xx and 429 by
default). ``Retry-After`` (seconds or an HTTP date) is honoured. Each attempt re-prepares the request
(``Request.prepare``), so its signer signs it afresh: a retry never replays a stale signature or
timestamp. Nothing here logs request headers or bodies.

The session is the process's shared pool manager for the endpoint and trust store
(``cbprovider.sessions``): connections, TLS context and proxy settings outlive the client, and closing
the client leaves it open.

A transport is bound to one origin (scheme, host, port: its endpoint's): a request for any other is
refused with ``WrongOrigin`` before it is prepared, so before its signer signs it and before any byte of
it leaves. Redirects are never followed.
"""

from __future__ import annotations

import email.utils
import http.client
import logging
import random
import time
from collections.abc import Callable

import msgspec
from urllib3 import PoolManager
from urllib3 import Timeout as Urllib3Timeout
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ProxyError, SSLError
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import TimeoutError as Urllib3TimeoutError
from urllib3.util import parse_url

from cbprovider.bounded_http import (
    DEFAULT_MAX_BODY,
    WATCHED_POOL_CLASSES,
    BodyUnreadable,
    Watch,
    discard,
    read_body,
)
from cbprovider.deadline import Deadline
from cbprovider.errors import ApiConnectionError, ProviderError
from cbprovider.http_message import Request, Response
from cbprovider.sessions import SharedSession, shared_sessions

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
NOT_PROCESSED_STATUSES = frozenset({429, 503})
"""Statuses that say the server did not act on the request (RFC 9110 15.6.4, RFC 6585 4)."""


class RetryPolicy(msgspec.Struct, frozen=True):
    """How often and how patiently to retry. Delays grow exponentially with full jitter."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0
    retry_statuses: frozenset[int] = RETRYABLE_STATUSES

    def backoff(self, attempt: int) -> float:
        """Delay before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)


class Timeouts(msgspec.Struct, frozen=True):
    connect: float = 5.0
    read: float = 30.0


def retry_after_seconds(response: Response) -> float | None:
    """The server's ``Retry-After`` in seconds, if it sent a readable one."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class WrongOrigin(ProviderError):
    """A request for another scheme, host or port than the transport's endpoint: refused, never sent."""


def _origin(url: str) -> tuple[str, str, int]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc or "\\" in url:
        raise ValueError("not an http(s) URL with a host (and no user info)")
    return scheme, parts.hostname.lower(), parts.port or (443 if scheme == "https" else 80)


def _wire_origin(url: str) -> tuple[str, str, int]:
    """The origin urllib3 itself reads from ``url`` (where the bytes would go)."""
    parts = parse_url(url)
    scheme = (parts.scheme or "").lower()
    host = (parts.host or "").strip("[]").lower()
    return scheme, host, parts.port or (443 if scheme == "https" else 80)


def _origin_url(origin: tuple[str, str, int]) -> str:
    scheme, host, port = origin
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


class Transport:
    """Sends requests through one urllib3 pool manager with retries bounded by a deadline.

    Without ``session`` the process's shared session for ``(origin, verify)`` is used (and never
    closed here); a given ``session`` (a ``PoolManager`` with its own TLS and proxy settings: ``verify``
    is not applied to it) is the transport's own, its pools closed by ``close()``.

    ``origin`` is the endpoint's URL; only requests for its scheme, host and port are sent. Each
    attempt, body included, ends by the deadline whatever the server does (see ``bounded_http``);
    bodies larger than ``max_body`` bytes are refused with ``ResponseTooLarge``.
    """

    max_body: int = DEFAULT_MAX_BODY

    def __init__(
        self,
        *,
        service: str,
        origin: str,
        policy: RetryPolicy | None = None,
        timeouts: Timeouts | None = None,
        verify: bool | str = True,
        session: PoolManager | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.service = service
        self.origin = _origin(origin)
        self.policy = policy or RetryPolicy()
        self.timeouts = timeouts or Timeouts()
        self._shared: SharedSession | None = None
        if session is None:
            self._shared = shared_sessions.get(_origin_url(self.origin), verify)
            session = self._shared.session
        else:
            session.pool_classes_by_scheme = WATCHED_POOL_CLASSES
        self.session = session
        self._sleep = sleep

    def close(self) -> None:
        """Close the transport's own session; a shared one stays open for the next client."""
        if self._shared is None:
            self.session.clear()

    def _check_origin(self, url: str, operation: str) -> None:
        try:
            same = _origin(url) == self.origin == _wire_origin(url)  # as read here and by urllib3
        except ValueError:
            same = False
        if not same:
            raise WrongOrigin(f"{self.service} {operation}: refused to send a request outside its endpoint")

    def send(
        self,
        request: Request,
        *,
        operation: str,
        deadline: Deadline | None = None,
        retry: bool = True,
        idempotent: bool = True,
    ) -> Response:
        """Send ``request``; return the first non-retryable response or the last one after retries.

        Raises ``ApiConnectionError`` when no response could be had within the attempts and deadline.
        ``retry=False`` sends exactly once. ``idempotent=False`` (creates: the APIs have no idempotency
        keys) repeats the request only where the server cannot have acted on it: no connection could be
        made (refused, unresolvable, timed out while connecting), or a 429/503 answer. After a timeout,
        a dropped connection or another 5xx the request may have been carried out, so the error is
        returned or raised and the caller looks the object up instead.
        Raises ``WrongOrigin`` (nothing prepared, signed or sent) for a URL off the transport's origin.
        """
        self._check_origin(request.url, operation)
        if self._shared is None:
            return self._attempts(request, operation, deadline or Deadline.never(), retry, idempotent)
        with self._shared.use():
            return self._attempts(request, operation, deadline or Deadline.never(), retry, idempotent)

    def _attempts(
        self, request: Request, operation: str, deadline: Deadline, retry: bool, idempotent: bool
    ) -> Response:
        attempts = self.policy.max_attempts if retry else 1
        statuses = self.policy.retry_statuses if idempotent else NOT_PROCESSED_STATUSES
        last_error: str = "no attempt was made: the deadline had passed"
        sent = False  # whether an attempt may have reached the server and been acted on
        for attempt in range(1, attempts + 1):
            remaining = deadline.remaining()
            if remaining <= 0:
                break
            prepared = request.prepare()
            self._check_origin(prepared.url, operation)  # again after the signer's work
            timeout = Urllib3Timeout(
                connect=min(self.timeouts.connect, remaining), read=min(self.timeouts.read, remaining)
            )
            with Watch(deadline) as watch:
                try:
                    raw = self.session.urlopen(
                        prepared.method,
                        prepared.url,
                        body=prepared.body,
                        headers=prepared.headers,
                        retries=False,
                        redirect=False,
                        preload_content=False,
                        decode_content=False,
                        timeout=timeout,
                    )
                    response = Response(raw.status, raw.headers, b"", raw.reason or "")
                    retry_wait = self._retry_wait(response, attempt, attempts, statuses, deadline)
                    if retry_wait is None:
                        body = read_body(
                            raw, deadline, self.max_body, service=self.service, operation=operation
                        )
                        return Response(raw.status, raw.headers, body, raw.reason or "", prepared)
                except (Urllib3Error, OSError, http.client.HTTPException, BodyUnreadable) as exc:
                    last_error = "timed out" if watch.fired else _describe(exc)
                    delivered = _may_have_arrived(exc)
                    sent = sent or delivered
                    if not idempotent and delivered:
                        break
                    wait = self.policy.backoff(attempt)
                    logger.warning("%s %s attempt %d: %s", self.service, operation, attempt, last_error)
                else:
                    wait = retry_wait
                    sent = sent or response.status_code not in NOT_PROCESSED_STATUSES
                    logger.warning(
                        "%s %s attempt %d: HTTP %d, retrying in %.2fs",
                        self.service,
                        operation,
                        attempt,
                        response.status_code,
                        wait,
                    )
                    discard(raw)
            if attempt == attempts or wait >= deadline.remaining():
                break
            self._sleep(wait)
        raise ApiConnectionError(service=self.service, operation=operation, reason=last_error, sent=sent)

    def _retry_wait(
        self,
        response: Response,
        attempt: int,
        attempts: int,
        statuses: frozenset[int],
        deadline: Deadline,
    ) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` when ``response`` is the answer."""
        if response.status_code not in statuses or attempt == attempts:
            return None
        hinted = retry_after_seconds(response)
        wait = hinted if hinted is not None else self.policy.backoff(attempt)
        return None if wait > deadline.remaining() else wait


_CONNECT_FAILURES = (
    (("Connection refused",), "connection refused"),
    (
        ("Name or service not known", "nodename nor servname", "Temporary failure in name resolution",
         "getaddrinfo failed", "No address associated", "Failed to resolve"),
        "the host name could not be resolved (DNS)",
    ),
    (("Network is unreachable",), "network unreachable"),
    (("No route to host",), "no route to host"),
    (("timed out",), "timed out while connecting"),
)  # fmt: skip
_DROPPED = ("Connection refused", "Connection reset", "RemoteDisconnected", "Connection aborted")


def _may_have_arrived(exc: Exception) -> bool:
    """False only when no connection was made (to the server or the proxy): then nothing was sent."""
    if isinstance(exc, ProxyError):
        return not isinstance(exc.original_error, ConnectTimeoutError)
    return not isinstance(exc, ConnectTimeoutError)  # NewConnectionError is one too


def _describe(exc: Exception) -> str:
    """A short reason that names the failure without echoing URLs with credentials or headers."""
    if isinstance(exc, BodyUnreadable):
        return exc.reason
    cause = exc.original_error if isinstance(exc, ProxyError) else exc
    if isinstance(cause, NewConnectionError):
        text = str(cause)
        for markers, reason in _CONNECT_FAILURES:
            if any(marker in text for marker in markers):
                return reason
        return f"connection failed ({type(cause).__name__})"
    if isinstance(cause, Urllib3TimeoutError | TimeoutError):
        return "timed out"
    if isinstance(cause, SSLError):
        return "TLS handshake failed (is the server's certificate trusted? see CaBundleSecretArn)"
    text = str(cause)
    for marker in _DROPPED:
        if marker in text:
            return marker.lower()
    return f"connection failed ({type(cause).__name__})"
