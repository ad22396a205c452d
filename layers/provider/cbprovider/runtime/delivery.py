"""Answers that could not be delivered: kept, and sent again until CloudFormation has them.

A request is finished only when its response reached the ResponseURL (HTTP 2xx). When every PUT of an
invocation fails (the URL's host answers 5xx, connections drop), the exact body is kept in the state
table with the URL, and a rule (the poll mechanism's, ``rate(1 minute)``) invokes the function to send
it again; a duplicate delivery of the request sends it at once. Re-sending ends when a PUT succeeds or
when the presigned URL has expired (CloudFormation's URLs are valid for two hours): nothing then can
reach CloudFormation, and the state and rule are removed. When the rule cannot be made either
(EventBridge failing), the invocation ends in error (``AnswerNotScheduled``) so that the on-failure
destination (``crash``) sends the kept answer, schedules the rule again, or fails in turn so that
Lambda retries it.

The kept item holds only the response's own fields (the body, the URL, the request's ids): never the
resource's properties.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cbprovider.deadline import Deadline
from cbprovider.errors import ProviderError
from cbprovider.runtime.ids import request_digest
from cbprovider.runtime.log import logger
from cbprovider.runtime.polling import Poller, PollState, state_key
from cbprovider.runtime.response import ResponseSender, SendFailed
from cbprovider.runtime.response_url import ResponseUrl

PHASE = "answer"
"""The ``PollState.phase`` of a kept answer (a long operation's phases are create/update/delete)."""
URL_LIFETIME = 2 * 3600
"""How long a presigned ResponseURL is valid when the URL does not say (CloudFormation uses 2 hours)."""


class AnswerNotScheduled(ProviderError):
    """An undelivered answer is kept, but nothing is scheduled to send it again."""


def answer_key(event: Mapping[str, Any]) -> str:
    """The state key of ``event``'s kept answer (apart from its long operation's poll state)."""
    digest = request_digest(
        str(event.get("StackId", "")),
        str(event.get("LogicalResourceId", "")),
        f"{event.get('RequestId')}#answer",
    )
    return state_key(digest)


def url_expiry(url: str, *, now: float) -> float:
    """Epoch seconds when the presigned ``url`` stops working (SigV4 ``X-Amz-Date``/``X-Amz-Expires``
    or SigV2 ``Expires``); ``now`` plus two hours when it says neither."""
    query = parse_qs(urlsplit(url).query)
    try:
        if "Expires" in query:
            return float(query["Expires"][0])
        if "X-Amz-Date" in query and "X-Amz-Expires" in query:
            signed = calendar.timegm(time.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ"))
            return signed + float(query["X-Amz-Expires"][0])
    except (ValueError, IndexError):
        pass
    return now + URL_LIFETIME


def keep(poller: Poller, event: Mapping[str, Any], body: bytes, function_arn: str) -> bool:
    """Keep ``body`` for ``event``'s ResponseURL and schedule its re-sending; False if either failed
    (never raises: the invocation then ends in error, so the on-failure destination sends it)."""
    url = str(event.get("ResponseURL") or "")
    now = time.time()
    kept = PollState(
        key=answer_key(event),
        event={
            name: event.get(name)
            for name in ("ResponseURL", "StackId", "RequestId", "LogicalResourceId", "ResourceType")
        },
        physical_id="",
        phase=PHASE,
        state={"body": body.decode()},
        attempt=1,
        started_at=now,
        deadline_at=url_expiry(url, now=now),
    )
    try:
        poller.save(kept)
        poller.schedule(kept.key, function_arn, 1)
    except Exception as error:
        logger.error(
            "The undelivered answer could not be kept for re-sending", extra={"error": type(error).__name__}
        )
        return False
    logger.warning("The answer is kept and will be sent again", extra={"key": kept.key})
    return True


def resend(poller: Poller, sender: ResponseSender, kept: PollState, deadline: Deadline) -> bool:
    """Send a kept answer again; True once it is delivered (or can never be), when it is removed."""
    if time.time() >= kept.deadline_at:
        logger.error(
            "The ResponseURL has expired: the kept answer cannot be delivered", extra={"key": kept.key}
        )
        poller.remove(kept.key)
        return True
    url = ResponseUrl.stored(kept.event)  # read back from the state table: checked again
    try:
        if url is None:
            raise SendFailed("the kept ResponseURL did not pass the checks")
        sender.put(url, str(kept.state["body"]).encode(), deadline)
    except SendFailed:
        logger.warning("The kept answer is still undelivered; trying again later", extra={"key": kept.key})
        return False
    poller.remove(kept.key)
    return True
