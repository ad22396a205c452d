"""One Lambda invocation: a CloudFormation request or one poll of a long operation.

``Invocation`` subclasses crhelper's ``CfnResource`` (it keeps crhelper's response fields) and
replaces each part of crhelper that breaks a CloudFormation user's expectations:

- ``__init__``: crhelper builds lambda/events/logs clients (cold start) and sets the root logger to
  DEBUG, where ``__call__`` logs the whole event (presigned URL, secrets): neither is done here, and the
  event is logged once, redacted, at INFO.
- ``_set_timeout``/``_timeout``: crhelper's timer sends FAILED with an empty PhysicalResourceId and the
  handler then sends a second response; the backstop here sends through ``OneResponse`` (one response at
  most) with a non-empty id.
- ``_cfn_response``/``generate_physical_id``: crhelper invents a random id when the function returns
  True or nothing (an accidental replacement on Update); here the id follows the replacement rules.
- ``_send``: size-checked body, start of the reason kept, bounded retries (see ``response``).
- ``_wait_for_cwlogs``: no 120 s sleep before a Delete response.
- ``_setup_polling``/``_remove_polling``: see ``polling``.

The final answer goes out once, through ``_finish``, whoever comes first (the handler or the backstop).
A FAILED replacing Update whose new object already exists has that object deleted first (see
``replacement``), since CloudFormation is told only the old id.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from crhelper import CfnResource

from cbprovider.deadline import Deadline
from cbprovider.errors import ApiError, ProviderError
from cbprovider.runtime import delivery
from cbprovider.runtime.idempotency import Duplicate, Once
from cbprovider.runtime.ids import is_placeholder, placeholder_id, request_digest
from cbprovider.runtime.log import logger
from cbprovider.runtime.ownership import NotOwned, ObjectRef, Owner, Ownership
from cbprovider.runtime.polling import Poller, PollState, poll_minutes, state_key
from cbprovider.runtime.properties import parse_properties
from cbprovider.runtime.reasons import reason_for
from cbprovider.runtime.redact import redact_event
from cbprovider.runtime.replacement import new_object_ids, remove_new_object, with_suffix
from cbprovider.runtime.resource import Done, InProgress, Outcome, Phase, Request, ResourceType
from cbprovider.runtime.response import Answer, OneResponse, ResponseSender, Status
from cbprovider.runtime.scrub import scrubbed_traceback
from cbprovider.runtime.timing import Timing

_REQUEST_TYPES = ("Create", "Update", "Delete")


class UnknownResourceType(ProviderError):
    """The request names a resource type this provider does not serve."""


class MalformedEvent(ProviderError):
    """The event lacks a field every CloudFormation request has."""


class ServiceTimeout(ProviderError):
    """A long operation did not finish before its deadline."""


@dataclasses.dataclass(frozen=True)
class Services:
    """What an invocation needs from the provider."""

    timing: Timing
    sender: ResponseSender
    once: Once
    poller: Poller
    ownership: Ownership
    resolve: Callable[[str], ResourceType[Any]]
    """The resource type serving a type name (raises ``UnknownResourceType``)."""


class Invocation(CfnResource):
    """Handles one event; a new instance per invocation, so concurrent invocations share nothing."""

    def __init__(self, services: Services, event: Mapping[str, Any], context: Any) -> None:
        # crhelper's __init__ is not called on purpose (see the module docstring).
        self.Status = ""
        self.Reason = ""
        self.PhysicalResourceId = ""
        self.StackId = str(event.get("StackId", ""))
        self.RequestId = str(event.get("RequestId", ""))
        self.LogicalResourceId = str(event.get("LogicalResourceId", ""))
        self.Data: dict[str, str] = {}
        self.NoEcho = False
        self._services = services
        self._timing = services.timing
        self._event = dict(event)
        self._context = context
        self._started_at = time.time()
        remaining = context.get_remaining_time_in_millis() / 1000.0
        self._remaining_at_start = remaining
        self._work_deadline = Deadline.after(
            max(0.0, remaining - self._timing.backstop_reserve - self._timing.work_reserve)
        )
        self._backstop_deadline = Deadline.after(max(0.0, remaining - self._timing.backstop_reserve))
        """When the backstop fires: the handler's own clean-up must be over by then."""
        self._responder = OneResponse(
            services.sender, self._event, Deadline.after(max(0.0, remaining - self._timing.send_reserve))
        )
        self._timer: threading.Timer | None = None
        self._request: Request[Any] | None = None
        self._poll: PollState | None = None
        self._finish_lock = threading.Lock()
        self._finishing = False
        self._owner = Owner(self.StackId, self.LogicalResourceId)

    # -- entry points ---------------------------------------------------------------------------
    def run_request(self) -> None:
        """A request from CloudFormation: processed once, answered once (or scheduled for polling)."""
        logger.info("Request received", extra={"event": redact_event(self._event)})
        key = {
            "StackId": self.StackId,
            "LogicalResourceId": self.LogicalResourceId,
            "RequestId": self.RequestId,
        }
        self._guarded(key, self._process_request)

    def run_poll(self, poll: PollState) -> None:
        """One scheduled poll of a long operation."""
        self._poll = poll
        logger.info("Poll received", extra={"attempt": poll.attempt, "physical_id": poll.physical_id})
        key = {
            "StackId": self.StackId,
            "LogicalResourceId": self.LogicalResourceId,
            "RequestId": self.RequestId,
            "Attempt": poll.attempt,
        }
        self._guarded(key, self._process_poll)

    def _guarded(self, key: dict[str, Any], process: Callable[[], dict[str, Any]]) -> None:
        try:
            self._services.once.run(key, self._context, process)
        except Duplicate:
            if self._poll is None:
                self._resend_kept_answer()
            return
        except Exception as error:
            # The state table failed before (or after) processing; answer unless already answered.
            logger.error("Idempotency store failed", extra={"traceback": scrubbed_traceback(error)})
            self._send("FAILED", reason_for(error, request_id=self.RequestId))
            self._cleanup_poll()

    def _resend_kept_answer(self) -> None:
        """A duplicate delivery of a request whose answer is still undelivered: send it again now."""
        kept = self._services.poller.load(delivery.answer_key(self._event))
        if kept is not None:
            delivery.resend(self._services.poller, self._services.sender, kept, self._backstop_deadline)

    # -- processing -----------------------------------------------------------------------------
    def _process_request(self) -> dict[str, Any]:
        self._set_timeout()
        try:
            answer = self._dispatch_request()
        except Exception as error:
            answer = self._failure(error)
        finally:
            self._cancel_timer()
        if answer is not None:
            self._finish(answer, self._backstop_deadline)
            # A failure after the poll was (partly) set up: remove what was made.
            self._cleanup_poll()
        return {"answered": answer is not None}

    def _process_poll(self) -> dict[str, Any]:
        poll = self._poll
        assert poll is not None
        self._set_timeout()
        try:
            answer = self._dispatch_poll(poll)
        except Exception as error:
            answer = self._failure(error)
        finally:
            self._cancel_timer()
        if answer is not None:
            self._finish(answer, self._backstop_deadline)
            self._cleanup_poll()
        return {"answered": answer is not None}

    def _dispatch_request(self) -> Answer | None:
        request_type = self._event.get("RequestType")
        for name in ("ResponseURL", "StackId", "RequestId", "LogicalResourceId", "ResourceType"):
            if not self._event.get(name):
                raise MalformedEvent(f"the request has no {name}")
        if request_type not in _REQUEST_TYPES:
            raise MalformedEvent(f"unknown RequestType {request_type!r}")
        physical_id = str(self._event.get("PhysicalResourceId") or "")
        if request_type == "Delete" and is_placeholder(physical_id):
            return Answer("SUCCESS", physical_id, "nothing to delete: the Create had failed")
        if request_type != "Create" and not physical_id:
            raise MalformedEvent(f"the {request_type} request has no PhysicalResourceId")
        resource = self._services.resolve(str(self._event["ResourceType"]))
        if request_type == "Delete" and not resource.owns_physical_id(physical_id):
            return Answer("SUCCESS", physical_id, "nothing to delete: the id was not made by this provider")
        phase: Phase = "create"
        if request_type == "Update":
            new = self._event.get("ResourceProperties") or {}
            old = self._event.get("OldResourceProperties") or {}
            replace = resource.requires_replacement(new, old, stack_id=self.StackId)
            replace = replace or _endpoint(new) != _endpoint(old)
            if replace and self._services.ownership.holds(self._ref(physical_id), self._owner, new):
                # CloudFormation rolling back a failed replacement: this object already has these
                # properties, so creating it again would duplicate it (see runtime.ownership).
                logger.info("Update back to the object's own properties: in place, not a replacement")
                replace = False
            phase = "create" if replace else "update"
            logger.info("Update", extra={"replacement": replace})
        elif request_type == "Delete":
            phase = "delete"
        if phase != "create" and not self._is_ours(physical_id):
            if phase == "update":
                raise NotOwned(
                    f"{physical_id} was not created by this stack resource through this provider "
                    "(or belongs to another stack): it is not updated"
                )
            logger.warning("Delete of an object this stack resource does not own: nothing is called")
            return Answer("SUCCESS", physical_id, "not deleted: the object is not this stack resource's")
        request = self._build_request(
            resource, phase, physical_id or None, Deadline.after(self._service_seconds())
        )
        operation = {"create": resource.create, "update": resource.update, "delete": resource.delete}[phase]
        outcome = self._call(operation, request, phase)
        request, outcome = self._wait_in_process(resource, request, outcome)
        if isinstance(outcome, InProgress):
            return self._start_polling(request, outcome)
        return self._done(outcome, phase)

    def _wait_in_process(
        self, resource: ResourceType[Any], request: Request[Any], outcome: Outcome
    ) -> tuple[Request[Any], Outcome]:
        """Poll a long operation in this invocation at short intervals while it has time to spare.

        An operation that ends a few seconds after it started is answered then, not when a rule fires
        (a minute later at best); only what outlasts this invocation is handed over to a rule.
        """
        interval = self._timing.inline_poll_interval
        while isinstance(outcome, InProgress) and interval > 0:
            pause = min(interval, float(outcome.retry_after))
            if self._work_deadline.remaining() < pause + self._timing.inline_poll_margin:
                break
            if request.service_deadline.remaining() < pause or self._finished():
                break
            physical_id = self._keep_id(outcome.physical_id, request.phase)
            self._claim_in_progress(physical_id, request.phase)
            time.sleep(pause)
            # The same request (and the ids it noted) on the object of the last InProgress.
            request = dataclasses.replace(request, physical_id=physical_id)
            self._request = request
            outcome = self._call(
                functools.partial(resource.poll, state=dict(outcome.state)), request, request.phase
            )
        return request, outcome

    def _dispatch_poll(self, poll: PollState) -> Answer | None:
        if time.time() >= poll.deadline_at:
            raise ServiceTimeout(self._timeout_text(poll))
        resource = self._services.resolve(str(self._event["ResourceType"]))
        phase: Phase = poll.phase  # type: ignore[assignment]
        request = self._build_request(
            resource, phase, poll.physical_id, Deadline.after(max(0.0, poll.deadline_at - time.time()))
        )
        outcome = self._call(lambda req: resource.poll(req, poll.state), request, phase)
        if isinstance(outcome, Done):
            return self._done(outcome, phase)
        if time.time() >= poll.deadline_at:
            raise ServiceTimeout(self._timeout_text(poll))
        self._claim_in_progress(self._keep_id(outcome.physical_id, phase), phase)
        updated = dataclasses.replace(
            poll,
            physical_id=self._keep_id(outcome.physical_id, phase),
            state=dict(outcome.state),
            attempt=poll.attempt + 1,
            minutes=poll_minutes(outcome.retry_after, poll.deadline_at - time.time()),
        )
        self._poll = updated
        self._services.poller.save(updated)
        if updated.minutes != poll.minutes:
            self._services.poller.reschedule(updated.key, updated.minutes)
        if self._finished():
            # The backstop answered while this poll ran: nothing must be left behind.
            self._cleanup_poll()
        logger.info(
            "Still in progress", extra={"physical_id": updated.physical_id, "attempt": updated.attempt}
        )
        return None

    def _build_request(
        self, resource: ResourceType[Any], phase: Phase, physical_id: str | None, service_deadline: Deadline
    ) -> Request[Any]:
        request = self._make_request(resource, phase, physical_id, self._work_deadline, service_deadline)
        self._request = request
        return request

    def _make_request(
        self,
        resource: ResourceType[Any],
        phase: Phase,
        physical_id: str | None,
        deadline: Deadline,
        service_deadline: Deadline,
    ) -> Request[Any]:
        properties = parse_properties(resource.properties_model, self._event.get("ResourceProperties"))
        old = None
        if self._event.get("RequestType") == "Update":
            try:
                old = parse_properties(resource.properties_model, self._event.get("OldResourceProperties"))
            except ProviderError:
                logger.info("The old properties no longer parse; old_properties is None")
        request: Request[Any] = Request(
            request_type=self._event["RequestType"],
            phase=phase,
            properties=properties,
            old_properties=old,
            physical_id=physical_id,
            logical_id=self.LogicalResourceId,
            stack_id=self.StackId,
            request_id=self.RequestId,
            resource_type=str(self._event["ResourceType"]),
            deadline=deadline,
            service_deadline=service_deadline,
            claim=self._claim_noted,
            owned_elsewhere=lambda object_id: (
                self._services.ownership.standing(self._ref(object_id), self._owner) == "foreign"
            ),
        )
        return request

    def _call(self, operation: Any, request: Request[Any], phase: Phase) -> Outcome:
        try:
            outcome = operation(request)
        except ApiError as error:
            if phase == "delete" and error.status == 404:
                logger.info("Already gone", extra={"physical_id": request.physical_id})
                return Done(str(request.physical_id), reason="already deleted")
            raise
        if not isinstance(outcome, Done | InProgress):
            raise TypeError(f"{type(outcome).__name__} is neither Done nor InProgress")
        return outcome

    def _done(self, outcome: Done, phase: Phase) -> Answer:
        physical_id = self._keep_id(outcome.physical_id, phase)
        if not physical_id:
            raise ProviderError("the resource type returned an empty physical id")
        if phase == "delete":
            self._services.ownership.release(self._ref(physical_id), self._owner)
        else:
            # Also the create's claim: an API that answered with another stack's object is refused here.
            properties = self._event.get("ResourceProperties") or {}
            self._services.ownership.claim(self._ref(physical_id), self._owner, properties)
        return Answer("SUCCESS", physical_id, outcome.reason or "", dict(outcome.data))

    def _keep_id(self, returned: str, phase: Phase) -> str:
        """The id to report: the event's, except for a create (Create, or an Update that replaces)."""
        event_id = str(self._event.get("PhysicalResourceId") or "")
        if phase == "create" or not event_id:
            return returned
        if returned and returned != event_id:
            logger.warning(
                "Ignoring a new physical id from an in-place operation", extra={"returned": returned}
            )
        return event_id

    def _ref(self, physical_id: str) -> ObjectRef:
        """The object ``physical_id`` on the endpoint of the event's properties (the object's own: an
        Endpoint change replaces the object, and a Delete carries the deleted object's properties)."""
        return ObjectRef.of(self._event, physical_id, "ResourceProperties")

    def _claim_noted(self, physical_id: str) -> None:
        """``Request.note_physical_id``'s claim: recorded for this stack resource and this request."""
        self._services.ownership.claim(self._ref(physical_id), self._owner)
        digest = request_digest(self.StackId, self.LogicalResourceId, self.RequestId)
        self._services.ownership.note_claimed(digest, physical_id)

    def _is_ours(self, physical_id: str) -> bool:
        return self._services.ownership.standing(self._ref(physical_id), self._owner) == "ours"

    def _claim_in_progress(self, physical_id: str, phase: Phase) -> None:
        """A create that goes on across polls: its object is claimed as soon as its id is known."""
        resource = self._services.resolve(str(self._event["ResourceType"]))
        if phase == "create" and not is_placeholder(physical_id) and resource.owns_physical_id(physical_id):
            self._services.ownership.claim(self._ref(physical_id), self._owner)

    def _start_polling(self, request: Request[Any], outcome: InProgress) -> Answer | None:
        physical_id = self._keep_id(outcome.physical_id, request.phase)
        if not physical_id:
            raise ProviderError("the resource type returned an empty physical id")
        self._claim_in_progress(physical_id, request.phase)
        poll = PollState(
            key=state_key(request_digest(self.StackId, self.LogicalResourceId, self.RequestId)),
            event=self._event,
            physical_id=physical_id,
            phase=request.phase,
            state=dict(outcome.state),
            attempt=1,
            started_at=self._started_at,
            deadline_at=self._started_at + self._service_seconds(),
        )
        poll = dataclasses.replace(
            poll, minutes=poll_minutes(outcome.retry_after, poll.deadline_at - time.time())
        )
        self._poll = poll
        if time.time() >= poll.deadline_at:
            raise ServiceTimeout(self._timeout_text(poll))
        self._services.poller.save(poll)
        self._services.poller.schedule(poll.key, self._context.invoked_function_arn, poll.minutes)
        if self._finished():
            # The backstop answered while the poll was being set up: nothing must be left behind.
            self._cleanup_poll()
        return None

    def _service_seconds(self) -> float:
        raw = (self._event.get("ResourceProperties") or {}).get("ServiceTimeout")
        try:
            limit = (
                min(int(raw), self._timing.max_service_timeout) if raw else self._timing.max_service_timeout
            )
        except (TypeError, ValueError):
            limit = self._timing.max_service_timeout
        return max(0.0, limit - self._timing.service_margin)

    def _timeout_text(self, poll: PollState) -> str:
        took = int(time.time() - poll.started_at)
        return (
            f"{self._event.get('ResourceType')} {poll.phase} of {poll.physical_id} did not finish within the "
            f"resource's time limit ({took} s elapsed; limit from ServiceTimeout, at most "
            f"{self._timing.max_service_timeout} s)"
        )

    def __call__(self, event: Any, context: Any) -> None:
        """crhelper's entry point: handle ``event`` as a new request (``Provider`` is the usual way in)."""
        Invocation(self._services, event, context).run_request()

    # -- failures and responses -----------------------------------------------------------------
    def _failure(self, error: BaseException) -> Answer:
        reason = reason_for(error, request_id=self.RequestId)
        if isinstance(error, ProviderError):
            logger.error("Request failed", extra={"error": type(error).__name__, "reason": reason})
        else:
            logger.error("Unexpected error", extra={"traceback": scrubbed_traceback(error)})
        return Answer("FAILED", self._failure_id(), reason)

    def _failure_id(self) -> str:
        """Never empty: the event's id on Update/Delete, else the object being created, else a placeholder."""
        event_id = str(self._event.get("PhysicalResourceId") or "")
        if event_id:
            return event_id
        # An object noted in this invocation is newer than the last InProgress's (e.g. one just
        # adopted while the poll state still holds the placeholder of a create being verified).
        if self._request is not None and self._request.noted_physical_id:
            return self._request.noted_physical_id
        if self._poll is not None and self._poll.physical_id:
            return self._poll.physical_id
        return placeholder_id(self.LogicalResourceId or "resource", self.RequestId)

    def _finish(self, answer: Answer, cleanup_deadline: Deadline) -> None:
        """Send the final answer unless one is already under way (the handler's or the backstop's)."""
        with self._finish_lock:
            if self._finishing:
                logger.info(
                    "A response is already under way; not sending another", extra={"status": answer.status}
                )
                return
            self._finishing = True
        if answer.status == "FAILED":
            answer = self._without_new_object(answer, cleanup_deadline)
        self._answer(answer)

    def _finished(self) -> bool:
        with self._finish_lock:
            return self._finishing

    def _without_new_object(self, answer: Answer, deadline: Deadline) -> Answer:
        """A replacing Update failed: delete the new object it made (CloudFormation only knows the old).

        Never raises: the answer must go out whatever happens here (this may run in the backstop).
        """
        if self._event.get("RequestType") != "Update":
            return answer
        try:
            return self._remove_new_objects(answer, deadline)
        except Exception as error:
            logger.error(
                "Could not look after the new object of a failed update",
                extra={"traceback": scrubbed_traceback(error)},
            )
            return answer

    def _remove_new_objects(self, answer: Answer, deadline: Deadline) -> Answer:
        poll, request = self._poll, self._request
        phase = poll.phase if poll is not None else request.phase if request is not None else None
        if phase != "create":
            return answer
        resource = self._services.resolve(str(self._event["ResourceType"]))
        noted = request.noted_physical_id if request is not None else None
        reported = poll.physical_id if poll is not None else None
        new_ids = new_object_ids(
            resource, str(self._event.get("PhysicalResourceId") or ""), [noted, reported]
        )
        new_ids = [new_id for new_id in new_ids if self._is_ours(new_id)]
        if not new_ids:
            return answer
        if not resource.removes_failed_replacement:
            logger.warning(
                "The new object of a failed replacing update is left", extra={"physical_id": new_ids}
            )
            return answer
        reason = answer.reason
        for new_id in new_ids:
            try:
                removal = self._make_request(resource, "delete", new_id, deadline, deadline)
            except ProviderError as error:
                reason = with_suffix(
                    reason,
                    f"; could not remove the new {new_id}: {reason_for(error, request_id=self.RequestId)}",
                )
                continue
            reason = with_suffix(reason, remove_new_object(resource, removal, self.RequestId))
        return dataclasses.replace(answer, reason=reason)

    def _answer(self, answer: Answer) -> None:
        self.Status, self.Reason, self.PhysicalResourceId = answer.status, answer.reason, answer.physical_id
        self.Data = dict(answer.data or {})
        if not self._responder.send(answer) and self._responder.undelivered is not None:
            delivery.keep(
                self._services.poller,
                self._event,
                self._responder.undelivered,
                self._context.invoked_function_arn,
            )

    def _send(self, status: str | None = None, reason: str = "", send_response: Any = None) -> None:
        """crhelper's send, through the one-response guard."""
        final: Status = "FAILED" if status == "FAILED" else "SUCCESS"
        self._finish(
            Answer(final, self.PhysicalResourceId or self._failure_id(), reason), self._backstop_deadline
        )

    def _cfn_response(self, event: Any) -> None:
        self._send(self.Status or "SUCCESS", self.Reason)

    def generate_physical_id(self, event: Any) -> str:
        """Never random: a made-up id would replace the resource by accident."""
        return self._failure_id()

    def _wait_for_cwlogs(self, sleep: Any = None) -> None:
        """No sleep before a Delete response (crhelper sleeps up to 120 s)."""

    def _set_timeout(self) -> None:
        delay = max(0.0, self._remaining_at_start - self._timing.backstop_reserve)
        self._timer = threading.Timer(delay, self._timeout)
        self._timer.daemon = True
        self._timer.start()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def _timeout(self) -> None:
        """The backstop: the Lambda deadline is near and nothing was sent."""
        if self._finished():
            return
        logger.error("The function is about to time out: sending FAILED")
        # Half of what is left before the response must be sent goes to removing a new object.
        left = self._context.get_remaining_time_in_millis() / 1000.0 - self._timing.send_reserve
        self._finish(
            Answer(
                "FAILED",
                self._failure_id(),
                "[Timeout] the provider could not finish before its Lambda function's time limit "
                f"({int(self._remaining_at_start)} s); the operation may still be going on",
            ),
            Deadline.after(max(0.0, left / 2)),
        )
        self._cleanup_poll()

    def _cleanup_poll(self) -> None:
        if self._poll is not None:
            self._services.poller.remove(self._poll.key)

    def _setup_polling(self) -> None:
        raise NotImplementedError("polling is set up by _start_polling")

    def _remove_polling(self) -> None:
        self._cleanup_poll()


def _endpoint(properties: Mapping[str, Any]) -> str:
    """The endpoint name in raw properties (``default`` when absent)."""
    return str(properties.get("Endpoint") or "default")
