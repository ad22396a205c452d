"""A create that was in flight when its invocation died, handed over to the type's unknown-outcome look-up.

The request's record holds the in-flight create (``ResourceType.in_flight``: the ``poll`` state that
looks the object up, made before the create call). The on-failure destination saves it as the request's
poll state and schedules the provider's poll rule, so the provider's next poll runs the look-up and
answers: SUCCESS with the object it finds (adopted and claimed like any create), or FAILED.

The rule targets only the provider function that received the request: the destination record's
function must be the request's ``ServiceToken`` (which CloudFormation confirmed), so a made-up record
cannot point a rule at another function.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from cbprovider.runtime.ids import placeholder_id, request_digest
from cbprovider.runtime.log import logger
from cbprovider.runtime.polling import Poller, PollState, state_key

LOOKUP_SECONDS = 3600 - 120
"""How long the look-up may go on (the runtime's longest ServiceTimeout less its margin)."""


def unqualified(function_arn: str) -> str:
    """``arn:aws:lambda:<region>:<account>:function:<name>`` without a version or alias."""
    parts = function_arn.split(":")
    return ":".join(parts[:7]) if len(parts) >= 7 and parts[5] == "function" else ""


def handed_over(
    poller: Poller, event: Mapping[str, Any], in_flight: Mapping[str, Any], function_arn: str
) -> bool:
    """Save ``in_flight`` as ``event``'s poll state and schedule its rule; False if it cannot be."""
    arn = unqualified(function_arn)
    if not arn or arn != unqualified(str(event.get("ServiceToken") or "")):
        logger.warning("The dead invocation's function is not the request's ServiceToken: no hand-over")
        return False
    logical_id, request_id = str(event.get("LogicalResourceId") or ""), str(event.get("RequestId") or "")
    key = state_key(request_digest(str(event.get("StackId") or ""), logical_id, request_id))
    if poller.load(key) is not None:
        logger.info("The operation was already handed over to its poll rule: it answers")
        return True
    now = time.time()
    poll = PollState(
        key=key,
        event=dict(event),
        physical_id=str(event.get("PhysicalResourceId") or "")
        or placeholder_id(logical_id or "resource", request_id),
        phase="create",
        state=dict(in_flight),
        attempt=1,
        started_at=now,
        deadline_at=now + LOOKUP_SECONDS,
    )
    if not scheduled(poller, poll, arn):
        return False
    logger.warning(
        "The create was in flight when the invocation died: its look-up answers", extra={"key": key}
    )
    return True


def scheduled(poller: Poller, poll: PollState, function_arn: str) -> bool:
    """``poll`` saved and its rule scheduled (to invoke ``function_arn``); False, with nothing left
    behind, if that cannot be done."""
    try:
        poller.save(poll)
        poller.schedule(poll.key, function_arn, poll.minutes)
    except Exception as error:
        logger.error("Could not hand the create over to its look-up", extra={"error": type(error).__name__})
        poller.remove(poll.key)
        return False
    return True
