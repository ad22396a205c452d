"""Replication monitor worker (one queued unit per record): the logic lives in the layer."""

from typing import Any

from cbprovider.automation.lambda_worker import handle


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    return handle(event, context)
