"""Sessions built once per container: one per endpoint and trust store, reused by every client.

A Lambda container serves many invocations; building a ``requests.Session`` per client made every
request pay for a new connection, a TLS handshake and, worst of all, a new SSL context that loads the CA
bundle again (20-30 ms of CPU, much more at 256 MB). Here a process-wide ``SessionPool`` hands out one
``SharedSession`` per ``(origin, verify)``: the endpoint's scheme, host and port and what its certificate
is checked against (``True`` for the default roots or the path of a CA bundle; the bundle's path names
its content, see ``cloudbasic.ca_bundle``). Each session

- trusts through one SSL context per trust store, built on first use and kept (``trust_context``);
  hostname and certificate checks are requests' own, only the loading is done once;
- reads proxy settings once, when it is made: ``trust_env`` is off (requests would otherwise scan the
  environment, and ``~/.netrc``, on every request) and the proxies that ``HTTPS_PROXY``/``HTTP_PROXY``/
  ``ALL_PROXY`` give for its origin are set on it, none when ``NO_PROXY`` exempts the origin;
- keeps no cookies, so nothing one client is sent reaches another client's request;
- drops its pooled connections when it was idle for ``IDLE_SECONDS``: a frozen container misses the
  server's close, and a create sent on a dead socket could not be told apart from one the server took.

``close()`` of a client never closes a shared session. The pool holds at most ``MAX_SESSIONS`` sessions
(the least recently used one is closed to make room).
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import requests

from cbprovider.bounded_http import WatchedAdapter

if TYPE_CHECKING:
    from requests.adapters import _HostParams, _PoolKwargs

IDLE_SECONDS = 15.0
"""Pooled connections idle longer than this are closed before the next request (they may be dead)."""
MAX_SESSIONS = 32
POOL_CONNECTIONS = 64
"""Connections kept per host: the monitor's highest concurrency, so no connection is thrown away."""

Verify = bool | str

_contexts: dict[Verify, ssl.SSLContext] = {}
_contexts_lock = threading.Lock()


def trust_context(verify: Verify) -> ssl.SSLContext | None:
    """The SSL context that checks certificates against ``verify``, built once per process.

    ``True`` is the roots requests would load (certifi's bundle), a string a CA bundle file or directory.
    ``None`` for ``False`` (verification off: requests' own handling, never used by the provider).
    """
    if verify is False:
        return None
    with _contexts_lock:
        context = _contexts.get(verify)
        if context is None:
            import os

            from requests.utils import DEFAULT_CA_BUNDLE_PATH
            from urllib3.util.ssl_ import create_urllib3_context

            where = DEFAULT_CA_BUNDLE_PATH if verify is True else str(verify)
            context = create_urllib3_context()
            if os.path.isdir(where):
                context.load_verify_locations(capath=where)
            else:
                context.load_verify_locations(cafile=where)
            _contexts[verify] = context
        return context


class _TrustAdapter(WatchedAdapter):
    """requests' adapter (watched, see ``bounded_http``) whose TLS pools use one prebuilt SSL context."""

    def __init__(self, verify: Verify, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._verify = verify

    def _context_for(self, url: str, verify: Any) -> ssl.SSLContext | None:
        """The prebuilt context for an https ``url`` checked against the adapter's own trust store."""
        if not url.lower().startswith("https:") or verify != self._verify or verify is False:
            return None
        return trust_context(self._verify)

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[_HostParams, _PoolKwargs]:
        host, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        context = self._context_for(request.url or "", verify)
        if context is not None:
            pool_kwargs.pop("ca_certs", None)
            pool_kwargs.pop("ca_cert_dir", None)
            pool_kwargs["ssl_context"] = context
        return host, pool_kwargs

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        super().cert_verify(conn, url, verify, cert)  # type: ignore[no-untyped-call]
        context = self._context_for(url, verify)
        if context is not None and getattr(conn, "conn_kw", {}).get("ssl_context") is context:
            conn.ca_certs = None  # the roots are in the context already: do not load them per connection
            conn.ca_cert_dir = None


def environment_proxies(origin: str) -> dict[str, str]:
    """The proxies the environment gives for ``origin`` (read now): none when ``NO_PROXY`` exempts it."""
    from urllib.parse import urlsplit

    from requests.utils import get_environ_proxies

    scheme = urlsplit(origin).scheme
    found = get_environ_proxies(origin)
    return {key: found[key] for key in (scheme, "all") if found.get(key)}


def _new_session(origin: str, verify: Verify) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.proxies = environment_proxies(origin)
    session.verify = verify
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    for prefix in ("https://", "http://"):
        session.mount(prefix, _TrustAdapter(verify, pool_maxsize=POOL_CONNECTIONS))
    return session


class SharedSession:
    """A pooled session, used through ``use()`` so that its idle connections can be dropped safely."""

    def __init__(self, session: requests.Session, clock: Callable[[], float]) -> None:
        self.session = session
        self._clock = clock
        self._lock = threading.Lock()
        self._active = 0
        self._last_used = clock()

    @contextlib.contextmanager
    def use(self) -> Iterator[requests.Session]:
        """The session for one exchange; its pooled connections are closed first if it sat idle."""
        with self._lock:
            if self._active == 0 and self._clock() - self._last_used > IDLE_SECONDS:
                self._drop_connections()
            self._active += 1
        try:
            yield self.session
        finally:
            with self._lock:
                self._active -= 1
                self._last_used = self._clock()

    def _drop_connections(self) -> None:
        for adapter in self.session.adapters.values():
            adapter.close()  # the adapter stays usable: its pools are made again on demand

    def close(self) -> None:
        self.session.close()


class SessionPool:
    """One ``SharedSession`` per ``(origin, verify)``, thread-safe; ``origin`` is ``scheme://host:port``."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, max_sessions: int = MAX_SESSIONS
    ) -> None:
        self._clock = clock
        self._max = max_sessions
        self._lock = threading.Lock()
        self._sessions: OrderedDict[tuple[str, Verify], SharedSession] = OrderedDict()

    def get(self, origin: str, verify: Verify) -> SharedSession:
        key = (origin, verify)
        with self._lock:
            shared = self._sessions.get(key)
            if shared is not None:
                self._sessions.move_to_end(key)
                return shared
            shared = SharedSession(_new_session(origin, verify), self._clock)
            self._sessions[key] = shared
            while len(self._sessions) > self._max:
                _, oldest = self._sessions.popitem(last=False)
                oldest.close()
            return shared

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def close(self, *, scheme: str | None = None) -> None:
        """Close every session, or those of origins with ``scheme`` (they are made again on demand)."""
        with self._lock:
            keys = [key for key in self._sessions if scheme is None or key[0].startswith(f"{scheme}://")]
            sessions = [self._sessions.pop(key) for key in keys]
        for shared in sessions:
            shared.close()


shared_sessions = SessionPool()
"""The process's pool, used by every ``Transport`` that is not given a session of its own."""
