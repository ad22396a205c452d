"""The Lambda handler body: genuine requests on to the pipeline; state table and clients made once."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cbprovider.deadline import Deadline
from cbprovider.runtime import pipeline
from cbprovider.runtime.confirmation import ConfirmationUnavailable, Confirmer, NotConfirmed
from cbprovider.runtime.genuine import (
    FunctionIdentity,
    NotGenuine,
    ResponseUrl,
    log_refusal,
    poll_key,
    screen_request,
)
from cbprovider.runtime.ids import placeholder_id
from cbprovider.runtime.invocation import Services
from cbprovider.runtime.log import logger
from cbprovider.runtime.ownership import Ownership
from cbprovider.runtime.records import RequestRecords
from cbprovider.runtime.registry import ResourceTypes
from cbprovider.runtime.resource import ResourceType
from cbprovider.runtime.response import Answer, OneResponse, ResponseSender
from cbprovider.runtime.timing import Timing

if TYPE_CHECKING:
    from cbprovider.runtime.polling import Poller


class Provider:
    """``Provider({"Custom::X": "pkg.module:XResource", ...})``; call it with ``(event, context)``.

    A string value is imported (and instantiated without arguments) only when a request for that type
    arrives, so a function serving several types loads only what it uses. The state table is named by
    the ``IDEMPOTENCY_TABLE`` environment variable (or ``table_name``).
    """

    def __init__(
        self,
        resources: Mapping[str, str | ResourceType[Any]],
        *,
        timing: Timing | None = None,
        table_name: str | None = None,
    ) -> None:
        self._types = ResourceTypes(resources)
        self._lock = threading.Lock()
        self._timing = timing or Timing()
        self._table_name = table_name
        self._services: Services | None = None
        self._dynamodb: Any = None
        self._poller: Poller | None = None
        self._confirmer: Confirmer | None = None

    def __call__(self, event: Mapping[str, Any], context: Any) -> None:
        url: ResponseUrl | None = None
        try:
            # Only genuine CloudFormation requests (and exact poll events) go further; see genuine.
            key = poll_key(event)
            identity = FunctionIdentity.of(context)
            if key is None:
                url = screen_request(event, identity)
        except NotGenuine as refusal:
            log_refusal(event, refusal)
            return
        try:
            services = self._get_services()
        except Exception as error:
            self._answer_without_services(event, context, error, url)
            return
        try:
            if key is None:
                checked = url  # screen_request made it
                if checked is not None and self._confirmed(event, context, identity.region, checked):
                    self._with_keys(event, lambda: pipeline.on_request(services, event, context, checked))
                return
            self._on_poll(services, key, context)
        finally:
            logger.remove_keys(["request_id", "logical_resource_id", "stack_id", "resource_type"])

    def _on_poll(self, services: Services, key: str, context: Any) -> None:
        """A poll event: the next poll of a long operation, or the re-sending of a kept answer."""
        from cbprovider.runtime import delivery

        poll = services.poller().load(key)
        if poll is None:
            logger.warning("Poll for an operation that is over: removing its rule", extra={"key": key})
            services.poller().remove(key)
            return
        if poll.phase == delivery.PHASE:
            remaining = context.get_remaining_time_in_millis() / 1000.0
            deadline = Deadline.after(max(0.0, remaining - self._timing.send_reserve))
            self._with_keys(
                poll.event, lambda: delivery.resend(services.poller(), services.sender, poll, deadline)
            )
            return
        stored = ResponseUrl.stored(poll.event)  # read back from the state table: checked again
        self._with_keys(poll.event, lambda: pipeline.on_poll(services, poll, context, stored))

    def _confirmed(self, event: Mapping[str, Any], context: Any, region: str, url: ResponseUrl) -> bool:
        """CloudFormation confirms the request; if it cannot be asked, FAILED goes to the (verified) URL."""
        with self._lock:
            if self._confirmer is None:
                self._confirmer = Confirmer(self._timing.confirm_delays)
        try:
            self._confirmer.confirm(event, region)
        except NotConfirmed as refusal:
            log_refusal(event, refusal)
            return False
        except ConfirmationUnavailable as error:
            logger.error("Could not confirm the request with CloudFormation", extra={"error": str(error)})
            self._answer_failed(event, context, error, url)
            return False
        return True

    @staticmethod
    def _with_keys(event: Mapping[str, Any], run: Any) -> None:
        logger.append_keys(
            request_id=event.get("RequestId"),
            logical_resource_id=event.get("LogicalResourceId"),
            stack_id=event.get("StackId"),
            resource_type=event.get("ResourceType"),
        )
        run()

    def _answer_without_services(
        self, event: Mapping[str, Any], context: Any, error: Exception, url: ResponseUrl | None
    ) -> None:
        """The state table or AWS clients could not be set up: still answer the request (FAILED)."""
        from cbprovider.runtime.scrub import scrubbed_traceback

        logger.error("The provider could not start", extra={"traceback": scrubbed_traceback(error)})
        self._answer_failed(event, context, error, url)

    def _answer_failed(
        self, event: Mapping[str, Any], context: Any, error: Exception, url: ResponseUrl | None
    ) -> None:
        """FAILED to a request whose URL passed ``screen_request`` (``None``: a poll event has none)."""
        if url is None:
            return
        from cbprovider.runtime.reasons import reason_for

        remaining = context.get_remaining_time_in_millis() / 1000.0
        deadline = Deadline.after(max(0.0, remaining - self._timing.send_reserve))
        physical_id = str(event.get("PhysicalResourceId") or "") or placeholder_id(
            str(event.get("LogicalResourceId") or "resource"), str(event.get("RequestId") or "")
        )
        reason = reason_for(error, request_id=str(event.get("RequestId") or ""))
        OneResponse(ResponseSender(self._timing), event, url, deadline).send(
            Answer("FAILED", physical_id, reason)
        )

    @property
    def declared(self) -> dict[str, str | ResourceType[Any]]:
        """The resource types as given to the constructor."""
        return self._types.declared

    def resource(self, type_name: str) -> ResourceType[Any]:
        """The resource type serving ``type_name`` (imported on first use)."""
        return self._types.resolve(type_name)

    def _get_services(self) -> Services:
        with self._lock:
            if self._services is None:
                import boto3

                table = self._table()
                self._dynamodb = dynamodb = boto3.client("dynamodb")
                self._services = Services(
                    timing=self._timing,
                    sender=ResponseSender(self._timing),
                    records=RequestRecords(table, dynamodb, expires_after=self._timing.idempotency_expiry),
                    poller=self._get_poller,
                    ownership=Ownership(table, dynamodb),
                    resolve=self._types.resolve,
                )
            return self._services

    def _get_poller(self) -> Poller:
        """The poll state and rules (``Services.poller``), made on first use with the state table's client."""
        with self._lock:
            if self._poller is None:
                from cbprovider.runtime.polling import Poller

                self._poller = Poller(self._table(), dynamodb=self._dynamodb)
            return self._poller

    def _table(self) -> str:
        return self._table_name or os.environ["IDEMPOTENCY_TABLE"]
