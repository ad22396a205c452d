"""Capella Management API v3 request signing (the HMAC bearer token).

``Authorization: Bearer <accessKey>:<base64(HMAC-SHA256(secretKey, METHOD\\nTARGET\\nTIMESTAMP_MS))>`` and
``Couchbase-Timestamp: <TIMESTAMP_MS>`` carrying the same epoch-millisecond value. TARGET is the path plus
``?query`` exactly as it goes on the wire (no scheme, no host, no ``/public`` prefix).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable

from cbprovider.http_message import PreparedRequest


def epoch_millis() -> int:
    """The wall clock in whole milliseconds since the Unix epoch (what Capella expects, never seconds)."""
    return time.time_ns() // 1_000_000


def sign(secret_key: str, method: str, target: str, timestamp_ms: int | str) -> str:
    """The Base64 HMAC-SHA256 of ``METHOD\\nTARGET\\nTIMESTAMP`` (no trailing newline)."""
    message = f"{method.upper()}\n{target}\n{timestamp_ms}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class CapellaHmacAuth:
    """Signs a prepared request; applied afresh on every attempt, so each retry gets a new timestamp.

    The request-target is read from the final prepared URL (``PreparedRequest.path_url``, the query
    included), so the signature covers exactly the bytes sent. ``clock`` returns epoch
    milliseconds and exists for tests.
    """

    def __init__(self, access_key: str, secret_key: str, *, clock: Callable[[], int] = epoch_millis) -> None:
        if not access_key or not secret_key:
            raise ValueError("Capella v3 credentials need both an access key and a secret key")
        self.access_key = access_key
        self._secret_key = secret_key
        self._clock = clock

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        timestamp = str(self._clock())
        method = r.method.upper()
        signature = sign(self._secret_key, method, r.path_url, timestamp)
        r.headers["Authorization"] = f"Bearer {self.access_key}:{signature}"
        r.headers["Couchbase-Timestamp"] = timestamp
        return r

    def __repr__(self) -> str:
        return f"CapellaHmacAuth(access_key={self.access_key!r})"
