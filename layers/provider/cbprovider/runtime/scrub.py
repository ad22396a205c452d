"""Scrubbing free text (tracebacks, reasons) of known secret values, presigned-URL signatures and
secret-looking assignments (see ``cbprovider.redaction``)."""

from __future__ import annotations

import traceback

from cbprovider.redaction import scrub

__all__ = ["scrub", "scrubbed_traceback"]


def scrubbed_traceback(error: BaseException) -> str:
    """The traceback of ``error``, scrubbed, for the log only."""
    return scrub("".join(traceback.format_exception(error)))
