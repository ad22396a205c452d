"""The answered-or-continued stage: the one place that sends an answer or hands the operation over.

``Finish`` owns what must outlive the stages before it, for one invocation:

- the backstop timer: shortly before the Lambda deadline it sends FAILED if nothing was sent, unless a
  create is in flight (``Request.in_flight``, kept in the request's record) and nothing is known of its
  object: then the create is handed over to the type's look-up on a poll rule, which answers (a FAILED
  with a placeholder would orphan what the call makes a moment later);
- the one-response guard: the handler's answer and the backstop's race, and only the first goes out
  (``OneResponse`` then makes sure it is PUT at most once; an undelivered body is kept, see ``delivery``);
- the in-flight record: the request being worked on and the poll state being kept, so that a FAILED,
  whoever sends it, carries the object being made (never an empty id), a failed replacement's new
  object is removed (``replacement``), and a poll rule is never left behind.

``guard`` is the safe handler: whatever a stage run inside it raises becomes one FAILED here, and nowhere
else; ``conclude`` sends the answer. Finish is handed values (resource type, request, id made) and never
calls back into an earlier stage: the request's record is the pipeline's (``ledger``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import msgspec

from cbprovider.deadline import Deadline
from cbprovider.errors import ProviderError
from cbprovider.runtime.ids import is_placeholder
from cbprovider.runtime.invocation import Invocation, Services
from cbprovider.runtime.log import logger
from cbprovider.runtime.records import Duplicate
from cbprovider.runtime.resource import Done, InProgress, Phase, Request, ResourceType
from cbprovider.runtime.response import Answer, OneResponse
from cbprovider.runtime.response_url import ResponseUrl

if TYPE_CHECKING:
    from cbprovider.runtime.polling import PollState


class Guarded(msgspec.Struct):
    """What the stages run under ``Finish.guard`` answered: their ``Answer`` (``None``: continued by a
    rule), or the FAILED for what they raised."""

    answer: Answer | None = None


class Finish:
    """Answers one invocation's request once, or continues its operation (see the module docstring)."""

    def __init__(
        self, services: Services, inv: Invocation, url: ResponseUrl | None, poll: PollState | None = None
    ) -> None:
        self.inv = inv
        self._services = services
        self._responder = OneResponse(services.sender, inv.event, url, inv.send_deadline)
        self._lock = threading.Lock()
        self.answering = threading.Event()
        """Set once an answer is under way (or a look-up will answer): in-process polling stops."""
        self._request: Request[Any] | None = None
        self._resource: ResourceType[Any] | None = None
        """The resource type serving the request, once the pipeline has resolved it."""
        self._made: str | None = None
        """The id a create returned with Done, until its completion is recorded."""
        self.unscheduled = False
        """The answer is undelivered and nothing will send it again (``delivery.AnswerNotScheduled``)."""
        self._poll = poll
        self._looked_up = False
        """The backstop handed a create in flight over to its look-up: the poll rule answers."""

    # -- the safe handler and the backstop ----------------------------------------------------------
    @contextmanager
    def guard(self) -> Iterator[Guarded]:
        """The backstop armed around the stages (``with finish.guard() as held: held.answer = ...``);
        what they raise becomes ``held.answer``, a FAILED (a ``Duplicate`` goes on: nothing to answer)."""
        delay = max(0.0, self.inv.remaining_at_start - self._services.timing.backstop_reserve)
        timer = threading.Timer(delay, self._backstop)
        timer.daemon = True
        timer.start()
        held = Guarded()
        try:
            yield held
        except Duplicate:
            raise
        except Exception as error:
            held.answer = self.failure(error)
        finally:
            timer.cancel()

    def conclude(self, held: Guarded) -> None:
        """Send what the guarded stages answered (nothing if they continued on a rule)."""
        if held.answer is not None:
            self.answer(held.answer, self.inv.backstop_deadline)
            # A failure after the poll was (partly) set up: remove what was made.
            self._remove_poll_unless_looked_up()

    def _backstop(self) -> None:
        """The Lambda deadline is near and nothing was sent."""
        if self.answering.is_set() or self._handed_to_look_up():
            return
        logger.error("The function is about to time out: sending FAILED")
        # Half of what is left before the response must be sent goes to removing a new object.
        left = self.inv.context.get_remaining_time_in_millis() / 1000.0 - self._services.timing.send_reserve
        reason = (
            "[Timeout] the provider could not finish before its Lambda function's time limit "
            f"({int(self.inv.remaining_at_start)} s); the operation may still be going on"
        )
        self.answer(Answer("FAILED", self.failure_id(), reason), Deadline.after(max(0.0, left / 2)))
        self.remove_poll()

    def _handed_to_look_up(self) -> bool:
        """Hand a create in flight whose object is unknown over to the type's look-up (its state saved
        as the poll state, the poll rule scheduled); False if there is none or it cannot be scheduled."""
        request = self._request
        if request is None or (in_flight := request.in_flight) is None or self._poll is not None:
            return False
        if request.noted_physical_id or self._made:
            return False  # the object is known: FAILED names it and the rollback removes it
        with self._lock:
            if self.answering.is_set():
                return True
            self.answering.set()
            self._looked_up = True
        from cbprovider.runtime.continuation import looked_up

        poll = looked_up(self._services.poller(), self.inv, request, in_flight, self.failure_id())
        if poll is None:
            with self._lock:
                self.answering.clear()
                self._looked_up = False
            return False
        self._poll = poll
        return True

    def _remove_poll_unless_looked_up(self) -> None:
        if not self._looked_up:
            self.remove_poll()

    # -- the in-flight record -----------------------------------------------------------------------
    def resolved(self, resource: ResourceType[Any]) -> None:
        """The resource type serving the request (its ids decide what is claimed and removed)."""
        self._resource = resource

    def working_on(self, request: Request[Any]) -> None:
        """The request now being carried out (the ids it notes go into a FAILED)."""
        self._request = request

    def progressed(self, returned: str, phase: str, made_by_type: bool) -> str:
        """An ``InProgress`` on ``returned`` handed over to a rule: the id to go on with, claimed at
        once if it is created (``made_by_type``: an id the type makes, see ``acting.made_by_type``)."""
        physical_id = self.inv.reported_id(returned, phase)
        if phase == "create" and not is_placeholder(physical_id) and made_by_type:
            self._services.ownership.claim(self.inv.ref(physical_id), self.inv.owner)
        return physical_id

    def failure_id(self) -> str:
        """Never empty: the event's id on Update/Delete, else the object being created, else a placeholder."""
        if self.inv.event_id:
            return self.inv.event_id
        # An object noted in this invocation is newer than the last InProgress's (e.g. one just
        # adopted while the poll state still holds the placeholder of a create being verified).
        if self._request is not None and self._request.noted_physical_id:
            return self._request.noted_physical_id
        if self._made:
            return self._made
        if self._poll is not None and self._poll.physical_id:
            return self._poll.physical_id
        return self.inv.placeholder()

    # -- answered -----------------------------------------------------------------------------------
    def made(self, outcome: Done, phase: Phase) -> str:
        """The id a ``Done`` reports (never empty), kept so that a FAILED after it names the object."""
        physical_id = self.inv.reported_id(outcome.physical_id, phase)
        if not physical_id:
            raise ProviderError("the resource type returned an empty physical id")
        if phase == "create":
            self._made = physical_id
        return physical_id

    def failure(self, error: BaseException) -> Answer:
        from cbprovider.runtime.reasons import logged_reason

        return Answer("FAILED", self.failure_id(), logged_reason(error, request_id=self.inv.request_id))

    def answer(self, answer: Answer, cleanup_deadline: Deadline) -> None:
        """Send the final answer unless one is already under way (the handler's or the backstop's)."""
        with self._lock:
            if self.answering.is_set():
                logger.info(
                    "A response is already under way; not sending another", extra={"status": answer.status}
                )
                return
            self.answering.set()
        if answer.status == "FAILED":
            from cbprovider.runtime.leftovers import settled

            answer = settled(
                answer, self._services, self.inv, self._resource, self._request, self._poll, cleanup_deadline
            )
        if not self._responder.send(answer) and self._responder.undelivered is not None:
            from cbprovider.runtime.delivery import keep

            undelivered, arn = self._responder.undelivered, self.inv.context.invoked_function_arn
            self.unscheduled = not keep(self._services.poller(), self.inv.event, undelivered, arn)

    # -- continued ----------------------------------------------------------------------------------
    def hand_over(
        self, request: Request[Any], outcome: InProgress, service_seconds: float, made_by_type: bool
    ) -> None:
        """The operation outlasts this invocation: its state saved and a rule scheduled to poll it."""
        from cbprovider.runtime.continuation import check_in_time, first_poll

        physical_id = self.inv.reported_id(outcome.physical_id, request.phase)
        if not physical_id:
            raise ProviderError("the resource type returned an empty physical id")
        self.progressed(physical_id, request.phase, made_by_type)
        poll = first_poll(self.inv, request.phase, physical_id, outcome, service_seconds)
        self._poll = poll
        check_in_time(poll, self._services.timing)
        self._services.poller().save(poll)
        self._services.poller().schedule(poll.key, self.inv.context.invoked_function_arn, poll.minutes)
        if self.answering.is_set():
            # The backstop answered while the poll was being set up: nothing must be left behind.
            self._remove_poll_unless_looked_up()

    def poll_again(self, poll: PollState, outcome: InProgress, made_by_type: bool) -> None:
        """One more poll found the operation going on: its state saved, the rule's rate adjusted."""
        from cbprovider.runtime.continuation import check_in_time, next_poll

        check_in_time(poll, self._services.timing)
        physical_id = self.progressed(outcome.physical_id, poll.phase, made_by_type)
        updated = next_poll(poll, physical_id, outcome)
        self._poll = updated
        self._services.poller().save(updated)
        if updated.minutes != poll.minutes:
            self._services.poller().reschedule(updated.key, updated.minutes)
        if self.answering.is_set():
            # The backstop answered while this poll ran: nothing must be left behind.
            self.remove_poll()
        logger.info(
            "Still in progress", extra={"physical_id": updated.physical_id, "attempt": updated.attempt}
        )

    def remove_poll(self) -> None:
        """Remove the rule, target and state of the operation, if it had any."""
        if self._poll is not None:
            self._services.poller().remove(self._poll.key)
