"""The deadline of an invocation: the Lambda's remaining time minus a margin to report and return."""

from __future__ import annotations

from typing import Any

from cbprovider.deadline import Deadline

DEFAULT_MARGIN = 3.0
"""Seconds kept back to publish metrics, log and return after the work's deadline."""
NO_CONTEXT_SECONDS = 60.0
MIN_SECONDS = 0.5


def deadline_from_context(context: Any, *, margin: float = DEFAULT_MARGIN) -> Deadline:
    """``context.get_remaining_time_in_millis()`` less ``margin``; 60 s without a context."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return Deadline.after(NO_CONTEXT_SECONDS)
    seconds = float(remaining()) / 1000.0
    return Deadline.after(max(MIN_SECONDS, seconds - margin))
