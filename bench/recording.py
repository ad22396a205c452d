"""The API calls a handler makes, captured so that the same calls can be sent again with plain urllib3.

``recording(prefix)`` wraps ``cbprovider.transport.Transport.send`` for this process while it is active
and keeps method, URL, body and content headers of every request to ``prefix`` (never the signature
headers). ``replay`` sends them again over one new ``urllib3.PoolManager``, each prepared and signed
afresh with the given signer, optionally with one id swapped for another in URL and body.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import urllib3
from cbprovider import transport
from cbprovider.http_message import Request, Response, Signer

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
    original = transport.Transport.send
    sent: list[SentCall] = []

    def send(self: transport.Transport, request: Request, **kwargs: Any) -> Response:
        if request.url.startswith(prefix):
            headers = {k: v for k, v in request.headers.items() if k.lower() in CONTENT_HEADERS}
            sent.append(SentCall(request.method, request.url, request.body, headers))
        return original(self, request, **kwargs)

    setattr(transport.Transport, "send", send)  # noqa: B010  # a method replaced for this block only
    try:
        yield sent
    finally:
        setattr(transport.Transport, "send", original)  # noqa: B010


def replay(
    calls: list[SentCall],
    auth: Signer,
    *,
    swap: tuple[str, str] | None = None,
    respond_to: Any = None,
) -> Replayed:
    """Send ``calls`` again; with ``respond_to`` (a ``ResponseReceiver``), then PUT a CloudFormation
    response to it the way a plain handler would (a PUT of a small JSON body)."""
    statuses: list[int] = []
    with urllib3.PoolManager() as session:
        started = time.perf_counter()
        for call in calls:
            url, body = call.url, call.body
            if swap is not None:
                url = url.replace(*swap)
                body = body.replace(swap[0].encode(), swap[1].encode()) if body is not None else None
            prepared = Request(call.method, url, headers=call.headers, body=body, auth=auth).prepare()
            response = session.request(
                prepared.method,
                prepared.url,
                body=prepared.body,
                headers=prepared.headers,
                timeout=30,
                retries=False,
                redirect=False,
            )
            statuses.append(response.status)
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
            put = session.request(
                "PUT",
                respond_to.url_for(request_id),
                body=document.encode(),
                headers={"Content-Type": ""},
                timeout=30,
                retries=False,
            )
            statuses.append(put.status)
        return Replayed(time.perf_counter() - started, statuses)
