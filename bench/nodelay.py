"""Simulators without the Nagle stall.

The simulators' HTTP handler writes a response's headers and its body in two ``send`` calls. On a
keep-alive connection the body then waits for the client's delayed ACK (about 40 ms on Linux) before it
leaves: every simulated call costs 40 ms more than the API would. That is the simulator, not the
provider, so the bench turns Nagle's algorithm off for the simulators it starts (``socketserver``'s own
``disable_nagle_algorithm`` switch, in this process only) and reports the stall separately.
"""

from __future__ import annotations

import socketserver
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def simulators_without_nagle() -> Iterator[None]:
    """Servers started in this block set ``TCP_NODELAY`` on every accepted connection."""
    handler = socketserver.StreamRequestHandler
    saved = handler.disable_nagle_algorithm
    handler.disable_nagle_algorithm = True
    try:
        yield
    finally:
        handler.disable_nagle_algorithm = saved
