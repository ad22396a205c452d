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

from typing import Any

import msgspec

from cbprovider.deadline import Deadline
from cbprovider.errors import ProviderError
from cbprovider.runtime.ids import is_placeholder
from cbprovider.runtime.invocation import Invocation, Services
from cbprovider.runtime.log import logger
from cbprovider.runtime.ownership import NotOwned
from cbprovider.runtime.polling import PollState
from cbprovider.runtime.reasons import reason_for
from cbprovider.runtime.replacement import new_object_ids, remove_new_object, with_suffix
from cbprovider.runtime.resource import Request, ResourceType
from cbprovider.runtime.response import Answer
from cbprovider.runtime.scrub import scrubbed_traceback
from cbprovider.runtime.typed_request import build_request


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
        return msgspec.structs.replace(answer, physical_id=inv.placeholder())
    except Exception as error:
        logger.error("The new object cannot be recorded: removing it", extra={"error": type(error).__name__})
        why = reason_for(error, request_id=inv.request_id)
        reason = with_suffix(answer.reason, f"; the state table could not record the new {made} ({why})")
        removal = build_request(
            inv, resource, "delete", made, services.ownership, deadline=deadline, service_deadline=deadline
        )
        suffix = remove_new_object(resource, removal, inv.request_id)
        return msgspec.structs.replace(answer, reason=with_suffix(reason, suffix))
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
    """``answer`` with the new objects of a failed replacing Update removed, and said so in its reason:
    only those recorded for this stack resource, each with the type's ``delete``."""
    ownership = services.ownership
    noted = request.noted_physical_id if request is not None else None
    candidates = [noted, poll.physical_id if poll is not None else None]
    new_ids = []
    for new_id in new_object_ids(resource, inv.event_id, candidates):
        standing = ownership.standing(inv.ref(new_id), inv.owner)
        # A noted object is this request's own unless someone else's record names it.
        if standing == "ours" or (standing == "unrecorded" and new_id == noted):
            new_ids.append(new_id)
    if not new_ids:
        return answer
    if not resource.removes_failed_replacement:
        logger.warning("The new object of a failed replacing update is left", extra={"physical_id": new_ids})
        return answer
    reason = answer.reason
    for new_id in new_ids:
        try:
            removal = build_request(
                inv, resource, "delete", new_id, ownership, deadline=deadline, service_deadline=deadline
            )
        except ProviderError as error:
            why = reason_for(error, request_id=inv.request_id)
            reason = with_suffix(reason, f"; could not remove the new {new_id}: {why}")
            continue
        reason = with_suffix(reason, remove_new_object(resource, removal, inv.request_id))
    return msgspec.structs.replace(answer, reason=reason)
