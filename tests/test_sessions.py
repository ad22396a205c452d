"""Sessions built once per container: shared per endpoint and trust store, TLS context loaded once,
proxies read once from the environment, no cookies carried between clients, idle connections dropped."""

from __future__ import annotations

import base64
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3
from cbprovider import sessions
from cbprovider.errors import ApiConnectionError
from cbprovider.http_message import Request
from cbprovider.sessions import IDLE_SECONDS, SessionPool, shared_sessions
from cbprovider.transport import Transport

from simulators.server import Request as ServerRequest
from simulators.server import Response, Simulator
from tests.tls import self_signed_certificate

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


class Echo(Simulator):
    """Answers 200 to anything and keeps the request targets and Cookie headers it was sent."""

    name = "echo"

    def __init__(self, *, set_cookie: bool = False) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.cookies: list[str] = []
        self._set_cookie = set_cookie

    def handle(self, request: ServerRequest) -> Response:
        self.targets.append(request.path)
        self.cookies.append(request.headers.get("cookie", ""))
        headers = {"Set-Cookie": "session=from-the-server; Path=/"} if self._set_cookie else {}
        return Response.json(200, {"ok": True}, headers)


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def echo() -> Iterator[Echo]:
    with Echo() as server:
        yield server


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls_echo(certificate: tuple[Path, Path]) -> Iterator[Echo]:
    with Echo().with_tls(*certificate) as server:
        yield server


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every loading of trust roots into an SSL context from now on (no context is cached yet)."""
    seen: list[object] = []
    original = ssl.SSLContext.load_verify_locations

    def counted(self: ssl.SSLContext, *args: object, **kwargs: object) -> None:
        seen.append(args or kwargs)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    monkeypatch.setattr(sessions, "_contexts", {})
    return seen


def get(transport: Transport, url: str) -> int:
    return transport.send(Request("GET", url), operation="Get").status_code


def test_clients_of_one_endpoint_share_a_session_and_a_closed_client_leaves_it_open(echo: Echo) -> None:
    first = Transport(service="t", origin=echo.url)
    assert get(first, echo.url + "/a") == 200
    first.close()
    second = Transport(service="t", origin=echo.url + "/")
    assert second.session is first.session
    assert get(second, echo.url + "/b") == 200
    assert echo.accepted == 1, "the second client opened a new connection"


def test_a_session_is_per_trust_store_and_origin(echo: Echo, certificate: tuple[Path, Path]) -> None:
    default = Transport(service="t", origin=echo.url)
    bundle = Transport(service="t", origin=echo.url, verify=str(certificate[0]))
    other_port = Transport(service="t", origin=echo.url.rsplit(":", 1)[0] + ":1")
    assert len({id(default.session), id(bundle.session), id(other_port.session)}) == 3
    assert bundle.origin == default.origin  # the origin binding is the transport's, session or not


def test_a_given_session_stays_the_transports_own(echo: Echo) -> None:
    own = urllib3.PoolManager()
    transport = Transport(service="t", origin=echo.url, session=own)
    assert get(transport, echo.url + "/a") == 200
    assert len(own.pools) == 1
    transport.close()
    assert len(own.pools) == 0
    assert len(shared_sessions) == 0


def test_two_https_clients_make_one_handshake_and_load_the_bundle_once(
    tls_echo: Echo, certificate: tuple[Path, Path], loads: list[object]
) -> None:
    bundle = str(certificate[0])
    for _ in range(3):
        transport = Transport(service="t", origin=tls_echo.url, verify=bundle)
        assert get(transport, tls_echo.url + "/a") == 200
        transport.close()
    assert tls_echo.accepted == 1
    assert len(loads) == 1


def test_the_bundle_is_loaded_once_even_when_connections_are_made_again(
    tls_echo: Echo, certificate: tuple[Path, Path], loads: list[object]
) -> None:
    bundle = str(certificate[0])
    transport = Transport(service="t", origin=tls_echo.url, verify=bundle)
    for _ in range(3):
        assert get(transport, tls_echo.url + "/a") == 200
        transport.session.clear()  # as after an idle pause: the next request connects again
    assert tls_echo.accepted == 3
    assert len(loads) == 1


def test_the_shared_context_still_checks_the_host_name(tls_echo: Echo, certificate: tuple[Path, Path]):
    """The certificate names IP 127.0.0.1: reached as ``localhost`` it must be refused."""
    bundle = str(certificate[0])
    trusted = Transport(service="t", origin=tls_echo.url, verify=bundle)
    assert get(trusted, tls_echo.url + "/a") == 200
    other_name = f"https://localhost:{tls_echo.port}"
    wrong = Transport(service="t", origin=other_name, verify=bundle)
    with pytest.raises(ApiConnectionError, match="TLS handshake failed"):
        get(wrong, other_name + "/a")


def test_without_the_bundle_the_certificate_is_refused(tls_echo: Echo, certificate: tuple[Path, Path]):
    assert get(Transport(service="t", origin=tls_echo.url, verify=str(certificate[0])), tls_echo.url) == 200
    with pytest.raises(ApiConnectionError, match="TLS handshake failed"):
        get(Transport(service="t", origin=tls_echo.url), tls_echo.url + "/a")


def test_a_proxy_from_the_environment_is_used(echo: Echo, monkeypatch: pytest.MonkeyPatch) -> None:
    with Echo() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        transport = Transport(service="t", origin=echo.url)
        assert get(transport, echo.url + "/through") == 200
    assert proxy.targets == ["/through"], "the request did not go through the proxy"
    assert echo.targets == []


def test_no_proxy_exempts_the_endpoint(echo: Echo, monkeypatch: pytest.MonkeyPatch) -> None:
    with Echo() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "example.com,127.0.0.1")
        transport = Transport(service="t", origin=echo.url)
        assert get(transport, echo.url + "/direct") == 200
    assert proxy.targets == []
    assert echo.targets == ["/direct"]


def test_proxy_settings_are_read_once_per_session(echo: Echo, monkeypatch: pytest.MonkeyPatch) -> None:
    transport = Transport(service="t", origin=echo.url)
    assert get(transport, echo.url + "/first") == 200
    with Echo() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)  # set after the session was made: not read again
        assert get(transport, echo.url + "/second") == 200
    assert proxy.targets == []


def test_cookies_from_one_client_never_reach_another() -> None:
    with Echo(set_cookie=True) as server:
        first = Transport(service="t", origin=server.url)
        assert get(first, server.url + "/login") == 200
        first.close()
        second = Transport(service="t", origin=server.url)
        assert get(second, server.url + "/other") == 200
    assert server.cookies == ["", ""]


def test_connections_idle_too_long_are_dropped_before_the_next_request(echo: Echo) -> None:
    now = [0.0]
    pool = SessionPool(clock=lambda: now[0])
    shared = pool.get(echo.url, True)
    for pause in (0.0, IDLE_SECONDS - 1, IDLE_SECONDS + 1, 0.0):
        now[0] += pause
        with shared.use() as session:
            assert session.request("GET", echo.url + "/a", timeout=5).status == 200
    assert echo.accepted == 2
    pool.close()


def test_the_pool_keeps_the_most_recently_used_sessions() -> None:
    pool = SessionPool(max_sessions=2)
    first = pool.get("http://127.0.0.1:1", True)
    pool.get("http://127.0.0.1:2", True)
    assert pool.get("http://127.0.0.1:1", True) is first
    pool.get("http://127.0.0.1:3", True)
    assert len(pool) == 2
    assert pool.get("http://127.0.0.1:1", True) is first
    assert pool.get("http://127.0.0.1:2", True) is not None
    pool.close()
    assert len(pool) == 0


def test_closing_by_scheme_leaves_the_other_sessions() -> None:
    pool = SessionPool()
    plain = pool.get("http://127.0.0.1:1", True)
    pool.get("https://127.0.0.1:2", True)
    pool.close(scheme="https")
    assert len(pool) == 1
    assert pool.get("http://127.0.0.1:1", True) is plain
    pool.close()


def test_plain_http_builds_no_ssl_context(echo: Echo, loads: list[object]) -> None:
    assert get(Transport(service="t", origin=echo.url), echo.url + "/a") == 200
    assert loads == []


@pytest.mark.parametrize(
    ("no_proxy", "origin", "exempt"),
    [
        ("*", "https://api.example.com", True),
        ("example.com", "https://api.example.com", True),
        (".example.com", "https://api.example.com", True),
        ("example.com", "https://notexample.com", False),
        ("10.0.0.0/8", "http://10.1.2.3:82", True),
        ("10.0.0.0/8", "http://11.1.2.3:82", False),
        ("10.1.2.3:445", "https://10.1.2.3:445", True),
        ("10.1.2.3:445", "http://10.1.2.3:82", False),
        ("", "http://10.1.2.3:82", False),
        ("[fd00::5]:8443", "https://[fd00::5]:8443", True),
        ("[fd00::5]:8443", "https://[fd00::5]:443", False),
        ("[fd00::5]", "https://[fd00::5]:8443", True),
        ("fd00::5", "https://[fd00::5]:8443", True),
        ("fd00::/8", "https://[fd00::5]", True),
        ("fd00::/8", "https://[fe80::5]", False),
        ("[::1]:80,10.0.0.0/8", "http://10.9.9.9", True),
    ],
)
def test_no_proxy_entries(monkeypatch: pytest.MonkeyPatch, no_proxy: str, origin: str, exempt: bool) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", no_proxy)
    expected = {} if exempt else {origin.split(":")[0]: "http://proxy.internal:3128"}
    assert sessions.environment_proxies(origin) == expected


def test_the_lower_case_variable_wins_and_all_proxy_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://upper:1")
    monkeypatch.setenv("https_proxy", "http://lower:1")
    monkeypatch.setenv("ALL_PROXY", "http://all:1")
    assert sessions.environment_proxies("https://a.example") == {
        "https": "http://lower:1",
        "all": "http://all:1",
    }


def test_a_proxy_with_user_info_is_sent_its_credentials(echo: Echo, monkeypatch: pytest.MonkeyPatch) -> None:
    class Recorder(Echo):
        def handle(self, request: ServerRequest) -> Response:
            self.cookies.append(request.headers.get("proxy-authorization", ""))
            return super().handle(request)

    with Recorder() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url.replace("http://", "http://user%40corp:p%3Ass@"))
        assert get(Transport(service="t", origin=echo.url), echo.url + "/through") == 200
    assert proxy.targets == ["/through"]
    assert proxy.cookies[0] == "Basic " + base64.b64encode(b"user@corp:p:ss").decode()
