"""The automation functions' logger: the same scrubbed JSON logger as the runtime's (``cbprovider.jsonlog``).

Imported from here so that the automation handlers do not import the custom-resource runtime package at
cold start.
"""

from __future__ import annotations

from cbprovider.jsonlog import logger

__all__ = ["logger"]
