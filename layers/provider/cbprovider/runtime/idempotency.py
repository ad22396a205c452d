"""Duplicate delivery: a request (or one poll attempt) is processed at most once.

Powertools idempotency on the state table, keyed on StackId, LogicalResourceId, RequestId and the poll
attempt. A duplicate that arrives while the first is running, or after it finished, is not processed
and sends nothing: the first one answers CloudFormation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
)

from cbprovider.runtime.log import logger

KEY_PREFIX = "request"


class Duplicate(Exception):
    """This request (attempt) is already being processed or was processed."""


class Once:
    """Runs a function once per key, remembering the outcome in the state table."""

    def __init__(self, table_name: str, *, expires_after: int, boto3_client: Any = None) -> None:
        self._store = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=boto3_client)
        self._expires_after = expires_after

    def run(
        self, key: dict[str, Any], context: Any, function: Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        """``function()`` unless ``key`` was seen; raises ``Duplicate`` for a repeat."""
        ran = False

        def body(key: dict[str, Any]) -> dict[str, Any]:
            nonlocal ran
            ran = True
            return function()

        config = IdempotencyConfig(expires_after_seconds=self._expires_after, lambda_context=context)
        guarded = idempotent_function(
            body,
            data_keyword_argument="key",
            persistence_store=self._store,
            config=config,
            key_prefix=KEY_PREFIX,
        )
        try:
            result = guarded(key=key)
        except IdempotencyAlreadyInProgressError:
            logger.info("Duplicate delivery while the first is still running: nothing sent")
            raise Duplicate from None
        if not ran:
            logger.info("Duplicate delivery of a finished request: nothing sent")
            raise Duplicate
        return dict(result)

    def finished(self, key: dict[str, Any]) -> bool:
        """Whether a run for ``key`` completed (its function returned); False if it never started, or
        started and never returned (the invocation crashed, ran out of memory or timed out)."""
        from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyItemNotFoundError

        self._store.configure(
            IdempotencyConfig(expires_after_seconds=self._expires_after), key_prefix=KEY_PREFIX
        )
        try:
            record = self._store.get_record(data=key)
        except IdempotencyItemNotFoundError:
            return False
        return bool(record is not None and record.status == "COMPLETED")
