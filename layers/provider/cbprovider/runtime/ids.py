"""Physical ids the runtime makes up, and the names derived from a request (poll rule, state key)."""

from __future__ import annotations

import hashlib
import re

_PLACEHOLDER = re.compile(r"^failed-create-.+-[0-9a-f]{8}$", re.DOTALL)
_RULE_CHARS = re.compile(r"[^A-Za-z0-9._-]")
MAX_RULE_NAME = 64
"""EventBridge's limit on a rule name."""


def placeholder_id(logical_id: str, request_id: str) -> str:
    """The physical id returned by a Create that failed: recognisable, never empty, unique per request."""
    return f"failed-create-{logical_id}-{_digest(request_id)[:8]}"


def is_placeholder(physical_id: str) -> bool:
    """True for an id made by ``placeholder_id`` (a Delete of it has nothing to remove)."""
    return bool(_PLACEHOLDER.match(physical_id))


def request_digest(stack_id: str, logical_id: str, request_id: str) -> str:
    """40 hex characters that identify one CloudFormation request."""
    return _digest(f"{stack_id}|{logical_id}|{request_id}")[:40]


def rule_name(prefix: str, digest: str) -> str:
    """A poll rule name: the fixed prefix (cleaned) plus the request digest, at most 64 characters."""
    clean = _RULE_CHARS.sub("-", prefix)[:20]
    return (clean + digest)[:MAX_RULE_NAME]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
