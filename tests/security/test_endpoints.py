"""Attacks on where the provider sends requests: registry entries, resource properties, the transport.

Real sockets throughout: the outsider is a recording HTTP server on 127.0.0.x that counts every connection
it accepts, so "nothing reached it" is observed, not assumed. The registry checks run without
``CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS`` unless a test says otherwise.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest
from cbprovider.secrets.sharing import sharing_tags

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cloudbasic/admin-AbCdEf"


class Recorder:
    """A TCP listener on 127.0.0.x that records every connection and its first bytes, answering 200."""

    def __init__(self, host: str = "127.0.0.2") -> None:
        self.sock = socket.create_server((host, 0))
        self.host, self.port = self.sock.getsockname()[:2]
        self.received: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    data = conn.recv(65536)
                except OSError:
                    data = b""
                self.received.append(data)
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
                )

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder()
    try:
        yield rec
    finally:
        rec.close()


@pytest.fixture
def no_local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS", raising=False)


# -- registry entries: where a URL may point ---------------------------------------------------------------
REFUSED = [
    ("http://127.0.0.1:8082", "loopback"),
    ("https://127.0.0.1", "loopback"),
    ("https://localhost", "loopback"),
    ("https://2130706433", "loopback"),  # 127.0.0.1 as one decimal number
    ("https://0177.0.0.1", "loopback"),  # octal
    ("https://0x7f.1", "loopback"),  # hexadecimal, two parts
    ("https://127.1", "loopback"),
    ("https://[::1]", "loopback"),
    ("https://[::ffff:127.0.0.1]", "loopback"),  # IPv4-mapped IPv6
    ("https://[::ffff:a9fe:a9fe]", "metadata"),  # 169.254.169.254 mapped
    ("https://169.254.169.254", "metadata"),
    ("https://2852039166", "metadata"),  # 169.254.169.254 in decimal
    ("https://[fd00:ec2::254]", "metadata"),
    ("https://100.100.100.200", "metadata"),
    ("https://169.254.10.1", "link-local"),
    ("https://[fe80::1]", "link-local"),
    ("https://0.0.0.0", "unspecified"),
    ("https://0", "unspecified"),
    ("https://224.0.0.1", "multicast"),
    ("https://[64:ff9b::7f00:1]", "loopback"),  # NAT64 of 127.0.0.1
    ("https://user:pw@10.0.1.10", "user info"),
    ("https://10.0.1.10@evil.example", "user info"),
    ("https://10.0.1.10/?x=1", "query"),
    ("https://10.0.1.10#frag", "fragment"),
    ("https://10.0.1.10/api", "path"),
    ("https://10.0.1.10:99999", "port"),
    ("ftp://10.0.1.10", "https"),
    ("http://10.0.1.10:82", "https"),  # plain http without AllowPlaintextHttp
]


@pytest.mark.parametrize(("url", "why"), REFUSED)
def test_a_registry_url_that_points_inward_or_carries_extras_is_refused(
    no_local: None, url: str, why: str
) -> None:
    from cbprovider.endpoints import AddressRefused, check_url

    with pytest.raises(AddressRefused) as refused:
        check_url(url, allow_plaintext_http=False)
    assert why in str(refused.value) or why in ("user info", "query", "fragment")


@pytest.mark.parametrize(
    "answer", [["127.0.0.1"], ["203.0.113.10", "169.254.169.254"], ["::1"], ["fd00:ec2::254"]]
)
def test_a_name_is_refused_if_any_address_it_resolves_to_is(no_local: None, answer: list[str]) -> None:
    from cbprovider.endpoints import AddressRefused, check_url

    with pytest.raises(AddressRefused, match="address"):
        check_url("https://appliance.example.com", allow_plaintext_http=False, resolver=lambda h, p: answer)


def test_a_name_that_does_not_resolve_is_refused(no_local: None) -> None:
    from cbprovider.endpoints import AddressRefused, check_url

    with pytest.raises(AddressRefused, match="does not resolve"):
        check_url("https://no-such-host.invalid", allow_plaintext_http=False)


@pytest.mark.parametrize(
    "url", ["https://10.0.1.10:4432", "https://appliance.example.com", "https://[2001:db8::10]:4432"]
)
def test_private_and_public_appliances_are_accepted(no_local: None, url: str) -> None:
    from cbprovider.endpoints import check_url

    origin = check_url(url, allow_plaintext_http=False, resolver=lambda h, p: ["10.0.1.10"])
    assert origin.scheme == "https"


def test_plain_http_is_accepted_only_where_the_entry_allows_it(no_local: None) -> None:
    from cbprovider.endpoints import check_url

    assert str(check_url("http://10.0.1.10:82", allow_plaintext_http=True)) == "http://10.0.1.10:82"


def test_the_local_flag_admits_127_0_0_1_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from cbprovider.endpoints import AddressRefused, check_url

    monkeypatch.setenv("CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS", "true")
    assert check_url("http://127.0.0.1:8082", allow_plaintext_http=False).port == 8082
    for url in (
        "http://127.0.0.2:8082",
        "https://[::1]",
        "http://169.254.169.254",
        "https://10.0.1.10@127.0.0.1",
    ):
        with pytest.raises(AddressRefused):
            check_url(url, allow_plaintext_http=False)


@pytest.mark.parametrize(
    ("url", "plaintext"),
    [("http://127.0.0.1:8082", True), ("https://2130706433", False), ("https://169.254.169.254", False)],
)
def test_registry_entries_pointing_inward_are_refused_when_read(
    no_local: None, url: str, plaintext: bool
) -> None:
    from cbprovider.endpoints import EndpointInvalid, cloudbasic_endpoint

    from simulators.stack import local_aws, register_endpoint

    with local_aws():
        import os

        os.environ.pop("CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS", None)
        register_endpoint(
            "cloudbasic", "inward", url, credentials_secret_arn=ARN, AllowPlaintextHttp=plaintext
        )
        with pytest.raises(EndpointInvalid, match=r"cloudbasic endpoint 'inward': Url: address"):
            cloudbasic_endpoint("inward")


# -- resources cannot choose where the provider calls ----------------------------------------------------
def _user_props(world_sm: object, **extra: str) -> dict[str, str]:
    arn = world_sm.create_secret(Name="user/pw", SecretString="Passw0rd!", Tags=sharing_tags())["ARN"]  # type: ignore[attr-defined]
    return {
        "Email": "eve@example.com",
        "UserName": "eve",
        "FirstName": "Eve",
        "LastName": "Outsider",
        "PasswordSecretArn": arn,
        **extra,
    }


@pytest.mark.parametrize(
    ("function", "resource_type", "extra"),
    [
        ("cloudbasic_provider", "Custom::CloudBasicUser", "ApiUrl"),
        ("cloudbasic_provider", "Custom::CloudBasicUser", "CredentialsSecretArn"),
        ("capella_provider", "Custom::CapellaProject", "ApiUrl"),
    ],
)
def test_a_resource_naming_its_own_url_gets_one_failed_and_nothing_reaches_the_outsider(
    recorder: Recorder, cfn_receiver: object, function: str, resource_type: str, extra: str
) -> None:
    from simulators.stack import LocalStack, load_handler, local_aws, register_endpoint

    with local_aws() as boto3:
        sm = boto3.client("secretsmanager")
        keys = sm.create_secret(
            Name="operator/keys", SecretString=json.dumps({"AccessKeyId": "AK", "SecretAccessKey": "SK"})
        )["ARN"]
        register_endpoint("cloudbasic", "default", "https://10.255.255.1", credentials_secret_arn=keys)
        register_endpoint("capella", "default", "https://10.255.255.1", credentials_secret_arn=keys)
        value = recorder.url if extra == "ApiUrl" else keys
        props = (
            _user_props(sm, **{extra: value})
            if resource_type == "Custom::CloudBasicUser"
            else {"Name": "stolen", extra: value}
        )
        stack = LocalStack(load_handler(function), cfn_receiver)  # type: ignore[arg-type]
        outcome = stack.send("Create", resource_type, "Attack", props, context_seconds=10)
    assert outcome.status == "FAILED"
    assert f"{extra}: no longer a property; name a registered endpoint with Endpoint" in outcome.reason
    assert recorder.received == []


def test_an_unknown_endpoint_name_fails_naming_it(recorder: Recorder, cfn_receiver: object) -> None:
    from simulators.stack import LocalStack, load_handler, local_aws

    with local_aws() as boto3:
        sm = boto3.client("secretsmanager")
        stack = LocalStack(load_handler("cloudbasic_provider"), cfn_receiver)  # type: ignore[arg-type]
        outcome = stack.send(
            "Create", "Custom::CloudBasicUser", "U", _user_props(sm, Endpoint="elsewhere"), context_seconds=10
        )
    assert outcome.status == "FAILED"
    assert "[UnknownEndpoint]" in outcome.reason
    assert "'elsewhere'" in outcome.reason
    assert recorder.received == []


# -- the transport is bound to its endpoint --------------------------------------------------------------
@pytest.fixture
def second_recorder() -> Iterator[Recorder]:
    rec = Recorder("127.0.0.3")
    try:
        yield rec
    finally:
        rec.close()


def test_a_transport_bound_to_one_endpoint_sends_nothing_elsewhere(
    recorder: Recorder, second_recorder: Recorder
) -> None:
    from cbprovider.http_message import PreparedRequest, Request
    from cbprovider.transport import Transport, WrongOrigin

    class Signer:
        calls = 0

        def __call__(self, r: PreparedRequest) -> PreparedRequest:
            Signer.calls += 1
            r.headers["Authorization"] = "signed"
            return r

    transport = Transport(service="test", origin=recorder.url)
    other_port = socket.create_server(("127.0.0.2", 0))
    elsewhere = [
        second_recorder.url,  # another host
        f"http://127.0.0.2:{other_port.getsockname()[1]}",  # another port
        f"https://127.0.0.2:{recorder.port}",  # another scheme
        f"http://127.0.0.2:{recorder.port}@127.0.0.3:{second_recorder.port}",  # user-info trick
    ]
    try:
        for url in elsewhere:
            with pytest.raises(WrongOrigin):
                transport.send(Request("POST", url + "/api/x", body=b"secret", auth=Signer()), operation="X")
        assert Signer.calls == 0
        assert second_recorder.received == []
        assert recorder.received == []
        response = transport.send(Request("GET", recorder.url + "/ok", auth=Signer()), operation="Ok")
        assert response.status_code == 200
        assert len(recorder.received) == 1
    finally:
        other_port.close()
        transport.close()


def test_a_redirect_to_another_host_is_not_followed(second_recorder: Recorder) -> None:
    from cbprovider.http_message import Request
    from cbprovider.transport import Transport

    redirect = socket.create_server(("127.0.0.2", 0))
    host, port = redirect.getsockname()[:2]

    def answer() -> None:
        conn, _ = redirect.accept()
        with conn:
            conn.recv(65536)
            location = f"{second_recorder.url}/steal".encode()
            conn.sendall(
                b"HTTP/1.1 307 Temporary Redirect\r\nLocation: " + location + b"\r\nContent-Length: 0\r\n\r\n"
            )

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    transport = Transport(service="test", origin=f"http://{host}:{port}")
    try:
        response = transport.send(Request("POST", f"http://{host}:{port}/api/x", body=b"k"), operation="X")
    finally:
        transport.close()
        redirect.close()
    assert response.status_code == 307
    assert second_recorder.received == []
