"""Scheduled replication monitor: the logic lives in the layer (``cbprovider.automation``)."""

from typing import Any

from cbprovider.automation.lambda_monitor import handle


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    return handle(event, context)
