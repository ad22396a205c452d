"""Every AWS API call the code makes, seen at botocore, with faults injected on chosen operations.

It wraps ``botocore.client.BaseClient._make_api_call``, the one place every client of every session
(boto3's default session and any other) goes through, so a test can assert that a call was
never made (``GetSecretValue`` of a secret that is not shared) or make one fail (``PutSecretValue``)
while moto answers the rest. The wrap sits above botocore's own retries: an injected failure is what
the code sees once those have given up (a throttle that outlasted them, an outage, a timeout).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Call:
    service: str
    operation: str
    params: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True)
class Failure:
    """How an injected failure looks to the caller: an AWS error answer (``code``, HTTP ``status``), or,
    with ``timeout``, botocore's ``ReadTimeoutError`` (the answer never came)."""

    code: str = "InternalServiceError"
    status: int = 500
    timeout: bool = False

    def exception(self, operation: str) -> Exception:
        from botocore.exceptions import ClientError, ReadTimeoutError

        failure: Exception
        if self.timeout:
            failure = ReadTimeoutError(endpoint_url=f"https://aws.invalid/{operation}")
        else:
            error = {"Code": self.code, "Message": "injected fault"}
            meta = {"HTTPStatusCode": self.status}
            failure = ClientError({"Error": error, "ResponseMetadata": meta}, operation)
        return failure


SERVER_ERROR = Failure()
THROTTLED = Failure("ThrottlingException", 400)
TIMEOUT = Failure(timeout=True)


@dataclass
class AwsCalls:
    calls: list[Call] = field(default_factory=list)
    failing: dict[str, float | Callable[[], bool]] = field(default_factory=dict)
    """Operation name -> how many more calls fail (``math.inf``: all of them), or a predicate asked at
    each call (e.g. "the appliance has handed out its keys by now")."""
    errors: dict[str, Failure] = field(default_factory=dict)
    """Operation name -> how its injected failures look (default: ``InternalServiceError``, HTTP 500)."""

    def named(self, operation: str, **params: Any) -> list[Call]:
        """The calls of ``operation`` whose parameters include ``params``."""
        return [
            c
            for c in self.calls
            if c.operation == operation and all(c.params.get(k) == v for k, v in params.items())
        ]

    def fail(
        self,
        operation: str,
        times: float | Callable[[], bool] = math.inf,
        failure: Failure | None = None,
    ) -> None:
        self.failing[operation] = times
        if failure is not None:
            self.errors[operation] = failure

    def error_for(self, operation: str) -> Exception:
        """The exception an injected failure of ``operation`` raises."""
        return self.errors.get(operation, SERVER_ERROR).exception(operation)

    def heal(self) -> None:
        """No more injected faults."""
        self.failing.clear()
        self.errors.clear()

    def fails_now(self, operation: str) -> bool:
        rule = self.failing.get(operation, 0)
        if callable(rule):
            return rule()
        if rule > 0:
            self.failing[operation] = rule - 1
            return True
        return False


@contextmanager
def aws_calls(**failing: float | Callable[[], bool]) -> Iterator[AwsCalls]:
    """Record every call; ``PutSecretValue=math.inf`` makes every PutSecretValue fail with a 500."""
    from botocore.client import BaseClient

    seen = AwsCalls(failing=dict(failing))
    original = BaseClient._make_api_call

    def spy(client: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        seen.calls.append(Call(client.meta.service_model.service_name, operation_name, dict(api_params)))
        if seen.fails_now(operation_name):
            raise seen.error_for(operation_name)
        return original(client, operation_name, api_params)

    BaseClient._make_api_call = spy
    try:
        yield seen
    finally:
        BaseClient._make_api_call = original
