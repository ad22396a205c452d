"""AWS Signature Version 4 verification as the CloudBasic API does it, written from the SigV4 description.

Choices where the vendor is silent (assumptions C1-C6 in docs/simulators.md):

- the payload hash in the canonical request is the ``X-Amz-Content-Sha256`` header value when present
  (the vendor's node sample signs every request with the empty-body hash); only ``strict_payload_hash``
  makes the header match the body's SHA-256; without the header the body is hashed;
- at least ``host`` and ``x-amz-date`` must be signed, any superset is accepted;
- ``X-Amz-Date`` must be within ``clock_skew_seconds`` of the server clock, its date the scope date;
- the scope's service must be in ``allowed_services`` and its region in ``allowed_regions`` (blank allowed);
- every failure is a 400 ``ApiFault`` with a short reason; no secret ever appears in a message.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from simulators.cloudbasic.errors import ApiFault
from simulators.server import Request

ALGORITHM = "AWS4-HMAC-SHA256"
REQUIRED_SIGNED = ("host", "x-amz-date")


@dataclass(frozen=True)
class Policy:
    allowed_services: Collection[str]
    allowed_regions: Collection[str]
    clock_skew_seconds: float
    strict_payload_hash: bool


@dataclass(frozen=True)
class Authorization:
    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


def parse_authorization(header: str) -> Authorization:
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise ApiFault(f"unsupported authorization scheme (expected {ALGORITHM})")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            fields[name.strip()] = value.strip()
    try:
        credential, signed, signature = fields["Credential"], fields["SignedHeaders"], fields["Signature"]
    except KeyError as missing:
        raise ApiFault(f"malformed Authorization header: {missing.args[0]} is missing") from None
    scope = credential.split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise ApiFault("malformed Authorization header: bad credential scope")
    return Authorization(
        access_key_id=scope[0],
        date=scope[1],
        region=scope[2],
        service=scope[3],
        signed_headers=tuple(signed.split(";")),
        signature=signature.lower(),
    )


def _canonical_query(query: str) -> str:
    if not query:
        return ""
    pairs = [pair.partition("=") for pair in query.split("&")]
    return "&".join(f"{k}={v}" for k, _, v in sorted(pairs))


def _canonical_value(value: str) -> str:
    return " ".join(value.split())


def canonical_request(request: Request, signed_headers: tuple[str, ...], payload_hash: str) -> str:
    headers = "".join(f"{name}:{_canonical_value(request.headers[name])}\n" for name in signed_headers)
    return "\n".join(
        [
            request.method.upper(),
            request.path or "/",
            _canonical_query(request.query),
            headers,
            ";".join(signed_headers),
            payload_hash,
        ]
    )


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def signature(secret: str, auth: Authorization, amz_date: str, canonical: str) -> str:
    string_to_sign = "\n".join(
        [ALGORITHM, amz_date, auth.scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _hmac(f"AWS4{secret}".encode(), auth.date)
    for step in (auth.region, auth.service, "aws4_request"):
        key = _hmac(key, step)
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def _check_date(amz_date: str, auth: Authorization, policy: Policy, now: datetime) -> None:
    try:
        sent = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise ApiFault("X-Amz-Date must look like 20171115T202130Z") from None
    if amz_date[:8] != auth.date:
        raise ApiFault("the credential scope date does not match X-Amz-Date")
    if abs((now - sent).total_seconds()) > policy.clock_skew_seconds:
        raise ApiFault("request date outside the allowed clock skew")


def verify(
    request: Request,
    secret_for: Callable[[str], str | None],
    policy: Policy,
    *,
    now: datetime | None = None,
) -> str:
    """Check the request's SigV4 signature; return the access key id that signed it."""
    header = request.headers.get("authorization")
    if not header:
        raise ApiFault("missing Authorization header (requests must be signed with AWS Signature Version 4)")
    auth = parse_authorization(header)
    if auth.service not in policy.allowed_services:
        allowed = ", ".join(sorted(policy.allowed_services))
        raise ApiFault(f"credential scope service '{auth.service}' is not accepted (use one of: {allowed})")
    if auth.region not in policy.allowed_regions:
        allowed = ", ".join(repr(r) for r in sorted(policy.allowed_regions))
        raise ApiFault(f"credential scope region '{auth.region}' is not accepted (use one of: {allowed})")
    for name in REQUIRED_SIGNED:
        if name not in auth.signed_headers:
            raise ApiFault(f"the {name} header must be signed")
    for name in auth.signed_headers:
        if name not in request.headers:
            raise ApiFault(f"signed header {name} is not in the request")
    amz_date = request.headers.get("x-amz-date", "")
    _check_date(amz_date, auth, policy, now or datetime.now(UTC))
    secret = secret_for(auth.access_key_id)
    if secret is None:
        raise ApiFault("unknown access key")
    body_hash = hashlib.sha256(request.body).hexdigest()
    payload_hash = request.headers.get("x-amz-content-sha256", body_hash).strip()
    if policy.strict_payload_hash and payload_hash.lower() != body_hash:
        raise ApiFault("X-Amz-Content-Sha256 does not match the request body")
    canonical = canonical_request(request, auth.signed_headers, payload_hash)
    expected = signature(secret, auth, amz_date, canonical)
    if not hmac.compare_digest(expected, auth.signature):
        raise ApiFault("invalid signature")
    return auth.access_key_id
