"""Request records: each request (or poll attempt) is processed at most once, in two writes.

One item per request in the state table (key ``request#<sha256 of the request's ids>``), modelled on
Powertools idempotency's state machine without its extra round trips:

- ``begin`` writes the record ``INPROGRESS`` before anything is acted on, unless a record exists that is
  ``COMPLETED`` and unexpired, or ``INPROGRESS`` and its in-progress expiry (the invocation's own
  deadline, from the Lambda context) not passed: then ``Duplicate``. For an in-place Update or a Delete
  the ownership check goes into the same ``TransactWriteItems`` (a ``ConditionCheck`` that the object
  is recorded for this stack resource), so one round trip says new, duplicate, foreign or unrecorded.
  A create's record also holds the *in-flight create*: what the type's unknown-outcome look-up needs
  to find the object should the invocation die during the call (see ``crash``);
- ``complete`` writes ``COMPLETED`` in one ``TransactWriteItems`` with the ownership claim (or release)
  that SUCCESS needs, and the object's id (``PhysicalId``);
- ``close`` marks a record ``COMPLETED`` after any other ending (FAILED, an early answer, a hand-over to
  a poll rule): a duplicate delivery then sends nothing, or the kept answer (see ``delivery``).

Records expire (TTL attribute ``expiration``) after ``Timing.idempotency_expiry``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from cbprovider.runtime.log import logger
from cbprovider.runtime.ownership import Standing

KEY_PREFIX = "request#"
INPROGRESS = "INPROGRESS"
COMPLETED = "COMPLETED"


class Duplicate(Exception):
    """This request (attempt) is already being processed or was processed."""


class RequestRecords:
    """The request records in the state table (see the module docstring)."""

    def __init__(self, table_name: str, dynamodb: Any, *, expires_after: int) -> None:
        self.table_name = table_name
        self._dynamodb = dynamodb
        self._expires_after = expires_after

    @staticmethod
    def item_key(key: Mapping[str, Any]) -> dict[str, Any]:
        text = json.dumps(dict(key), sort_keys=True, default=str)
        return {"id": {"S": KEY_PREFIX + hashlib.sha256(text.encode()).hexdigest()}}

    def begin(
        self,
        key: Mapping[str, Any],
        context: Any,
        *,
        ownership_check: Mapping[str, Any] | None = None,
        in_flight: Mapping[str, Any] | None = None,
    ) -> Standing:
        """Record ``key`` as in progress; ``Duplicate`` if it is taken.

        With ``ownership_check`` (a ``ConditionCheck`` on the object's ownership record, see
        ``Ownership.owned_check``) the record is written only if the object is this stack resource's;
        otherwise nothing is written and the answer says whose it is.
        """
        now = time.time()
        remaining_ms = int(context.get_remaining_time_in_millis()) if context is not None else 0
        item: dict[str, Any] = {
            **self.item_key(key),
            "status": {"S": INPROGRESS},
            "expiration": {"N": str(int(now) + self._expires_after)},
            "in_progress_expiration": {"N": str(int(now * 1000) + remaining_ms)},
        }
        if in_flight is not None:
            item["in_flight"] = {"S": json.dumps(dict(in_flight), default=str)}
        put = {
            "TableName": self.table_name,
            "Item": item,
            "ConditionExpression": (
                "attribute_not_exists(id) OR expiration < :now OR "
                "(#s = :inprogress AND in_progress_expiration < :now_ms)"
            ),
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {
                ":now": {"N": str(int(now))},
                ":now_ms": {"N": str(int(now * 1000))},
                ":inprogress": {"S": INPROGRESS},
            },
        }
        if ownership_check is None:
            try:
                self._dynamodb.put_item(**put)
            except self._dynamodb.exceptions.ConditionalCheckFailedException:
                raise _duplicate() from None
            return "ours"
        try:
            self._dynamodb.transact_write_items(
                TransactItems=[{"Put": put}, {"ConditionCheck": dict(ownership_check)}]
            )
        except self._dynamodb.exceptions.TransactionCanceledException as error:
            return self._standing_of(error)
        return "ours"

    @staticmethod
    def _standing_of(error: Any) -> Standing:
        reasons: Sequence[Mapping[str, Any]] = error.response.get("CancellationReasons") or []
        codes = [str(reason.get("Code") or "None") for reason in reasons]
        if not codes or codes[0] == "ConditionalCheckFailed":
            raise _duplicate() from None
        if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
            return "foreign" if reasons[1].get("Item") else "unrecorded"
        raise error

    def complete(
        self, key: Mapping[str, Any], physical_id: str, ownership_write: Mapping[str, Any] | None
    ) -> None:
        """``COMPLETED`` with ``physical_id``, and ``ownership_write`` (a transaction item) with it."""
        update = {
            "TableName": self.table_name,
            "Key": self.item_key(key),
            "UpdateExpression": "SET #s = :done, PhysicalId = :p, expiration = :e",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {
                ":done": {"S": COMPLETED},
                ":p": {"S": physical_id},
                ":e": {"N": str(int(time.time()) + self._expires_after)},
            },
        }
        if ownership_write is None:
            self._dynamodb.update_item(**update)
            return
        self._dynamodb.transact_write_items(TransactItems=[dict(ownership_write), {"Update": update}])

    def cancelled_errors(self) -> type[Exception]:
        """The error of a cancelled transaction (its ``CancellationReasons`` say which item failed)."""
        error: type[Exception] = self._dynamodb.exceptions.TransactionCanceledException
        return error

    def close(self, key: Mapping[str, Any]) -> None:
        """``COMPLETED`` after an ending other than ``complete`` (failures are only logged)."""
        try:
            self._dynamodb.update_item(
                TableName=self.table_name,
                Key=self.item_key(key),
                UpdateExpression="SET #s = :done, expiration = :e",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":done": {"S": COMPLETED},
                    ":e": {"N": str(int(time.time()) + self._expires_after)},
                },
            )
        except Exception as error:
            logger.warning("Could not record the request as finished", extra={"error": type(error).__name__})

    def load(self, key: Mapping[str, Any]) -> dict[str, Any] | None:
        """The record of ``key`` (status, in-flight create, physical id), or ``None``."""
        found = self._dynamodb.get_item(
            TableName=self.table_name, Key=self.item_key(key), ConsistentRead=True
        ).get("Item")
        if not found:
            return None
        record: dict[str, Any] = {
            "status": found.get("status", {}).get("S", ""),
            "physical_id": found.get("PhysicalId", {}).get("S"),
        }
        if "in_flight" in found:
            record["in_flight"] = json.loads(found["in_flight"]["S"])
        return record

    def finished(self, key: Mapping[str, Any]) -> bool:
        """Whether a run for ``key`` ended (``COMPLETED``); False if it never started, or started and
        never ended (the invocation crashed, ran out of memory or timed out)."""
        record = self.load(key)
        return record is not None and record["status"] == COMPLETED


def _duplicate() -> Duplicate:
    logger.info("Duplicate delivery (the first is running or finished): nothing processed")
    return Duplicate()
