"""The API calls a handler makes, captured so that the same calls can be sent again with plain requests.

``recording(prefix)`` wraps ``requests.Session.send`` for this process while it is active and keeps
method, URL, body and content headers of every request to ``prefix`` (never the signature headers).
``replay`` sends them again over one new ``requests.Session``, each prepared and signed afresh with the
given auth object, optionally with one id swapped for another in URL and body.
"""

from __future__ import annotations

import json
import time
import uuid
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
    calls: list[SentCall],
    auth: requests.auth.AuthBase,
    *,
    swap: tuple[str, str] | None = None,
    respond_to: Any = None,
) -> Replayed:
    """Send ``calls`` again; with ``respond_to`` (a ``ResponseReceiver``), then PUT a CloudFormation
    response to it the way a plain handler would (``requests.put`` of a small JSON body)."""
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
        if respond_to is not None:
            request_id = str(uuid.uuid4())
            document = json.dumps(
                {
                    "Status": "SUCCESS",
                    "PhysicalResourceId": "bench-plain",
                    "StackId": "bench",
                    "RequestId": request_id,
                    "LogicalResourceId": "Bench",
                    "Data": {},
                }
            )
            put = requests.put(
                respond_to.url_for(request_id), data=document, headers={"Content-Type": ""}, timeout=30
            )
            statuses.append(put.status_code)
        return Replayed(time.perf_counter() - started, statuses)
