"""SigV4 signing: AWS's published test vectors, CloudBasic's scope, host, body hash and fresh dates."""

from __future__ import annotations

import datetime
import hashlib
import re
from pathlib import Path

import pytest
from cbprovider.cloudbasic.signing import CloudBasicSigV4Auth, host_header, sign
from cbprovider.http_message import PreparedRequest, Request

SUITE = Path(__file__).parent / "aws4_testsuite"
VECTORS = ["get-vanilla", "post-vanilla", "post-header-key-sort", "post-x-www-form-urlencoded"]
SUITE_TIME = datetime.datetime(2015, 8, 30, 12, 36, 0, tzinfo=datetime.UTC)


def _read_req(name: str) -> tuple[str, str, dict[str, str], bytes]:
    text = (SUITE / name / f"{name}.req").read_bytes().decode()
    head, _, body = text.replace("\r\n", "\n").partition("\n\n")
    request_line, *header_lines = head.split("\n")
    method, path, _ = request_line.split(" ")
    headers = dict(line.split(":", 1) for line in header_lines)
    return method, path, headers, body.encode()


@pytest.mark.parametrize("name", VECTORS)
def test_aws_sigv4_suite_vectors(name: str) -> None:
    method, path, headers, body = _read_req(name)
    headers.pop("X-Amz-Date")  # the signer sets it from the signing time
    result = sign(
        method,
        f"https://{headers['Host']}{path}",
        headers,
        body,
        access_key_id="AKIDEXAMPLE",
        secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        service="service",
        region="us-east-1",
        when=SUITE_TIME,
    )
    assert result.canonical_request == (SUITE / name / f"{name}.creq").read_text()
    assert result.string_to_sign == (SUITE / name / f"{name}.sts").read_text()
    assert result.headers["Authorization"] == (SUITE / name / f"{name}.authz").read_text()
    assert result.headers["X-Amz-Date"] == "20150830T123600Z"


def _prepare(
    auth: CloudBasicSigV4Auth, url: str, body: bytes | None = b'{"replicationId":"x"}'
) -> PreparedRequest:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    method = "POST" if body is not None else "GET"
    return Request(method, url, headers=headers, body=body, auth=auth).prepare()


def _authorization(prepared: PreparedRequest) -> dict[str, str]:
    match = re.fullmatch(
        r"AWS4-HMAC-SHA256 Credential=(?P<credential>\S+), "
        r"SignedHeaders=(?P<signed>\S+), Signature=(?P<sig>[0-9a-f]{64})",
        prepared.headers["Authorization"],
    )
    assert match, prepared.headers["Authorization"]
    return match.groupdict()


def test_blank_region_scope_and_signed_headers() -> None:
    prepared = _prepare(
        CloudBasicSigV4Auth("AKIAEXAMPLE", "secret-one"), "http://10.0.1.10:82/api/ReplicationStatus"
    )
    parts = _authorization(prepared)
    date = prepared.headers["X-Amz-Date"][:8]
    assert parts["credential"] == f"AKIAEXAMPLE/{date}//cloudbasic/aws4_request"
    assert parts["signed"] == "content-length;content-type;host;x-amz-content-sha256;x-amz-date"


def test_us_east_1_region_and_cbr_service_are_accepted() -> None:
    auth = CloudBasicSigV4Auth("AKIAEXAMPLE", "secret-one", service="cbr", region="us-east-1")
    parts = _authorization(_prepare(auth, "http://host:82/api/GetLogs"))
    assert parts["credential"].endswith("/us-east-1/cbr/aws4_request")


def test_other_services_are_rejected_by_name() -> None:
    with pytest.raises(ValueError, match="'execute-api'"):
        CloudBasicSigV4Auth("AKIAEXAMPLE", "secret-one", service="execute-api")


def test_host_carries_the_port_only_when_not_default() -> None:
    assert host_header("http://10.0.1.10:82/api/X") == "10.0.1.10:82"
    assert host_header("https://cb.example.com:443/api/X") == "cb.example.com"
    assert host_header("http://cb.example.com/api/X") == "cb.example.com"
    assert host_header("https://[::1]:4432/api/X") == "[::1]:4432"
    prepared = _prepare(CloudBasicSigV4Auth("AKIAEXAMPLE", "secret-one"), "http://127.0.0.1:8082/api/X")
    assert prepared.headers["Host"] == "127.0.0.1:8082"


def test_body_hash_is_the_real_sha256_of_the_wire_bytes() -> None:
    body = b'{"replicationId":"998acaec-9211-4dac-b90b-196fd1d17993"}'
    prepared = _prepare(CloudBasicSigV4Auth("AKIAEXAMPLE", "secret-one"), "http://h:82/api/X", body)
    assert prepared.body == body
    assert prepared.headers["X-Amz-Content-Sha256"] == hashlib.sha256(body).hexdigest()


def test_get_without_body_signs_the_empty_hash_and_no_content_headers() -> None:
    prepared = _prepare(CloudBasicSigV4Auth("AKIAEXAMPLE", "secret-one"), "http://h:82/api/X", None)
    assert prepared.headers["X-Amz-Content-Sha256"] == hashlib.sha256(b"").hexdigest()
    assert _authorization(prepared)["signed"] == "host;x-amz-content-sha256;x-amz-date"


class _SteppingClock(CloudBasicSigV4Auth):
    """Each signing one hour later than the last."""

    calls = 0

    def now(self) -> datetime.datetime:
        self.calls += 1
        return datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(hours=self.calls)


def test_every_prepare_signs_afresh_with_a_new_date() -> None:
    auth = _SteppingClock("AKIAEXAMPLE", "secret-one")
    first = _prepare(auth, "http://h:82/api/X")
    second = _prepare(auth, "http://h:82/api/X")
    assert first.headers["X-Amz-Date"] == "20260101T010000Z"
    assert second.headers["X-Amz-Date"] == "20260101T020000Z"
    assert _authorization(first)["sig"] != _authorization(second)["sig"]


def test_repr_hides_the_secret() -> None:
    auth = CloudBasicSigV4Auth("AKIAEXAMPLE", "very-secret-value")
    assert "very-secret-value" not in repr(auth)
    assert "AKIAEXAMPLE" in repr(auth)
