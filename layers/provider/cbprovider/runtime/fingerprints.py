"""What each object's properties were when the provider last reported SUCCESS for it.

CloudFormation rolls back a failed Update that needed a new object by sending another Update whose
``ResourceProperties`` are the old ones and whose ``PhysicalResourceId`` is the object that still has
them. Comparing its old and new properties says "replace", which would create that object a second
time (a duplicate replication, a second Capella cluster, a user or activation the API refuses). The
fingerprint kept here says the object already has these properties, so such an Update is carried out
in place. Only a hash of the properties is stored (in the state table, key ``props#<40 hex>``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from cbprovider.runtime.ids import request_digest
from cbprovider.runtime.log import logger

KEY_PREFIX = "props#"


def properties_hash(properties: Mapping[str, Any]) -> str:
    """A stable hash of resource properties (``ServiceToken`` left out: it names the provider)."""
    relevant = {k: v for k, v in properties.items() if k != "ServiceToken"}
    return hashlib.sha256(json.dumps(relevant, sort_keys=True, default=str).encode()).hexdigest()


class Fingerprints:
    """Reads and writes the fingerprints; failures are logged and never stop a response."""

    def __init__(self, table_name: str, dynamodb: Any) -> None:
        self._table_name = table_name
        self._dynamodb = dynamodb

    @staticmethod
    def _key(event: Mapping[str, Any], physical_id: str) -> dict[str, Any]:
        digest = request_digest(str(event.get("StackId")), str(event.get("LogicalResourceId")), physical_id)
        return {"id": {"S": KEY_PREFIX + digest}}

    def remember(self, event: Mapping[str, Any], physical_id: str) -> None:
        item = {
            **self._key(event, physical_id),
            "properties": {"S": properties_hash(event.get("ResourceProperties") or {})},
        }
        try:
            self._dynamodb.put_item(TableName=self._table_name, Item=item)
        except Exception as error:
            logger.warning("Could not record the object's properties", extra={"error": type(error).__name__})

    def forget(self, event: Mapping[str, Any], physical_id: str) -> None:
        try:
            self._dynamodb.delete_item(TableName=self._table_name, Key=self._key(event, physical_id))
        except Exception as error:
            logger.warning("Could not remove the object's properties", extra={"error": type(error).__name__})

    def holds(self, event: Mapping[str, Any], physical_id: str) -> bool:
        """Whether ``physical_id`` last succeeded with exactly the event's ``ResourceProperties``."""
        try:
            found = self._dynamodb.get_item(
                TableName=self._table_name, Key=self._key(event, physical_id), ConsistentRead=True
            )
        except Exception as error:
            logger.warning("Could not read the object's properties", extra={"error": type(error).__name__})
            return False
        stored = found.get("Item", {}).get("properties", {}).get("S")
        return isinstance(stored, str) and stored == properties_hash(event.get("ResourceProperties") or {})
