"""AWS Signature Version 4 for the CloudBasic REST API, computed by botocore's signer.

The CloudBasic server verifies standard SigV4 with its own credential scope: service ``cloudbasic``
(the index page of the docs also shows ``cbr``) and a region that is blank on servers 12.301 and later
(scope ``<date>//cloudbasic/aws4_request``) or ``us-east-1`` on older ones. We sign exactly the bytes
that go on the wire and send their real SHA-256 in ``X-Amz-Content-Sha256`` (as the vendor's PowerShell
sample does) rather than the empty-body hash the vendor's node sample hard-codes.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping
from urllib.parse import urlsplit

import msgspec
from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from cbprovider.http_message import PreparedRequest

SERVICES = ("cloudbasic", "cbr")
DEFAULT_PORTS = {"http": 80, "https": 443}
_SIGNED_IF_SENT = ("Content-Type", "Content-Length")


class Signature(msgspec.Struct, frozen=True):
    """What one signing produced: the headers to send and the intermediate strings (for tests)."""

    headers: dict[str, str]
    canonical_request: str
    string_to_sign: str


class _ClockedSigV4Auth(SigV4Auth):  # type: ignore[misc]  # botocore ships no type hints
    """botocore's SigV4 with the signing time supplied by the caller instead of read from the clock.

    Every step (canonical request, string to sign, key derivation, header layout) is botocore's own.
    """

    def __init__(self, credentials: Credentials, service: str, region: str, when: datetime.datetime) -> None:
        super().__init__(credentials, service, region)
        self._when = when
        self.canonical = ""
        self.to_sign = ""

    def add_auth(self, request: AWSRequest) -> None:
        request.context["timestamp"] = self._when.strftime(SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        self.canonical = self.canonical_request(request)
        self.to_sign = self.string_to_sign(request, self.canonical)
        self._inject_signature_to_request(request, self.signature(self.to_sign, request))


def sign(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    access_key_id: str,
    secret_access_key: str,
    service: str,
    region: str,
    when: datetime.datetime,
) -> Signature:
    """Sign ``headers`` (exactly those, plus ``X-Amz-Date``) of a request at time ``when``.

    This is the primitive below :class:`CloudBasicSigV4Auth`; it does not restrict ``service`` so that
    it can be checked against AWS's published SigV4 test vectors.
    """
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
    signer = _ClockedSigV4Auth(Credentials(access_key_id, secret_access_key), service, region, when)
    signer.add_auth(request)
    out = {
        "X-Amz-Date": str(request.headers["X-Amz-Date"]),
        "Authorization": str(request.headers["Authorization"]),
    }
    return Signature(headers=out, canonical_request=signer.canonical, string_to_sign=signer.to_sign)


def host_header(url: str) -> str:
    """``host`` or ``host:port`` (the port only when it is not the scheme's default), as signed and sent."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None and parts.port != DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{parts.port}"
    return host


class CloudBasicSigV4Auth:
    """Signs every prepared request afresh with SigV4 for CloudBasic (an ``http_message.Signer``).

    Signed headers: ``content-type`` and ``content-length`` when the request carries them, ``host``
    (with the port when it is not the default), ``x-amz-content-sha256`` and ``x-amz-date``.
    """

    def __init__(
        self, access_key_id: str, secret_access_key: str, *, service: str = "cloudbasic", region: str = ""
    ) -> None:
        if service not in SERVICES:
            raise ValueError(f"CloudBasic signing service must be one of {SERVICES}, got {service!r}")
        if not access_key_id or not secret_access_key:
            raise ValueError("CloudBasic access key id and secret access key must not be empty")
        self.access_key_id = access_key_id
        self.__secret = secret_access_key
        self.service = service
        self.region = region

    def __repr__(self) -> str:
        return (
            f"CloudBasicSigV4Auth(access_key_id={self.access_key_id!r}, service={self.service!r}, "
            f"region={self.region!r})"
        )

    def now(self) -> datetime.datetime:
        """The signing time (UTC). Overridable, e.g. to exercise the server's clock-skew check."""
        return datetime.datetime.now(datetime.UTC)

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        payload = b"" if r.body is None else r.body
        url = r.url
        r.headers["Host"] = host_header(url)
        r.headers["X-Amz-Content-Sha256"] = hashlib.sha256(payload).hexdigest()
        to_sign = {name: r.headers[name] for name in ("Host", "X-Amz-Content-Sha256")}
        for name in _SIGNED_IF_SENT:
            if name in r.headers:
                to_sign[name] = r.headers[name]
        signature = sign(
            r.method,
            url,
            to_sign,
            payload,
            access_key_id=self.access_key_id,
            secret_access_key=self.__secret,
            service=self.service,
            region=self.region,
            when=self.now(),
        )
        r.headers.update(signature.headers)
        return r
