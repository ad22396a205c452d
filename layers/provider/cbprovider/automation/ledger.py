"""What a fanned-out monitor run keeps in the provider's state table (DynamoDB, ``IDEMPOTENCY_TABLE``).

Every key starts with ``monitor#`` (the template grants the monitor functions only those keys):

- ``monitor#run#<run id>``: the run's planned unit count, start time and running sums of its units'
  totals. Each worker adds its unit's totals with one atomic ``ADD``; the worker whose addition completes
  the count publishes the run's metrics, so a run reports once, when every unit is in.
- ``monitor#unit#<run id>#<index>``: written once per unit before its totals are added, so a message SQS
  delivers twice is counted once.
- ``monitor#cursor#<vendor>#<endpoint>#<batch>``: where the next run starts inside a unit's slice
  (``cbprovider.automation.window``), and the endpoint's item count for planning its batches.

Run and unit records expire after a day, cursors after a month without a run (a removed endpoint's cursor
goes away by itself).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import msgspec

from cbprovider.automation.totals import RunTotals
from cbprovider.errors import ProviderError

RUN_TTL = 24 * 3600
CURSOR_TTL = 30 * 24 * 3600
BATCH_GET_LIMIT = 100
BATCH_GET_ROUNDS = 5


class LedgerError(ProviderError):
    """The state table could not be read or written."""


class Cursor(msgspec.Struct, frozen=True):
    cursor: int = 0
    total: int | None = None
    """How many items the endpoint listed when this cursor was saved (batch 0 only)."""


class CompletedRun(msgspec.Struct, frozen=True):
    run_id: str
    units: int
    started_at: float
    """Epoch seconds at which the dispatcher planned the run."""
    totals: RunTotals

    @property
    def seconds(self) -> float:
        return max(0.0, time.time() - self.started_at)


def cursor_key(vendor: str, endpoint: str, batch: int) -> str:
    return f"monitor#cursor#{vendor}#{endpoint}#{batch}"


class RunLedger:
    def __init__(self, table: str, client: Any = None) -> None:
        self.table = table
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("dynamodb")
        return self._client

    # -- runs ------------------------------------------------------------------------------------------
    def start(self, run_id: str, units: int, started_at: float) -> None:
        self._call(
            "put_item",
            TableName=self.table,
            Item={
                "id": {"S": f"monitor#run#{run_id}"},
                "units": {"N": str(units)},
                "startedAt": {"N": _number(started_at)},
                "expiration": {"N": str(int(time.time()) + RUN_TTL)},
            },
        )

    def record(self, run_id: str, index: int, totals: RunTotals) -> CompletedRun | None:
        """Add unit ``index``'s totals to run ``run_id``; the completed run when this unit was its last,
        ``None`` otherwise (also for a unit already counted, or a run the table does not know)."""
        if not self._first_delivery(run_id, index):
            return None
        key = {"id": {"S": f"monitor#run#{run_id}"}}
        if totals.max_latency is not None:
            self._raise_max_latency(key, totals.max_latency)
        counters = totals.counters()
        names = {f"#c{i}": name for i, name in enumerate(["doneUnits", *counters])}
        values = {f":c{i}": {"N": str(v)} for i, v in enumerate([1, *counters.values()])}
        try:
            answer = self.client.update_item(
                TableName=self.table,
                Key=key,
                UpdateExpression="ADD " + ", ".join(f"{n} {v}" for n, v in zip(names, values, strict=True)),
                ConditionExpression="attribute_exists(id)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except Exception as error:
            if _code(error) == "ConditionalCheckFailedException":
                return None
            raise LedgerError(f"cannot record monitor run {run_id} ({_code(error)})") from None
        item = answer["Attributes"]
        units, done = int(item["units"]["N"]), int(item["doneUnits"]["N"])
        if done != units:
            return None
        plain = {name: Decimal(value["N"]) for name, value in item.items() if "N" in value}
        latency = plain.get("maxLatency")
        return CompletedRun(
            run_id,
            units,
            float(plain["startedAt"]),
            RunTotals.from_counters(plain, None if latency is None else float(latency)),
        )

    def progress(self, run_id: str) -> tuple[int, int, RunTotals] | None:
        """``(units, units done, totals so far)`` of run ``run_id``; ``None`` if the table has no such run."""
        answer = self._call(
            "get_item", TableName=self.table, Key={"id": {"S": f"monitor#run#{run_id}"}}, ConsistentRead=True
        )
        item = answer.get("Item")
        if not item:
            return None
        plain = {name: Decimal(value["N"]) for name, value in item.items() if "N" in value}
        latency = plain.get("maxLatency")
        totals = RunTotals.from_counters(plain, None if latency is None else float(latency))
        return int(plain["units"]), int(plain.get("doneUnits", 0)), totals

    def _first_delivery(self, run_id: str, index: int) -> bool:
        try:
            self.client.put_item(
                TableName=self.table,
                Item={
                    "id": {"S": f"monitor#unit#{run_id}#{index}"},
                    "expiration": {"N": str(int(time.time()) + RUN_TTL)},
                },
                ConditionExpression="attribute_not_exists(id)",
            )
        except Exception as error:
            if _code(error) == "ConditionalCheckFailedException":
                return False
            raise LedgerError(f"cannot record monitor run {run_id} ({_code(error)})") from None
        return True

    def _raise_max_latency(self, key: Mapping[str, Any], latency: float) -> None:
        """DynamoDB has no MAX: set the value only where it is larger than the stored one."""
        try:
            self.client.update_item(
                TableName=self.table,
                Key=key,
                UpdateExpression="SET maxLatency = :v",
                ConditionExpression=(
                    "attribute_exists(id) AND (attribute_not_exists(maxLatency) OR maxLatency < :v)"
                ),
                ExpressionAttributeValues={":v": {"N": _number(latency)}},
            )
        except Exception as error:
            if _code(error) != "ConditionalCheckFailedException":
                raise LedgerError(f"cannot record the run's worst latency ({_code(error)})") from None

    # -- cursors ---------------------------------------------------------------------------------------
    def cursors(self, keys: Iterable[str]) -> dict[str, Cursor]:
        """The stored cursors among ``keys`` (BatchGetItem, 100 keys a call; absent keys are left out)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Cursor] = {}
        for start in range(0, len(wanted), BATCH_GET_LIMIT):
            request: dict[str, Any] = {
                self.table: {"Keys": [{"id": {"S": k}} for k in wanted[start : start + BATCH_GET_LIMIT]]}
            }
            for _ in range(BATCH_GET_ROUNDS):
                answer = self._call("batch_get_item", RequestItems=request)
                for item in answer.get("Responses", {}).get(self.table, []):
                    total = item.get("total", {}).get("N")
                    found[item["id"]["S"]] = Cursor(
                        int(item.get("cursor", {}).get("N", "0")), None if total is None else int(total)
                    )
                request = answer.get("UnprocessedKeys") or {}
                if not request:
                    break
        return found

    def save_cursor(self, key: str, cursor: int, total: int | None = None) -> None:
        item: dict[str, Any] = {
            "id": {"S": key},
            "cursor": {"N": str(cursor)},
            "expiration": {"N": str(int(time.time()) + CURSOR_TTL)},
        }
        if total is not None:
            item["total"] = {"N": str(total)}
        self._call("put_item", TableName=self.table, Item=item)

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, operation)(**kwargs)
        except Exception as error:
            raise LedgerError(f"state table {operation} failed ({_code(error)})") from None


def _number(value: float) -> str:
    return format(Decimal(repr(float(value))), "f")


def _code(error: BaseException) -> str:
    code = getattr(error, "response", {}).get("Error", {}).get("Code")
    return str(code or type(error).__name__)
