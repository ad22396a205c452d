"""The one error type the CloudBasic simulator's handlers raise: a 400 with the documented error shape."""

from __future__ import annotations


class ApiFault(Exception):
    """An API-level failure answered as ``ErrorResponse`` (XML) or ``{"errors": [...]}`` (JSON).

    The reference documents only 400 for failures; handlers use it for every refusal, including
    signature failures (assumption C6 in docs/simulators.md).
    """

    def __init__(self, *messages: str, status: int = 400) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)
        self.status = status


def not_found(replication_id: str) -> ApiFault:
    """The documented DeleteReplication error starts with ``{id}:Replication``; the rest is our choice."""
    return ApiFault(f"{replication_id}:Replication not found")
