"""The provider functions' on-failure destination: FAILED for a request whose invocation died.

CloudFormation invokes the provider asynchronously, with no retries. When an invocation dies without
answering (an error at init, the runtime killing it for memory, the Lambda timeout striking before the
backstop), Lambda hands the destination a record that holds the original event (``requestPayload``).
``CrashAnswerer`` then, unless the provider finished the request itself (its request record is
complete): sends the request's kept answer if it has one (an answer whose re-sending could not be
scheduled, ``delivery``); hands a create that was in flight over to the type's look-up (``handover``);
else answers FAILED with the request's own id for Update and Delete, a placeholder for a Create. A
crashed poll of a long operation is answered FAILED with the operation's object, and its rule and state
are removed.

The record is checked like any request (the same genuine-request checks as the provider's, done by the
``Provider`` this wraps): an invocation of the destination with a made-up record answers nobody.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cbprovider.deadline import Deadline
from cbprovider.runtime.delivery import AnswerNotScheduled, answer_key, resend
from cbprovider.runtime.genuine import screen_request
from cbprovider.runtime.handover import handed_over, unqualified
from cbprovider.runtime.ids import placeholder_id
from cbprovider.runtime.log import logger
from cbprovider.runtime.poll_event import poll_key_of
from cbprovider.runtime.polling import Poller, PollState
from cbprovider.runtime.records import COMPLETED, RequestRecords
from cbprovider.runtime.response import Answer, OneResponse, ResponseSender
from cbprovider.runtime.response_url import ResponseUrl
from cbprovider.runtime.timing import Timing

REASON = (
    "[InvocationFailed] the provider's Lambda invocation ended without answering ({error}); "
    "the operation may have been partly carried out: see the provider's log"
)


def crashed_event(record: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The original event of a Lambda on-failure destination record (``None`` if it is not one)."""
    payload = record.get("requestPayload")
    context = record.get("requestContext")
    if not isinstance(payload, Mapping) or not isinstance(context, Mapping):
        return None
    return payload


def error_of(record: Mapping[str, Any]) -> str:
    """A short description of how the invocation failed (no payload text: it may hold secrets)."""
    response = record.get("responsePayload")
    kind = response.get("errorType") if isinstance(response, Mapping) else None
    condition = str((record.get("requestContext") or {}).get("condition") or "failed")
    return f"{condition}, {kind}" if isinstance(kind, str) and kind else condition


class CrashAnswerer:
    """Answers for the request behind an on-failure record (see the module docstring)."""

    def __init__(
        self, poller: Poller, records: RequestRecords, sender: ResponseSender, timing: Timing
    ) -> None:
        self._poller = poller
        self._records = records
        self._sender = sender
        self._timing = timing

    def answer(self, event: Mapping[str, Any], error: str, context: Any, function_arn: str = "") -> None:
        """For ``event`` (a request, or a poll event naming a long operation's state) of the function
        ``function_arn`` (the destination record's): hand a create in flight over to the type's look-up,
        else answer FAILED."""
        poll: PollState | None = None
        key = poll_key_of(event)
        if key is not None:
            poll = self._poller.load(key)
            if poll is None or poll.phase not in ("create", "update", "delete"):
                logger.info("The crashed poll's operation is over: nothing to answer")
                return
            event = poll.event
        if self._sent_kept(event, context, function_arn):
            return
        request_key = {
            "StackId": event.get("StackId"),
            "LogicalResourceId": event.get("LogicalResourceId"),
            "RequestId": event.get("RequestId"),
            **({"Attempt": poll.attempt} if poll is not None else {}),
        }
        record = self._records.load(request_key)
        if record is not None and record["status"] == COMPLETED:
            logger.info("The provider finished this request itself: nothing to answer")
            return
        in_flight = (record or {}).get("in_flight")
        if (
            poll is None
            and in_flight is not None
            and handed_over(self._poller, event, in_flight, function_arn)
        ):
            return
        physical_id = (
            str(event.get("PhysicalResourceId") or "")
            or (poll.physical_id if poll is not None else "")
            or placeholder_id(str(event.get("LogicalResourceId") or "resource"), str(event.get("RequestId")))
        )
        logger.error("Answering FAILED for an invocation that died", extra={"error": error})
        remaining = context.get_remaining_time_in_millis() / 1000.0
        deadline = Deadline.after(max(0.0, remaining - self._timing.send_reserve))
        OneResponse(self._sender, event, ResponseUrl.stored(event), deadline).send(
            Answer("FAILED", physical_id, REASON.format(error=error))
        )
        if poll is not None:
            self._poller.remove(poll.key)

    def _sent_kept(self, event: Mapping[str, Any], context: Any, function_arn: str) -> bool:
        """Send the request's kept answer, if it has one (its re-sending could not be scheduled); if
        it is still undelivered, schedule its rule, and if that fails too raise, for Lambda to retry."""
        kept = self._poller.load(answer_key(event))
        if kept is None:
            return False
        remaining = context.get_remaining_time_in_millis() / 1000.0
        deadline = Deadline.after(max(0.0, remaining - self._timing.send_reserve))
        if resend(self._poller, self._sender, kept, deadline):
            logger.info("The kept answer is delivered")
            return True
        arn = unqualified(function_arn)
        if not arn or arn != unqualified(str(event.get("ServiceToken") or "")):
            raise AnswerNotScheduled(
                "the kept answer is undelivered, and the function to re-send it is unknown"
            )
        self._poller.schedule(kept.key, arn, 1)
        return True


_answerer: CrashAnswerer | None = None


def handler(record: Mapping[str, Any], context: Any) -> None:
    """The destination function's handler: the state table is named by ``IDEMPOTENCY_TABLE``."""
    global _answerer
    event = crashed_event(record)
    if event is None:
        logger.warning("Not an on-failure destination record: ignored")
        return
    if _answerer is None:
        import os

        import boto3

        table, timing = os.environ["IDEMPOTENCY_TABLE"], Timing()
        dynamodb = boto3.client("dynamodb")
        records = RequestRecords(table, dynamodb, expires_after=timing.idempotency_expiry)
        _answerer = CrashAnswerer(Poller(table, dynamodb=dynamodb), records, ResponseSender(timing), timing)
    if not _genuine(event, context):
        return
    function_arn = str((record.get("requestContext") or {}).get("functionArn") or "")
    _answerer.answer(event, error_of(record), context, function_arn)


def _genuine(event: Mapping[str, Any], context: Any) -> bool:
    """The same checks as the provider's: an invocation of this function with a made-up record (a
    made-up ResponseURL, another account's stack, a resource CloudFormation is not working on) answers
    nobody. A poll event names state the provider itself saved."""
    from cbprovider.runtime.confirmation import ConfirmationUnavailable, Confirmer, NotConfirmed
    from cbprovider.runtime.genuine import FunctionIdentity, NotGenuine, log_refusal, poll_key

    try:
        if poll_key(event) is not None:
            return True
        identity = FunctionIdentity.of(context)
        screen_request(event, identity)
        Confirmer(Timing().confirm_delays).confirm(event, identity.region)
    except (NotGenuine, NotConfirmed, ConfirmationUnavailable) as refusal:
        log_refusal(event, refusal)
        return False
    return True
