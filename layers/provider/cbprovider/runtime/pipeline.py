"""The way every request takes, top to bottom: checked, planned, acted, then answered or continued.

``on_request`` handles a request from CloudFormation; ``on_poll`` one scheduled poll of an operation
that outlasted the invocation that started it. Both run once per request (or poll attempt): its record
is begun after planning, before anything is acted on, and completed with the SUCCESS (``ledger``, two
writes in all); a duplicate delivery of a request whose answer is still undelivered sends the kept
answer again. The stages pass values (``Invocation``, ``Phase``, ``Request``, ``Outcome``,
``Answer``) forward and no stage calls back into an earlier one; ``finish.Finish`` is the one place
that answers, and whatever a stage raises becomes one FAILED there.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from cbprovider.deadline import Deadline
from cbprovider.runtime import acting, checks, planning
from cbprovider.runtime.finish import Finish
from cbprovider.runtime.invocation import Invocation, Services
from cbprovider.runtime.ledger import Ledger
from cbprovider.runtime.log import logger
from cbprovider.runtime.records import Duplicate
from cbprovider.runtime.redact import redact_event
from cbprovider.runtime.resource import Done, Phase
from cbprovider.runtime.response import Answer
from cbprovider.runtime.response_url import ResponseUrl
from cbprovider.runtime.typed_request import build_request

if TYPE_CHECKING:
    from cbprovider.runtime.polling import PollState


def on_request(services: Services, event: Mapping[str, Any], context: Any, url: ResponseUrl) -> None:
    """A request from CloudFormation: processed once, answered once (or handed over to a poll rule)
    to ``url``, its ResponseURL as the genuine-request checks found it."""
    inv = Invocation.of(event, context, services.timing)
    logger.info("Request received", extra={"event": redact_event(inv.event)})
    finish = Finish(services, inv, url)
    ledger = Ledger(services, inv, inv.key())
    try:
        with finish.guard() as held:
            held.answer = _request(services, finish, ledger)
    except Duplicate:
        from cbprovider.runtime import delivery

        kept = services.poller().load(delivery.answer_key(inv.event))
        if kept is not None:
            delivery.resend(services.poller(), services.sender, kept, inv.backstop_deadline)
        return
    finish.conclude(held)
    ledger.close()
    _check_scheduled(finish)


def on_poll(services: Services, poll: PollState, context: Any, url: ResponseUrl | None) -> None:
    """One scheduled poll of a long operation (``url``: its request's ResponseURL, checked again)."""
    inv = Invocation.of(poll.event, context, services.timing)
    logger.info("Poll received", extra={"attempt": poll.attempt, "physical_id": poll.physical_id})
    finish = Finish(services, inv, url, poll)
    ledger = Ledger(services, inv, inv.key(poll.attempt))
    try:
        with finish.guard() as held:
            held.answer = _poll(services, finish, ledger, poll)
    except Duplicate:
        return
    finish.conclude(held)
    ledger.close()
    _check_scheduled(finish)


def _request(services: Services, finish: Finish, ledger: Ledger) -> Answer | None:
    inv = finish.inv
    # Checked: a whole CloudFormation request, with something to do.
    checks.check_shape(inv)
    early = checks.nothing_made(inv)
    if early is not None:
        return early
    resource = services.resolve(inv.resource_type)
    finish.resolved(resource)
    early = checks.not_made_by(inv, resource)
    if early is not None:
        return early
    # Planned: the phase (a replacing Update creates) and the typed request; nothing acted on yet.
    phase = planning.phase_of(inv, resource, services.ownership)
    service_seconds = planning.service_seconds(inv, services.timing)
    request = build_request(
        inv,
        resource,
        phase,
        inv.event_id or None,
        services.ownership,
        deadline=inv.work_deadline,
        service_deadline=Deadline.after(service_seconds),
    )
    # Begun: the one write before acting (a duplicate stops here), with the object's owner checked.
    try:
        in_flight = acting.in_flight(resource, request)
    except Exception:
        ledger.begin(phase)  # a duplicate delivery stops here too, before its failure could answer
        raise
    standing = ledger.begin(phase, in_flight)
    early = checks.check_owned(inv, phase, standing)
    if early is not None:
        return early
    if in_flight is not None:
        request = msgspec.structs.replace(request, in_flight=in_flight)
    finish.working_on(request)
    # Acted: the type's operation, polled here while this invocation has time to spare.
    outcome = acting.start(resource, request)
    request, outcome = acting.wait_in_process(
        resource, request, outcome, services.timing, inv, finish.answering
    )
    finish.working_on(request)
    # Answered, or continued by a rule.
    if isinstance(outcome, Done):
        return _succeeded(finish, ledger, outcome, request.phase)
    finish.hand_over(request, outcome, service_seconds, acting.made_by_type(resource, outcome))
    return None


def _poll(services: Services, finish: Finish, ledger: Ledger, poll: PollState) -> Answer | None:
    from cbprovider.runtime.continuation import check_in_time

    inv = finish.inv
    ledger.begin("create")  # the poll attempt's record (its object was checked by the request)
    resource = services.resolve(inv.resource_type)
    finish.resolved(resource)
    check_in_time(poll, services.timing)
    phase: Phase = poll.phase  # type: ignore[assignment]  # a long operation's phase (see polling)
    request = build_request(
        inv,
        resource,
        phase,
        poll.physical_id,
        services.ownership,
        deadline=inv.work_deadline,
        service_deadline=Deadline.after(max(0.0, poll.deadline_at - time.time())),
    )
    finish.working_on(request)
    outcome = acting.poll(resource, request, poll.state)
    if isinstance(outcome, Done):
        return _succeeded(finish, ledger, outcome, phase)
    finish.poll_again(poll, outcome, acting.made_by_type(resource, outcome))
    return None


def _succeeded(finish: Finish, ledger: Ledger, outcome: Done, phase: Phase) -> Answer:
    """SUCCESS, with the object's ownership claimed (or released after a delete) and the request
    recorded as finished in one write; an API that answered with another stack's object is refused
    there (``NotOwned``), and the FAILED then knows the id (``Finish.made``)."""
    physical_id = finish.made(outcome, phase)
    ledger.complete(phase, physical_id)
    return Answer("SUCCESS", physical_id, outcome.reason or "", dict(outcome.data))


def _check_scheduled(finish: Finish) -> None:
    """End the invocation in error if its answer is kept but nothing will send it again: the on-failure
    destination then does (see ``delivery``)."""
    if finish.unscheduled:
        from cbprovider.runtime.delivery import AnswerNotScheduled

        raise AnswerNotScheduled(
            "the answer could not be delivered and its re-sending could not be scheduled"
        )
