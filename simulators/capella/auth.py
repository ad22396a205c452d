"""Verification of Capella v3 request signatures (written from the vendor's description, not from a client).

``Authorization: Bearer <accessKey>:<base64(HMAC-SHA256(secretKey, METHOD\\nTARGET\\nTIMESTAMP_MS))>`` with
``Couchbase-Timestamp: <TIMESTAMP_MS>``; TARGET is the path plus ``?query`` exactly as sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass, field

SECONDS_THRESHOLD = 10**11
"""Below this a timestamp is taken to be in seconds (10**11 ms is 1973; 10**11 s is the year 5138)."""


def signature(secret_key: str, method: str, target: str, timestamp_ms: str) -> str:
    """The Base64 HMAC-SHA256 signature of ``METHOD\\nTARGET\\nTIMESTAMP`` (no trailing newline)."""
    message = f"{method.upper()}\n{target}\n{timestamp_ms}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str = field(repr=False)

    @classmethod
    def generate(cls) -> Credentials:
        """A key pair shaped like the console's: 32 and 64 alphanumeric characters."""
        alphabet = string.ascii_letters + string.digits
        return cls(
            "".join(secrets.choice(alphabet) for _ in range(32)),
            "".join(secrets.choice(alphabet) for _ in range(64)),
        )


class AuthError(Exception):
    """The request is not authenticated; the message says why and never contains key material."""


def verify(
    headers: Mapping[str, str],
    method: str,
    target: str,
    credentials: Credentials,
    *,
    now_ms: int,
    window_seconds: float,
) -> None:
    """Raise ``AuthError`` unless the request is signed with ``credentials`` at an acceptable time.

    ``headers`` has lower-case names. The clock window is not documented by Couchbase; it is a parameter.
    """
    authorization = headers.get("authorization")
    raw_timestamp = headers.get("couchbase-timestamp")
    if not authorization:
        raise AuthError("missing Authorization header")
    if raw_timestamp is None:
        raise AuthError("missing Couchbase-Timestamp header")
    scheme, _, token = authorization.partition(" ")
    access_key, colon, sent_signature = token.strip().partition(":")
    if scheme.lower() != "bearer" or not colon or not access_key or not sent_signature:
        raise AuthError("Authorization header must be 'Bearer <accessKey>:<signature>'")
    timestamp = raw_timestamp.strip()
    if not timestamp.isdigit():
        raise AuthError("Couchbase-Timestamp must be the epoch time in milliseconds")
    if int(timestamp) < SECONDS_THRESHOLD:
        raise AuthError("Couchbase-Timestamp looks like seconds; it must be the epoch time in milliseconds")
    if abs(now_ms - int(timestamp)) > window_seconds * 1000:
        raise AuthError(
            f"Couchbase-Timestamp is outside the allowed window of {window_seconds:g} seconds "
            "from the server's clock"
        )
    if not hmac.compare_digest(access_key.encode(), credentials.access_key.encode()):
        raise AuthError("unknown access key")
    expected = signature(credentials.secret_key, method, target, timestamp)
    if not hmac.compare_digest(sent_signature.encode(), expected.encode()):
        raise AuthError("signature does not match the request (method, path with query, timestamp)")
