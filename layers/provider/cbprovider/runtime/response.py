"""The response document: built within CloudFormation's 4096-byte limit and PUT exactly once.

crhelper keeps the end of a long reason, never checks the size, retries the PUT forever and ignores
the HTTP status. Here the start of the reason is kept, the whole body is size-checked, and the PUT is
retried a bounded number of times within a deadline, a non-2xx answer counting as a failure.
"""

from __future__ import annotations

import http.client
import json
import ssl
import threading
import time
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

import msgspec

from cbprovider.deadline import Deadline
from cbprovider.runtime.log import logger
from cbprovider.runtime.redact import url_without_query
from cbprovider.runtime.response_url import ResponseUrl
from cbprovider.runtime.timing import Timing

MAX_BODY = 4096
Status = Literal["SUCCESS", "FAILED"]


class Answer(msgspec.Struct, frozen=True):
    """What to tell CloudFormation (the request's own fields are added by ``build_body``)."""

    status: Status
    physical_id: str
    reason: str = ""
    data: Mapping[str, str] | None = None


def build_body(answer: Answer, event: Mapping[str, Any]) -> bytes:
    """The JSON body, under 4096 bytes: the reason is cut first (its start kept); if Data alone is too
    big the answer becomes FAILED with a reason that says so."""
    physical_id = answer.physical_id or "unknown"
    fields = {
        "StackId": event.get("StackId", ""),
        "RequestId": event.get("RequestId", ""),
        "LogicalResourceId": event.get("LogicalResourceId", ""),
        "PhysicalResourceId": physical_id,
    }
    body = _encode(answer.status, answer.reason, answer.data, fields)
    if len(body) <= MAX_BODY:
        return body
    without_reason = len(_encode(answer.status, "", answer.data, fields))
    room = MAX_BODY - without_reason - len(" ...(truncated)") - 16
    if room > 40:
        reason = _cut_to_bytes(answer.reason, room) + " ...(truncated)"
        body = _encode(answer.status, reason, answer.data, fields)
        if len(body) <= MAX_BODY:
            return body
    data_size = len(json.dumps(dict(answer.data or {})).encode())
    reason = (
        f"[ResponseTooLarge] the resource's Data is {data_size} bytes; a CloudFormation response must be "
        f"under {MAX_BODY} bytes in all"
    )
    if answer.status == "FAILED" and answer.reason:
        reason += " (original reason: " + _cut_to_bytes(answer.reason, 400) + ")"
    return _encode("FAILED", reason, None, fields)


def _encode(status: Status, reason: str, data: Mapping[str, str] | None, fields: dict[str, Any]) -> bytes:
    document = {"Status": status, "Reason": reason, **fields, "NoEcho": False, "Data": dict(data or {})}
    return json.dumps(document, separators=(",", ":")).encode()


def _cut_to_bytes(text: str, limit: int) -> str:
    """The longest start of ``text`` whose JSON encoding fits in ``limit`` bytes."""
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if len(json.dumps(text[:mid]).encode()) - 2 <= limit:
            low = mid
        else:
            high = mid - 1
    return text[:low]


class SendFailed(Exception):
    """Every attempt to PUT the response failed."""


_put_context: ssl.SSLContext | None = None
_put_context_lock = threading.Lock()


def put_context() -> ssl.SSLContext:
    """The SSL context of every response PUT, made on the first https PUT and kept by the container.

    A default context loads the system's trust roots (about 34 ms of CPU, much more at 256 MB): once per
    container, not once per request. Certificate and host name are checked as by a default context.
    """
    global _put_context
    with _put_context_lock:
        if _put_context is None:
            _put_context = ssl.create_default_context()
        return _put_context


class ResponseSender:
    """PUTs a body to the presigned URL: bounded attempts with backoff, all within a deadline.

    Only to a ``ResponseUrl``: a URL that passed the genuine-request checks (``response_url``).
    """

    def __init__(self, timing: Timing) -> None:
        self._timing = timing

    def put(self, checked: ResponseUrl, body: bytes, deadline: Deadline) -> None:
        if not isinstance(checked, ResponseUrl):  # the last line of defence: never a bare string
            logger.error("Refusing to send a response to an unchecked URL")
            raise SendFailed("the ResponseURL was not checked")
        url = checked.value
        where = url_without_query(url)
        delay = self._timing.response_base_delay
        last = "no attempt made"
        for attempt in range(1, self._timing.response_attempts + 1):
            if deadline.expired():
                break
            try:
                status = self._put_once(url, body, min(self._timing.response_timeout, deadline.remaining()))
            except (OSError, http.client.HTTPException) as error:
                last = f"{type(error).__name__}: {error}"
            else:
                if 200 <= status < 300:
                    logger.info("Response sent", extra={"response_url": where, "http_status": status})
                    return
                last = f"HTTP {status}"
            logger.warning(
                "Response PUT failed", extra={"response_url": where, "attempt": attempt, "error": last}
            )
            pause = min(delay, self._timing.response_max_delay, deadline.remaining())
            if attempt < self._timing.response_attempts and pause > 0:
                time.sleep(pause)
            delay *= 2
        logger.error("Giving up sending the response", extra={"response_url": where, "error": last})
        raise SendFailed(last)

    @staticmethod
    def _put_once(url: str, body: bytes, timeout: float) -> int:
        split = urlsplit(url)
        target = split.path + (f"?{split.query}" if split.query else "")
        connection: http.client.HTTPConnection
        if split.scheme == "https":
            connection = http.client.HTTPSConnection(split.netloc, timeout=timeout, context=put_context())
        else:
            connection = http.client.HTTPConnection(split.netloc, timeout=timeout)
        try:
            # The presigned URL is signed without a content type: send an empty one, as CloudFormation's
            # own cfn-response module does.
            connection.request(
                "PUT", target, body=body, headers={"Content-Type": "", "Content-Length": str(len(body))}
            )
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()


class OneResponse:
    """Guarantees at most one response per request, whoever (handler or backstop) sends first.

    ``url`` is the request's checked ResponseURL; ``None`` when it has none that passed the checks
    (nothing can be sent then).
    """

    def __init__(
        self, sender: ResponseSender, event: Mapping[str, Any], url: ResponseUrl | None, deadline: Deadline
    ) -> None:
        self._sender = sender
        self._event = event
        self._url = url
        self._deadline = deadline
        self._lock = threading.Lock()
        self._sent: Answer | None = None
        self._undelivered: bytes | None = None

    @property
    def undelivered(self) -> bytes | None:
        """The body of the answer whose every PUT failed (to be kept and sent again), else ``None``."""
        with self._lock:
            return self._undelivered

    @property
    def sent(self) -> Answer | None:
        with self._lock:
            return self._sent

    def send(self, answer: Answer) -> bool:
        """Send ``answer`` unless a response was already sent (or attempted); True if this call sent."""
        with self._lock:
            if self._sent is not None:
                logger.info(
                    "A response was already sent; not sending another", extra={"status": answer.status}
                )
                return False
            self._sent = answer
            url = self._url
            if url is None:
                logger.error("The request has no checked ResponseURL: no response can be sent")
                return False
            body = build_body(answer, self._event)
            logger.info(
                "Sending response",
                extra={"status": answer.status, "physical_id": answer.physical_id, "reason": answer.reason},
            )
            try:
                self._sender.put(url, body, self._deadline)
            except SendFailed:
                self._undelivered = body
                return False
            return True
