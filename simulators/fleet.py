"""A fleet of CloudBasic simulators registered as endpoints, and a local stand-in for the SQS event source
that runs the monitor's workers concurrently in this process.

``cloudbasic_fleet(endpoints, replications, latency=...)`` starts one simulator per endpoint (all with the
same admin keys, each answering after ``latency`` seconds); ``register(fleet)`` stores the keys in (moto's)
Secrets Manager and registers every simulator in the endpoint registry, as an operator would.
``drain(queue_url, handler, concurrency=...)`` plays Lambda's SQS poller: it receives the queued messages,
invokes ``handler`` with an SQS-shaped event of one record each on at most ``concurrency`` threads (the
event source's ``MaximumConcurrency``), and deletes the records the handler did not report as failures.

moto applies a DynamoDB write in several Python steps, so two threads adding to the same item can lose an
update, which DynamoDB never does; ``atomic_dynamodb()`` makes moto's writes atomic for the duration.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from simulators.cloudbasic import CloudBasicSimulator
from simulators.stack import REGION, LambdaContext, register_endpoint

ADMIN_KEYS = ("AKIAFLEETSIMULATOR01", "fleet-simulator-secret-key-0000000000000")
SQS_ARN = f"arn:aws:sqs:{REGION}:123456789012:monitor"

Handler = Callable[[Mapping[str, Any], Any], Any]


@dataclass
class Fleet:
    simulators: dict[str, CloudBasicSimulator]
    replications: dict[str, list[str]] = field(default_factory=dict)

    @property
    def replication_count(self) -> int:
        return sum(len(ids) for ids in self.replications.values())


@contextlib.contextmanager
def cloudbasic_fleet(endpoints: int, replications: int, *, latency: float = 0.0) -> Iterator[Fleet]:
    with contextlib.ExitStack() as stack:
        fleet = Fleet({})
        for number in range(endpoints):
            name = f"node-{number:04d}"
            sim = CloudBasicSimulator(
                latency=latency, admin_access_key_id=ADMIN_KEYS[0], admin_secret_access_key=ADMIN_KEYS[1]
            )
            stack.enter_context(sim)
            fleet.simulators[name] = sim
            fleet.replications[name] = sim.add_replications(replications)
        yield fleet


def register(fleet: Fleet) -> str:
    """The admin keys as a secret and every simulator as a registry entry; returns the secret's ARN."""
    import boto3

    secret = json.dumps({"AccessKeyId": ADMIN_KEYS[0], "SecretAccessKey": ADMIN_KEYS[1]})
    arn = str(boto3.client("secretsmanager").create_secret(Name="fleet/admin", SecretString=secret)["ARN"])
    for name, sim in fleet.simulators.items():
        register_endpoint("cloudbasic", name, sim.url, credentials_secret_arn=arn)
    return arn


def sqs_event(message: Mapping[str, Any]) -> dict[str, Any]:
    """The event Lambda's SQS poller sends for one received message."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": SQS_ARN,
                "awsRegion": REGION,
            }
        ]
    }


@dataclass
class Drained:
    invocations: int = 0
    failed: list[str] = field(default_factory=list)
    """Message ids the handler reported in ``batchItemFailures`` (left on the queue)."""
    errors: list[BaseException] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    """How long each invocation took (with the others running beside it)."""


def drain(queue_url: str, handler: Handler, *, concurrency: int, timeout: float = 120.0) -> Drained:
    """Every message now on the queue, one invocation each, ``concurrency`` at a time."""
    import boto3

    sqs = boto3.client("sqs")
    messages: list[dict[str, Any]] = []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=900)
        if not got.get("Messages"):
            break
        messages.extend(got["Messages"])
    done = Drained()

    def invoke(message: dict[str, Any]) -> list[str]:
        started = time.monotonic()
        answer = handler(sqs_event(message), LambdaContext(timeout, function_name="monitor-worker"))
        done.seconds.append(time.monotonic() - started)
        return [f["itemIdentifier"] for f in (answer or {}).get("batchItemFailures", [])]

    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = {pool.submit(invoke, m): m for m in messages}
        for future in concurrent.futures.as_completed(futures):
            message = futures[future]
            done.invocations += 1
            error = future.exception()
            if error is not None:
                done.errors.append(error)
                continue
            failed = future.result()
            done.failed.extend(failed)
            if message["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return done


def create_queue(name: str = "monitor") -> str:
    import boto3

    return str(boto3.client("sqs").create_queue(QueueName=name)["QueueUrl"])


@contextlib.contextmanager
def atomic_dynamodb() -> Iterator[None]:
    """moto's DynamoDB writes applied one at a time, as DynamoDB applies each write atomically."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    saved = {name: getattr(DynamoDBBackend, name) for name in ("put_item", "update_item")}

    def locked(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def run(*args: Any, **kwargs: Any) -> Any:
            with lock:
                return original(*args, **kwargs)

        return run

    for name, original in saved.items():
        setattr(DynamoDBBackend, name, locked(original))
    try:
        yield
    finally:
        for name, original in saved.items():
            setattr(DynamoDBBackend, name, original)
