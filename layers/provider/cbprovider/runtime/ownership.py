"""Who owns each object the provider made or adopted, and what its properties were at the last SUCCESS.

The provider is shared by every stack in the account, so a physical id in an event proves nothing: a
stack could name another stack's replication or cluster in an Update or Delete, or an API could answer
a create with an id that already belongs to someone else. Every object the provider creates or adopts
is therefore recorded in the state table, keyed by (resource type, endpoint, physical id), with the
``StackId`` and ``LogicalResourceId`` that own it, written with a condition so that a record is never
taken over. Update and Delete act only on objects whose record names the requesting stack and logical
id; a Delete of anything else succeeds without an API call (the object is not this stack's to remove).

The same record keeps a hash of the properties the object had when SUCCESS was last reported. When
CloudFormation rolls back a failed replacement, it sends an Update whose ``ResourceProperties`` are the
old ones and whose ``PhysicalResourceId`` is the object that still has them: comparing old and new
properties would say "replace" and create that object a second time. The hash says the object already
has these properties, so the runtime carries such an Update out in place.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Literal

import msgspec

from cbprovider.errors import ProviderError
from cbprovider.runtime.log import logger

KEY_PREFIX = "owner#"
DEFAULT_ENDPOINT = "default"


class NotOwned(ProviderError):
    """The object named by the request (or returned by the API) belongs to another stack or resource."""


class Owner(msgspec.Struct, frozen=True):
    """The stack resource a request comes from."""

    stack_id: str
    logical_id: str


class ObjectRef(msgspec.Struct, frozen=True):
    """One object of one endpoint, as the runtime names it."""

    resource_type: str
    endpoint: str
    physical_id: str

    @classmethod
    def of(cls, event: Mapping[str, Any], physical_id: str, properties_key: str) -> ObjectRef:
        """The object ``physical_id`` on the endpoint named by the event's ``properties_key`` properties."""
        properties = event.get(properties_key) or {}
        endpoint = properties.get("Endpoint") if isinstance(properties, Mapping) else None
        return cls(str(event.get("ResourceType", "")), str(endpoint or DEFAULT_ENDPOINT), physical_id)

    def key(self) -> dict[str, Any]:
        text = json.dumps([self.resource_type, self.endpoint, self.physical_id])
        return {"id": {"S": KEY_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:40]}}


Standing = Literal["ours", "foreign", "unrecorded"]


def properties_hash(properties: Mapping[str, Any]) -> str:
    """A stable hash of resource properties (``ServiceToken`` left out: it names the provider)."""
    relevant = {k: v for k, v in properties.items() if k != "ServiceToken"}
    return hashlib.sha256(json.dumps(relevant, sort_keys=True, default=str).encode()).hexdigest()


