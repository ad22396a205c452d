"""The units of work of a fanned-out monitor run, and the queue messages that carry them.

A message names a run, the unit's index in it, a registered endpoint and (for a large CloudBasic endpoint)
a batch of its replications; never a URL or a secret. A message is untrusted input: the worker checks every
field and reads the endpoint itself from the registry, so a message cannot point the monitor's signing keys
at an address the registry would refuse.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from cbprovider.automation.errors import InputError
from cbprovider.automation.ledger import Cursor, cursor_key
from cbprovider.automation.window import Window
from cbprovider.endpoints.entries import NAME_PATTERN, VENDORS, Vendor

DEFAULT_BATCH_SIZE = 500
"""Replications per unit: at 50 ms an answer and 32 at once, about a second of checks per unit; an
appliance answering in 2 s still fits in the worker's timeout."""
MAX_BATCH_SIZE = 10_000
MAX_INDEX = 1_000_000
_RUN_ID = re.compile(r"[0-9A-Za-z-]{1,64}")
_NAME = re.compile(NAME_PATTERN)


class WorkUnit(msgspec.Struct, frozen=True):
    run_id: str
    index: int
    vendor: Vendor
    endpoint: str
    batch: int = 0
    offset: int = 0
    limit: int | None = None
    """``None``: to the end of the endpoint's list (the last batch)."""

    @property
    def cursor_key(self) -> str:
        return cursor_key(self.vendor, self.endpoint, self.batch)

    def window(self, cursor: Cursor | None) -> Window:
        return Window(self.offset, self.limit, 0 if cursor is None else cursor.cursor)

    def to_body(self) -> str:
        return json.dumps(
            {
                "RunId": self.run_id,
                "Unit": self.index,
                "Vendor": self.vendor,
                "Endpoint": self.endpoint,
                "Batch": self.batch,
                "Offset": self.offset,
                "Limit": self.limit,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_body(cls, body: object) -> WorkUnit:
        """The unit a message body describes; ``InputError`` naming the first bad field."""
        try:
            data = json.loads(body) if isinstance(body, str) else None
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise InputError("body", "must be a JSON object")
        run_id = _text(data, "RunId", _RUN_ID)
        vendor = data.get("Vendor")
        if vendor not in VENDORS:
            raise InputError("Vendor", f"must be one of {', '.join(VENDORS)}")
        limit = data.get("Limit")
        return cls(
            run_id=run_id,
            index=_whole(data, "Unit", MAX_INDEX),
            vendor=vendor,
            endpoint=_text(data, "Endpoint", _NAME),
            batch=_whole(data, "Batch", MAX_INDEX),
            offset=_whole(data, "Offset", MAX_INDEX * MAX_BATCH_SIZE),
            limit=None if limit is None else _whole(data, "Limit", MAX_BATCH_SIZE, minimum=1),
        )


def _text(data: Mapping[str, Any], name: str, pattern: re.Pattern[str]) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise InputError(name, f"must match {pattern.pattern}")
    return value


def _whole(data: Mapping[str, Any], name: str, maximum: int, *, minimum: int = 0) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise InputError(name, f"must be a whole number from {minimum} to {maximum}")
    return value


def plan(
    run_id: str,
    cloudbasic: Sequence[str],
    capella: Sequence[str],
    known: Mapping[str, Cursor],
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> list[WorkUnit]:
    """One unit per endpoint; a CloudBasic endpoint that listed more than ``batch_size`` replications in
    an earlier run gets one unit per batch (the last one open-ended, so growth since is still covered)."""
    units: list[WorkUnit] = []
    for name in cloudbasic:
        stored = known.get(cursor_key("cloudbasic", name, 0))
        total = stored.total if stored is not None and stored.total else 0
        batches = max(1, math.ceil(total / batch_size))
        for batch in range(batches):
            last = batch == batches - 1
            units.append(
                WorkUnit(
                    run_id,
                    len(units),
                    "cloudbasic",
                    name,
                    batch,
                    batch * batch_size,
                    None if last else batch_size,
                )
            )
    for name in capella:
        units.append(WorkUnit(run_id, len(units), "capella", name))
    return units
