"""Scrubbing free text (tracebacks) of presigned-URL signatures and secret-looking assignments."""

from __future__ import annotations

import re
import traceback

_PRESIGNED = re.compile(r"(X-Amz-[A-Za-z-]+=)[^&\s'\"]+", re.IGNORECASE)
_ASSIGNMENT = re.compile(
    r"((?:password|passwd|pwd|secret[a-z_]*key|privatekey|private_key|token)['\"]?\s*[:=]\s*['\"]?)[^\s'\";,&]+",
    re.IGNORECASE,
)


def scrub(text: str) -> str:
    text = _PRESIGNED.sub(r"\1***", text)
    return _ASSIGNMENT.sub(r"\1***", text)


def scrubbed_traceback(error: BaseException) -> str:
    """The traceback of ``error``, scrubbed, for the log only."""
    return scrub("".join(traceback.format_exception(error)))