class Ownership:
    """The ownership records in the state table (one item per object)."""

    def __init__(self, table_name: str, dynamodb: Any) -> None:
        self._table_name = table_name
        self._dynamodb = dynamodb

    def claim(self, ref: ObjectRef, owner: Owner, properties: Mapping[str, Any] | None = None) -> None:
        """Record ``owner`` for ``ref`` unless another owner holds it (then ``NotOwned``).

        With ``properties``, their hash is recorded too (the object has them now: SUCCESS). Errors of
        the table other than the condition propagate: an object that cannot be recorded is not acted on.
        """
        try:
            self._dynamodb.update_item(**self.claim_write(ref, owner, properties)["Update"])
        except self._dynamodb.exceptions.ConditionalCheckFailedException:
            raise not_owned(ref) from None

    def claim_write(
        self, ref: ObjectRef, owner: Owner, properties: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """``claim`` as a ``TransactWriteItems`` item (its condition failing means ``NotOwned``)."""
        values: dict[str, Any] = {
            ":s": {"S": owner.stack_id},
            ":l": {"S": owner.logical_id},
            ":t": {"S": ref.resource_type},
            ":e": {"S": ref.endpoint},
            ":p": {"S": ref.physical_id},
        }
        update = "SET #s = :s, #l = :l, ResourceType = :t, Endpoint = :e, PhysicalId = :p"
        if properties is not None:
            update += ", PropertiesHash = :h"
            values[":h"] = {"S": properties_hash(properties)}
        return {
            "Update": {
                "TableName": self._table_name,
                "Key": ref.key(),
                "UpdateExpression": update,
                "ConditionExpression": "attribute_not_exists(#s) OR (#s = :s AND #l = :l)",
                "ExpressionAttributeNames": {"#s": "StackId", "#l": "LogicalResourceId"},
                "ExpressionAttributeValues": values,
            }
        }

    def release_write(self, ref: ObjectRef, owner: Owner) -> dict[str, Any]:
        """Removing ``owner``'s record of ``ref`` (the object is gone), as a transaction item."""
        return {
            "Delete": {
                "TableName": self._table_name,
                "Key": ref.key(),
                "ConditionExpression": "attribute_not_exists(#s) OR (#s = :s AND #l = :l)",
                "ExpressionAttributeNames": {"#s": "StackId", "#l": "LogicalResourceId"},
                "ExpressionAttributeValues": {
                    ":s": {"S": owner.stack_id},
                    ":l": {"S": owner.logical_id},
                },
            }
        }

    def owned_check(self, ref: ObjectRef, owner: Owner) -> dict[str, Any]:
        """A ``ConditionCheck`` that ``ref`` is recorded for ``owner`` (returns the record if not)."""
        return {
            "TableName": self._table_name,
            "Key": ref.key(),
            "ConditionExpression": "#s = :s AND #l = :l",
            "ExpressionAttributeNames": {"#s": "StackId", "#l": "LogicalResourceId"},
            "ExpressionAttributeValues": {":s": {"S": owner.stack_id}, ":l": {"S": owner.logical_id}},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }

    def standing(self, ref: ObjectRef, owner: Owner) -> Standing:
        """Whether ``ref`` is recorded for ``owner``, for someone else, or not at all."""
        item = self._item(ref)
        if item is None:
            return "unrecorded"
        return "ours" if _owner_of(item) == owner else "foreign"

    def holds(self, ref: ObjectRef, owner: Owner, properties: Mapping[str, Any]) -> bool:
        """Whether ``ref`` is ``owner``'s and last succeeded with exactly ``properties``."""
        try:
            item = self._item(ref)
        except Exception as error:
            logger.warning("Could not read the object's record", extra={"error": type(error).__name__})
            return False
        if item is None or _owner_of(item) != owner:
            return False
        return bool(item.get("PropertiesHash", {}).get("S") == properties_hash(properties))

    def release(self, ref: ObjectRef, owner: Owner) -> None:
        """Remove ``owner``'s record of ``ref`` (the object is gone); failures are only logged."""
        try:
            self._dynamodb.delete_item(
                TableName=self._table_name,
                Key=ref.key(),
                ConditionExpression="StackId = :s AND LogicalResourceId = :l",
                ExpressionAttributeValues={":s": {"S": owner.stack_id}, ":l": {"S": owner.logical_id}},
            )
        except Exception as error:
            logger.warning("Could not remove the object's record", extra={"error": type(error).__name__})

    def _item(self, ref: ObjectRef) -> dict[str, Any] | None:
        found = self._dynamodb.get_item(TableName=self._table_name, Key=ref.key(), ConsistentRead=True)
        item = found.get("Item")
        return dict(item) if item else None


class OwnedElsewhere(msgspec.Struct, frozen=True):
    """``Request.owned_elsewhere``: whether an object of the request's type and endpoint is recorded for
    another stack resource than ``owner`` (one read of the state table). A value made while planning and
    carried on the request, so a resource type asks the table itself rather than calling back into the
    runtime's stages."""

    ownership: Ownership
    like: ObjectRef
    """The request's type and endpoint (its ``physical_id`` is replaced by the one asked about)."""
    owner: Owner

    def __call__(self, physical_id: str) -> bool:
        ref = ObjectRef(self.like.resource_type, self.like.endpoint, physical_id)
        return self.ownership.standing(ref, self.owner) == "foreign"


def not_owned(ref: ObjectRef) -> NotOwned:
    return NotOwned(
        f"{ref.resource_type} {ref.physical_id} on endpoint {ref.endpoint!r} belongs to another "
        "stack or resource; this provider acts on an object only for the resource that created it"
    )


def _owner_of(item: Mapping[str, Any]) -> Owner:
    return Owner(item.get("StackId", {}).get("S", ""), item.get("LogicalResourceId", {}).get("S", ""))
