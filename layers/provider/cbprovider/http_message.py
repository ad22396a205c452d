"""What the transport exchanges: a request to send, the prepared (signed) form of an attempt, the answer.

``Request`` is what a client asks for; ``prepare()`` makes a fresh ``PreparedRequest`` for every attempt,
with the headers the transport always sends (``Content-Length`` as the body has it, ``Accept-Encoding:
identity``) already in place, then lets ``auth`` sign it. The URL is normalised first as urllib3 will
send it, so a signer that reads ``path_url`` (Capella's HMAC) or the URL (SigV4) covers exactly the
bytes on the wire. ``Response`` is the answer with its body already read (see ``bounded_http``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

import msgspec
from urllib3._collections import HTTPHeaderDict  # also `urllib3.HTTPHeaderDict` in 2.x, not in 1.26
from urllib3.util import parse_url

from cbprovider import __version__
from cbprovider.hidden_repr import repr_hiding

USER_AGENT = f"cbprovider/{__version__}"
_NO_LENGTH_WHEN_EMPTY = frozenset({"GET", "HEAD"})


class PreparedRequest:
    """One attempt's request as it goes on the wire: the signers add their headers to it."""

    def __init__(self, method: str, url: str, headers: HTTPHeaderDict, body: bytes | None) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body

    @property
    def path_url(self) -> str:
        """The request target: path and ``?query`` exactly as sent (``/`` for an empty path)."""
        return parse_url(self.url).request_uri


class Signer(Protocol):
    """Signs (or otherwise authenticates) a prepared request in place and returns it."""

    def __call__(self, r: PreparedRequest) -> PreparedRequest: ...


class Request(msgspec.Struct, frozen=True):
    """What to send; prepared and signed afresh by ``prepare()`` for every attempt."""

    method: str
    url: str
    headers: Mapping[str, str] = msgspec.field(default_factory=dict)
    body: bytes | None = None
    auth: Signer | None = None

    def prepare(self) -> PreparedRequest:
        method = self.method.upper()
        headers = HTTPHeaderDict({"User-Agent": USER_AGENT})
        headers.update(self.headers)
        headers["Accept-Encoding"] = "identity"
        if self.body is not None:
            headers["Content-Length"] = str(len(self.body))
        elif method not in _NO_LENGTH_WHEN_EMPTY:
            headers["Content-Length"] = "0"
        prepared = PreparedRequest(method, parse_url(self.url).url, headers, self.body)
        return self.auth(prepared) if self.auth is not None else prepared


def json_request(
    method: str, url: str, body: Any, *, headers: Mapping[str, str], auth: Signer | None
) -> Request:
    """A request whose body is ``body`` as ``json.dumps`` writes it by default (UTF-8, NaN refused)."""
    data = json.dumps(body, allow_nan=False).encode("utf-8")
    return Request(method, url, headers={"Content-Type": "application/json", **headers}, body=data, auth=auth)


class Response(msgspec.Struct, frozen=True):
    """A status, its headers (case-insensitive) and the whole body, read within the bounds."""

    status_code: int
    headers: HTTPHeaderDict
    content: bytes
    reason: str = ""
    """The status line's reason phrase (for people: nothing here depends on it)."""
    request: PreparedRequest | None = None
    """The attempt's request as it was sent (signature headers included: never log it)."""

    __repr__ = repr_hiding("request")

    def json(self) -> Any:
        """The body parsed as JSON (UTF-8, -16 or -32); ``ValueError`` when it is not JSON."""
        return json.loads(self.content)
