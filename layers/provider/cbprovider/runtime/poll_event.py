"""The poll event: what a poll rule's target sends the function, ``{"CfnProviderPoll": "poll#<40 hex>"}``.

Apart from ``polling`` (which writes it, and keeps the state it names) so that telling a request from a
poll, which every invocation does, does not load the poll state's storage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

POLL_KEY = "CfnProviderPoll"
"""The one key of a poll event (the target's Input)."""
STATE_PREFIX = "poll#"
"""The start of a poll state's key (the rest: 40 hex characters)."""
_STATE_KEY = re.compile(re.escape(STATE_PREFIX) + r"[0-9a-f]{40}")


def poll_key_of(event: Mapping[str, Any]) -> str | None:
    """The state key if ``event`` is exactly a poll event (``{"CfnProviderPoll": "poll#<40 hex>"}``, what
    ``Poller.schedule`` writes and nothing more), else ``None``."""
    value = event.get(POLL_KEY)
    if set(event) != {POLL_KEY} or not isinstance(value, str) or not _STATE_KEY.fullmatch(value):
        return None
    return value
