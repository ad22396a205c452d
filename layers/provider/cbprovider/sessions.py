"""Sessions built once per container: one per endpoint and trust store, reused by every client.

A Lambda container serves many invocations; a new HTTP session per client made every request pay for a
new connection, a TLS handshake and, worst of all, a new SSL context that loads the CA bundle again
(20-30 ms of CPU, much more at 256 MB). Here a process-wide ``SessionPool`` hands out one
``SharedSession`` per ``(origin, verify)``: the endpoint's scheme, host and port and what its certificate
is checked against (``True`` for the system's default roots or the path of a CA bundle; the bundle's
path names its content, see ``cloudbasic.ca_bundle``). Each session is one urllib3 pool manager (the
library botocore itself uses; the Lambda runtime brings it) that

- trusts through one SSL context per trust store, built on first use and kept (``trust_context``);
  hostname and certificate checks are urllib3's own, only the loading is done once;
- reads proxy settings once, when it is made (``environment_proxies``): a ``ProxyManager`` through the
  proxy that ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY`` give for its origin, a plain ``PoolManager``
  when there is none or ``NO_PROXY`` exempts the origin;
- keeps no cookies (urllib3 has no cookie jar), so nothing one client is sent reaches another client's
  request;
- hands its sockets to the attempt's deadline watch (``bounded_http.WATCHED_POOL_CLASSES``);
- drops its pooled connections when it was idle for ``IDLE_SECONDS``: a frozen container misses the
  server's close, and a create sent on a dead socket could not be told apart from one the server took.

``close()`` of a client never closes a shared session. The pool holds at most ``MAX_SESSIONS`` sessions
(the least recently used one is closed to make room).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

from urllib3 import PoolManager, ProxyManager
from urllib3.util import make_headers

from cbprovider.bounded_http import WATCHED_POOL_CLASSES

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

    ``True`` is the system's default roots (as for the response to CloudFormation; ``SSL_CERT_FILE`` and
    ``SSL_CERT_DIR`` are honoured), a string a CA bundle file or directory. ``None`` for ``False``
    (verification off, never used by the provider).
    """
    if verify is False:
        return None
    with _contexts_lock:
        context = _contexts.get(verify)
        if context is None:
            from urllib3.util.ssl_ import create_urllib3_context

            context = create_urllib3_context()
            if verify is True:
                context.load_default_certs()
            elif os.path.isdir(verify):
                context.load_verify_locations(capath=verify)
            else:
                context.load_verify_locations(cafile=verify)
            _contexts[verify] = context
        return context


def _environment(name: str) -> str:
    """``name`` from the environment, the lower-case spelling first (as curl and urllib read them)."""
    return (os.environ.get(name.lower()) or os.environ.get(name.upper()) or "").strip()


def _exempt(host: str, port: int) -> bool:
    """Whether ``NO_PROXY`` names the host (``*``, the name or a parent domain, an address or network)."""
    entries = [entry for entry in _environment("no_proxy").replace(" ", "").split(",") if entry]
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        address = None
    for entry in entries:
        if entry == "*":
            return True
        name, entry_port = _host_and_port(entry)
        if entry_port and entry_port != str(port):
            continue
        if address is not None:
            with contextlib.suppress(ValueError):
                if address in ipaddress.ip_network(name, strict=False):
                    return True
        elif host == name.lstrip(".") or host.endswith("." + name.lstrip(".")):
            return True
    return False


def _host_and_port(entry: str) -> tuple[str, str]:
    """A ``NO_PROXY`` entry's host (lower case, IPv6 without brackets) and port (``""`` when it names none).

    ``host:port``, ``[v6]:port``, ``[v6]`` and a bare IPv6 address or network (``fd00::/8``: its colons are
    not a port).
    """
    if entry.startswith("["):
        name, _, rest = entry[1:].partition("]")
        return name.lower(), rest[1:] if rest.startswith(":") else ""
    if entry.count(":") == 1:
        name, _, port = entry.partition(":")
        return name.lower(), port
    return entry.lower(), ""


def environment_proxies(origin: str) -> dict[str, str]:
    """The proxies the environment gives for ``origin`` (read now): none when ``NO_PROXY`` exempts it."""
    parts = urlsplit(origin)
    scheme, host = parts.scheme, (parts.hostname or "").lower()
    if _exempt(host, parts.port or (443 if scheme == "https" else 80)):
        return {}
    found = {key: _environment(f"{key}_proxy") for key in (scheme, "all")}
    return {key: value for key, value in found.items() if value}


def _proxy_headers(proxy: str) -> dict[str, str] | None:
    """``Proxy-Authorization`` for a proxy URL with user info (``http://user:password@proxy:3128``)."""
    parts = urlsplit(proxy)
    if not parts.username:
        return None
    return make_headers(proxy_basic_auth=f"{unquote(parts.username)}:{unquote(parts.password or '')}")


def _new_session(origin: str, verify: Verify) -> PoolManager:
    options: dict[str, Any] = {"maxsize": POOL_CONNECTIONS, "retries": False}
    if origin.startswith("https:"):
        context = trust_context(verify)
        if context is None:
            options["cert_reqs"] = "CERT_NONE"
        else:
            options["ssl_context"] = context
    proxies = environment_proxies(origin)
    proxy = proxies.get(urlsplit(origin).scheme) or proxies.get("all")
    if proxy:
        proxy = proxy if "://" in proxy else f"http://{proxy}"
        manager: PoolManager = ProxyManager(proxy, proxy_headers=_proxy_headers(proxy), **options)
    else:
        manager = PoolManager(**options)
    manager.pool_classes_by_scheme = WATCHED_POOL_CLASSES
    return manager


class SharedSession:
    """A pooled session, used through ``use()`` so that its idle connections can be dropped safely."""

    def __init__(self, session: PoolManager, clock: Callable[[], float]) -> None:
        self.session = session
        self._clock = clock
        self._lock = threading.Lock()
        self._active = 0
        self._last_used = clock()

    @contextlib.contextmanager
    def use(self) -> Iterator[PoolManager]:
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
        self.session.clear()  # the manager stays usable: its pools are made again on demand

    def close(self) -> None:
        self.session.clear()


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
