"""The acted stage: the resource type's create, update, delete or poll, and polling in this invocation."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from cbprovider.errors import ApiError
from cbprovider.runtime.invocation import Invocation
from cbprovider.runtime.log import logger
from cbprovider.runtime.resource import Done, InProgress, Outcome, Request, ResourceType
from cbprovider.runtime.timing import Timing


def in_flight(resource: ResourceType[Any], request: Request[Any]) -> Mapping[str, Any] | None:
    """What a create keeps in the request's record before it is called (``ResourceType.in_flight``:
    the type may read its API, never change it); ``None`` for any other phase."""
    return resource.in_flight(request) if request.phase == "create" else None


def made_by_type(resource: ResourceType[Any], outcome: InProgress) -> bool:
    """Whether an ``InProgress`` names an object of the type's (not e.g. a look-up's placeholder): the
    answered stage claims it for the stack resource at once."""
    return resource.owns_physical_id(outcome.physical_id)


def start(resource: ResourceType[Any], request: Request[Any]) -> Outcome:
    """The operation of ``request.phase``."""
    operation = {"create": resource.create, "update": resource.update, "delete": resource.delete}
    return call(operation[request.phase], request)


def poll(resource: ResourceType[Any], request: Request[Any], state: Mapping[str, Any]) -> Outcome:
    """One look at an operation that was ``InProgress``."""
    return call(lambda req: resource.poll(req, dict(state)), request)


def call(operation: Callable[[Request[Any]], Any], request: Request[Any]) -> Outcome:
    """``operation(request)``, checked: a 404 from a delete counts as deleted."""
    try:
        outcome = operation(request)
    except ApiError as error:
        if request.phase == "delete" and error.status == 404:
            logger.info("Already gone", extra={"physical_id": request.physical_id})
            return Done(str(request.physical_id), reason="already deleted")
        raise
    if not isinstance(outcome, Done | InProgress):
        raise TypeError(f"{type(outcome).__name__} is neither Done nor InProgress")
    return outcome


def wait_in_process(
    resource: ResourceType[Any],
    request: Request[Any],
    outcome: Outcome,
    timing: Timing,
    inv: Invocation,
    stopped: threading.Event,
) -> tuple[Request[Any], Outcome]:
    """Poll a long operation in this invocation at short intervals while it has time to spare (until
    ``inv.work_deadline``, the request's service deadline, or ``stopped`` is set: an answer went out).

    An operation that ends a few seconds after it started is answered then, not when a rule fires
    (a minute later at best); only what outlasts this invocation is handed over to a rule. The
    request returned is the one last polled, on the object of the last ``InProgress`` (its noted ids
    are the same list as ``request``'s, so a FAILED sent meanwhile still names them).
    """
    interval = timing.inline_poll_interval
    while isinstance(outcome, InProgress) and interval > 0:
        pause = min(interval, float(outcome.retry_after))
        if inv.work_deadline.remaining() < pause + timing.inline_poll_margin:
            break
        if request.service_deadline.remaining() < pause or stopped.is_set():
            break
        physical_id = inv.reported_id(outcome.physical_id, request.phase)
        time.sleep(pause)
        # The same request (and the ids it noted) on the object of the last InProgress.
        request = msgspec.structs.replace(request, physical_id=physical_id)
        outcome = poll(resource, request, outcome.state)
    return request, outcome
