"""The API calls a handler makes, captured so that the same calls can be sent again with plain requests.

``recording(prefix)`` wraps ``requests.Session.send`` for this process while it is active and keeps
method, URL, body and content headers of every request to ``prefix`` (never the signature headers).
``replay`` sends them again over one new ``requests.Session``, each prepared and signed afresh with the
given auth object, optionally with one id swapped for another in URL and body.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests

CONTENT_HEADERS = ("content-type", "accept")


@dataclass(frozen=True)
class SentCall:
    method: str
    url: str
    body: bytes | None
    headers: dict[str, str]


@dataclass(frozen=True)
class Replayed:
    seconds: float
    statuses: list[int]


@contextmanager
def recording(prefix: str) -> Iterator[list[SentCall]]:
    original = requests.Session.send
    sent: list[SentCall] = []

    def send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = request.url or ""
        if url.startswith(prefix):
            body = request.body.encode() if isinstance(request.body, str) else request.body
            headers = {k: v for k, v in request.headers.items() if k.lower() in CONTENT_HEADERS}
            sent.append(SentCall(request.method or "GET", url, body, headers))
        return original(self, request, **kwargs)

    setattr(requests.Session, "send", send)  # noqa: B010  # a method replaced for this block only
    try:
        yield sent
    finally:
        setattr(requests.Session, "send", original)  # noqa: B010


def replay(
    calls: list[SentCall], auth: requests.auth.AuthBase, *, swap: tuple[str, str] | None = None
) -> Replayed:
    statuses: list[int] = []
    with requests.Session() as session:
        started = time.perf_counter()
        for call in calls:
            url, body = call.url, call.body
            if swap is not None:
                url = url.replace(*swap)
                body = body.replace(swap[0].encode(), swap[1].encode()) if body is not None else None
            request = requests.Request(call.method, url, data=body, headers=call.headers, auth=auth)
            response = session.send(session.prepare_request(request), timeout=30, allow_redirects=False)
            statuses.append(response.status_code)
        return Replayed(time.perf_counter() - started, statuses)
