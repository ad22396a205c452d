"""A stand-in for the presigned S3 URL to which a custom resource PUTs its CloudFormation response.

``ResponseReceiver().url_for(request_id)`` gives a URL that looks like the one CloudFormation puts in
``ResponseURL`` (a long query string with ``X-Amz-Signature``); every PUT to it is captured with the
request id taken from the path. Faults are registered under the path (``/responses/<request id>``),
e.g. ``receiver.faults.fail_times(receiver.path_for("r1"), 2)``.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from simulators.server import Request, Response, Simulator

_PREFIX = "/responses/"


@dataclass(frozen=True)
class CapturedResponse:
    """One response PUT as the receiver got it."""

    request_id: str
    body: dict[str, Any]
    """The parsed JSON body (``{}`` if it was not JSON; ``raw`` keeps the bytes)."""
    size: int
    """Size of the raw body in bytes."""
    content_type: str | None
    """The Content-Type header as sent (``None`` when absent)."""
    raw: bytes


class ResponseReceiver(Simulator):
    """Captures the SUCCESS/FAILED documents that custom-resource providers PUT."""

    name = "cfn-response-receiver"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host=host, port=port)
        self.responses: list[CapturedResponse] = []
        self._arrived = threading.Condition()

    @staticmethod
    def path_for(request_id: str) -> str:
        """The path (and fault key) of the response URL of ``request_id``."""
        return _PREFIX + request_id

    def url_for(self, request_id: str) -> str:
        """A presigned-looking response URL for ``request_id``."""
        signature = hashlib.sha256(request_id.encode()).hexdigest()
        signed_at = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        query = (
            "X-Amz-Algorithm=AWS4-HMAC-SHA256"
            f"&X-Amz-Credential=AKIAEXAMPLEEXAMPLE%2F{signed_at[:8]}%2Fus-east-1%2Fs3%2Faws4_request"
            f"&X-Amz-Date={signed_at}&X-Amz-Expires=7200&X-Amz-SignedHeaders=host"
            f"&X-Amz-Signature={signature}"
        )
        return f"{self.url}{self.path_for(request_id)}?{query}"

    def handle(self, request: Request) -> Response:
        if request.method != "PUT" or not request.path.startswith(_PREFIX):
            return Response(405, b"only PUT /responses/<request id>")
        try:
            parsed = json.loads(request.body)
        except ValueError:
            parsed = {}
        captured = CapturedResponse(
            request_id=request.path[len(_PREFIX) :],
            body=parsed if isinstance(parsed, dict) else {},
            size=len(request.body),
            content_type=request.headers.get("content-type"),
            raw=request.body,
        )
        with self._arrived:
            self.responses.append(captured)
            self._arrived.notify_all()
        return Response(200)

    def responses_for(self, request_id: str) -> list[CapturedResponse]:
        with self._arrived:
            return [r for r in self.responses if r.request_id == request_id]

    def wait_for(self, request_id: str, timeout: float = 10.0) -> CapturedResponse:
        """The first response for ``request_id``, waiting up to ``timeout`` seconds for it."""
        end = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = [r for r in self.responses if r.request_id == request_id]
                if found:
                    return found[0]
                left = end - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no response for request {request_id} within {timeout} s")
                self._arrived.wait(left)
