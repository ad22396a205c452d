"""What a failed request had already made: reported so the rollback removes it, or removed here.

A FAILED Create reports the object it made (never a placeholder when one exists), so CloudFormation's
rollback Delete removes it; that Delete acts only on an object recorded for the stack resource, so the
object is claimed first (its claim is otherwise part of the SUCCESS write, ``ledger``). If it cannot be
claimed because the state table fails, the object is this stack's by construction (this request made
it): it is deleted here, within the deadline, and the reason says so. An object another stack owns
(an API that answered with someone else's id) is never reported nor touched.

A failed replacing Update reports the event's (old) id, so the new object it made is removed here
(``replacement``).

Never raises: the answer must go out whatever happens here (this may run in the backstop).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from cbprovider.deadline import Deadline
from cbprovider.runtime.ids import is_placeholder
from cbprovider.runtime.invocation import Invocation, Services
from cbprovider.runtime.log import logger
from cbprovider.runtime.ownership import NotOwned
from cbprovider.runtime.planning import build_request
from cbprovider.runtime.polling import PollState
from cbprovider.runtime.reasons import reason_for
from cbprovider.runtime.replacement import remove_new_object, with_suffix, without_new_objects
from cbprovider.runtime.resource import Request, ResourceType
from cbprovider.runtime.response import Answer
from cbprovider.runtime.scrub import scrubbed_traceback


def settled(
    answer: Answer,
    services: Services,
    inv: Invocation,
    resource: ResourceType[Any] | None,
    request: Request[Any] | None,
    poll: PollState | None,
    deadline: Deadline,
) -> Answer:
    """``answer`` (FAILED) after looking after what its request made (see the module docstring)."""
    phase = poll.phase if poll is not None else getattr(request, "phase", None)
    if phase != "create":
        return answer
    if resource is None:
        logger.error("The resource type is unknown: the new object of a failed request is not looked after")
        return answer
    try:
        if inv.event.get("RequestType") == "Create":
            return _claimed_or_removed(answer, services, inv, resource, deadline)
        return _without_new_objects(answer, services, inv, resource, request, poll, deadline)
    except Exception as error:
        logger.error(
            "Could not look after the new object of a failed request",
            extra={"traceback": scrubbed_traceback(error)},
        )
        return answer


def _claimed_or_removed(
    answer: Answer, services: Services, inv: Invocation, resource: ResourceType[Any], deadline: Deadline
) -> Answer:
    made = answer.physical_id
    if is_placeholder(made) or not resource.owns_physical_id(made):
        return answer
    try:
        services.ownership.claim(inv.ref(made), inv.owner)
    except NotOwned:
        logger.warning("The object the API answered with is another stack's: not reported")
        return dataclasses.replace(answer, physical_id=inv.placeholder())
    except Exception as error:
        logger.error("The new object cannot be recorded: removing it", extra={"error": type(error).__name__})
        why = reason_for(error, request_id=inv.request_id)
        reason = with_suffix(answer.reason, f"; the state table could not record the new {made} ({why})")
        removal = build_request(
            inv, resource, "delete", made, services.ownership, deadline=deadline, service_deadline=deadline
        )
        suffix = remove_new_object(resource, removal, inv.request_id)
        return dataclasses.replace(answer, reason=with_suffix(reason, suffix))
    return answer


def _without_new_objects(
    answer: Answer,
    services: Services,
    inv: Invocation,
    resource: ResourceType[Any],
    request: Request[Any] | None,
    poll: PollState | None,
    deadline: Deadline,
) -> Answer:
    ownership = services.ownership
    noted = request.noted_physical_id if request is not None else None

    def is_ours(new_id: str) -> bool:
        standing = ownership.standing(inv.ref(new_id), inv.owner)
        # A noted object is this request's own unless someone else's record names it.
        return standing == "ours" or (standing == "unrecorded" and new_id == noted)

    return without_new_objects(
        answer,
        resource,
        event_id=inv.event_id,
        candidates=[noted, poll.physical_id if poll is not None else None],
        is_ours=is_ours,
        removal=lambda new_id: build_request(
            inv, resource, "delete", new_id, ownership, deadline=deadline, service_deadline=deadline
        ),
        request_id=inv.request_id,
    )
