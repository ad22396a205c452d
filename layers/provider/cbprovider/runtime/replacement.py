"""Removing the new object of a replacing Update that failed.

A failed Update must report the event's (old) physical id, so CloudFormation never hears of an object
the Update had already created for its replacement, and nothing would ever delete it. The runtime
therefore calls the type's ``delete`` for that new id itself, best effort: bounded by a deadline (a
delete that does not answer in time is left running in a daemon thread and the answer goes out), its
failure logged and appended to the reason, never raised. A delete that goes on (``InProgress``: an
object still deploying, or an asynchronous removal) is polled within the same deadline, so that the
reason says the object is gone, not only that its removal was asked for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

from cbprovider.errors import ApiError
from cbprovider.runtime.ids import is_placeholder
from cbprovider.runtime.log import logger
from cbprovider.runtime.reasons import MAX_REASON, reason_for, shorten
from cbprovider.runtime.resource import Done, InProgress, Request, ResourceType

REMOVAL_POLL_SECONDS = 0.5
"""Between two looks at a removal that goes on."""
MAX_SUFFIX = 400
"""Room kept at the end of the reason for what happened to the new object."""
MAX_ID_IN_REASON = 120


def new_object_ids(resource: ResourceType[Any], event_id: str, candidates: Iterable[str | None]) -> list[str]:
    """The ids among ``candidates`` (noted or reported by ``InProgress``) that name a new object of
    ``resource``: not the event's id, not a placeholder, and an id the type makes."""
    found: list[str] = []
    for candidate in candidates:
        if not candidate or candidate == event_id or candidate in found or is_placeholder(candidate):
            continue
        if resource.owns_physical_id(candidate):
            found.append(candidate)
    return found


def remove_new_object(resource: ResourceType[Any], request: Request[Any], request_id: str) -> str:
    """Delete ``request.physical_id`` within ``request.deadline``; the text to append to the reason."""
    physical_id = str(request.physical_id)
    shown = shorten(physical_id, MAX_ID_IN_REASON)
    budget = request.deadline.remaining()
    if budget <= 0:
        logger.error("No time left to remove the new object of a failed update", extra={"physical_id": shown})
        return f"; could not remove the new {shown}: no time left before the function's time limit"
    logger.warning("Removing the new object of a failed replacing update", extra={"physical_id": shown})
    outcome: list[str] = []
    worker = threading.Thread(
        target=_delete, args=(resource, request, shown, request_id, outcome), daemon=True
    )
    worker.start()
    worker.join(budget)
    if not outcome:
        logger.error("Removing the new object did not finish in time", extra={"physical_id": shown})
        return f"; could not remove the new {shown}: its delete did not finish within {budget:.0f} s"
    logger.info("Removal of the new object", extra={"physical_id": shown, "result": outcome[0]})
    return outcome[0]


def _delete(
    resource: ResourceType[Any],
    request: Request[Any],
    shown: str,
    request_id: str,
    outcome: list[str],
) -> None:
    """Runs in the worker thread: ``delete``, polled while it goes on and time is left; its result
    appended to ``outcome`` as reason text."""
    try:
        result = resource.delete(request)
        while isinstance(result, InProgress) and request.deadline.remaining() > 2 * REMOVAL_POLL_SECONDS:
            time.sleep(REMOVAL_POLL_SECONDS)
            result = resource.poll(request, result.state)
    except ApiError as error:
        if error.status == 404:
            outcome.append(f"; the new {shown} was already gone")
        else:
            outcome.append(f"; could not remove the new {shown}: {reason_for(error, request_id=request_id)}")
    except Exception as error:  # best effort: any failure is reported, never raised
        outcome.append(f"; could not remove the new {shown}: {reason_for(error, request_id=request_id)}")
    else:
        if isinstance(result, InProgress):
            outcome.append(
                f"; asked to remove the new {shown}, whose deletion had not finished (check it is gone)"
            )
        elif isinstance(result, Done):
            outcome.append(f"; removed the new {shown}")
        else:
            outcome.append(
                f"; could not remove the new {shown}: its delete returned neither Done nor InProgress"
            )


def with_suffix(reason: str, suffix: str) -> str:
    """``reason`` (its start kept) followed by ``suffix``, together within ``MAX_REASON``."""
    tail = shorten(suffix, MAX_SUFFIX)
    return shorten(reason, MAX_REASON - len(tail)) + tail
