"""The runtime's logger: ``cbprovider.jsonlog``'s scrubbed JSON lines at LOG_LEVEL, never the raw event."""

from __future__ import annotations

from cbprovider.jsonlog import logger

__all__ = ["logger"]
