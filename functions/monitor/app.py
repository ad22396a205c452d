"""Scheduled replication monitor dispatcher: the logic lives in the layer (``cbprovider.automation``)."""

from typing import Any

from cbprovider.automation.lambda_dispatch import handle


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    return handle(event, context)
