"""The v3 HMAC signer: the reference's vectors, an independent openssl computation, query strings,
and a fresh timestamp each time the signer is applied."""

from __future__ import annotations

import base64
import shutil
import subprocess

import pytest
from cbprovider.capella.rest import Params, with_query
from cbprovider.capella.signing import CapellaHmacAuth, epoch_millis, sign
from cbprovider.http_message import PreparedRequest, Request, json_request

SECRET = "example-secret"

# §3.4 of the Capella reference (key "example-secret").
VECTORS = [
    ("GET", "/v2/clouds", 1614622252260, "6nQNwqLWJT+WhlDIAPv3DFuzQqXlN3SFc5MFEjWJLMI="),
    ("GET", "/v3/clusters?page=2&perPage=50", 1700000000000, "23h3HsXVSNyOduRMr0cGJT3w/qt8spCkBvLFlw8LBno="),
    ("POST", "/v3/clusters", 1700000000000, "RLVPYaB96LQvuOzCWERksD5z4hkpEo2hfgv8zUVa2R0="),
    (
        "DELETE",
        "/v3/clusters/0b5b5d2c-0000-4000-8000-000000000001",
        1700000000000,
        "oz6pkk9sC+sQxkEZdIjtSYqENG/ESfal33I8qDHAAVM=",
    ),
]


def prepare(method: str, url: str, auth: CapellaHmacAuth, params: Params | None = None) -> PreparedRequest:
    return Request(method, with_query(url, params), auth=auth).prepare()


@pytest.mark.parametrize(("method", "target", "timestamp", "expected"), VECTORS)
def test_reference_vectors(method, target, timestamp, expected):
    assert sign(SECRET, method, target, timestamp) == expected


@pytest.mark.parametrize(("method", "target", "timestamp", "expected"), VECTORS)
def test_headers_from_the_prepared_url(method, target, timestamp, expected):
    auth = CapellaHmacAuth("AK123", SECRET, clock=lambda: timestamp)
    prepared = prepare(method, "https://cloudapi.cloud.couchbase.com" + target, auth)
    assert prepared.headers["Authorization"] == f"Bearer AK123:{expected}"
    assert prepared.headers["Couchbase-Timestamp"] == str(timestamp)


def test_params_are_signed_as_encoded_and_sent():
    auth = CapellaHmacAuth("AK", SECRET, clock=lambda: 1700000000000)
    prepared = prepare(
        "GET", "https://cloudapi.cloud.couchbase.com/v3/clusters", auth, params=[("page", 2), ("perPage", 50)]
    )
    assert prepared.path_url == "/v3/clusters?page=2&perPage=50"
    assert prepared.headers["Authorization"].endswith(":" + VECTORS[1][3])


def test_query_changes_the_signature_and_host_does_not():
    auth = CapellaHmacAuth("AK", SECRET, clock=lambda: 1700000000000)
    bare = prepare("GET", "https://a.example/v3/clusters", auth).headers["Authorization"]
    other_host = prepare("GET", "http://127.0.0.1:9/v3/clusters", auth).headers["Authorization"]
    with_query = prepare("GET", "https://a.example/v3/clusters?projectId=x", auth).headers["Authorization"]
    assert bare == other_host
    assert bare != with_query


def test_percent_encoded_query_is_signed_as_sent():
    auth = CapellaHmacAuth("AK", SECRET, clock=lambda: 1700000000000)
    prepared = prepare("GET", "https://a.example/v2/projects", auth, params={"sortBy": "name asc&x"})
    assert prepared.path_url == "/v2/projects?sortBy=name+asc%26x"
    expected = sign(SECRET, "GET", "/v2/projects?sortBy=name+asc%26x", 1700000000000)
    assert prepared.headers["Authorization"] == f"Bearer AK:{expected}"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
@pytest.mark.parametrize(
    ("method", "target"), [("GET", "/v2/projects?page=3&perPage=7"), ("PUT", "/v3/clusters/abc/meta")]
)
def test_matches_an_independent_openssl_hmac(method, target):
    timestamp = 1712345678901
    message = f"{method}\n{target}\n{timestamp}".encode()
    digest = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", "another-secret", "-binary"],
        input=message,
        capture_output=True,
        check=True,
    ).stdout
    expected = base64.b64encode(digest).decode()
    auth = CapellaHmacAuth("AK", "another-secret", clock=lambda: timestamp)
    prepared = prepare(method, "https://cloudapi.cloud.couchbase.com" + target, auth)
    assert prepared.headers["Authorization"] == f"Bearer AK:{expected}"


def test_fresh_timestamp_and_signature_each_time_it_is_applied():
    ticks = iter([1700000000000, 1700000000500, 1700000001700])
    auth = CapellaHmacAuth("AK", SECRET, clock=lambda: next(ticks))
    request = json_request("POST", "https://a.example/v3/clusters", {"a": 1}, headers={}, auth=auth)
    headers = [request.prepare().headers for _ in range(3)]
    assert [h["Couchbase-Timestamp"] for h in headers] == ["1700000000000", "1700000000500", "1700000001700"]
    assert len({h["Authorization"] for h in headers}) == 3
    for h in headers:
        expected = sign(SECRET, "POST", "/v3/clusters", h["Couchbase-Timestamp"])
        assert h["Authorization"] == f"Bearer AK:{expected}"


def test_default_clock_is_epoch_milliseconds():
    import time

    assert abs(epoch_millis() - time.time() * 1000) < 5000
    assert epoch_millis() > 10**12


def test_repr_and_errors_never_show_the_secret():
    auth = CapellaHmacAuth("AKVISIBLE", "very-secret-value")
    assert "very-secret-value" not in repr(auth)
    assert "AKVISIBLE" in repr(auth)
    with pytest.raises(ValueError, match="both"):
        CapellaHmacAuth("AK", "")
