"""What the simulators' command lines share: a checked ``--port``, a clear message when the address is
unusable, the fixed demo keys and the banner that says where the simulator really listens."""

from __future__ import annotations

import argparse
import errno
import signal
from types import FrameType

from simulators.server import Simulator


def port_number(value: str) -> int:
    """``--port``: 0 (any free port) to 65535."""
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to 65535, got {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be from 0 to 65535 (0 picks a free port), got {port}")
    return port


def start(sim: Simulator, parser: argparse.ArgumentParser, host: str, port: int) -> None:
    """Start ``sim`` or end the program with a one-line reason (exit 2) instead of a traceback."""
    try:
        sim.start()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            parser.exit(2, f"{parser.prog}: port {port} on {host} is already in use: pick another --port\n")
        parser.exit(2, f"{parser.prog}: cannot listen on {host}:{port}: {exc.strerror or exc}\n")


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(sim: Simulator, banner: list[str]) -> int:
    """Print ``banner`` and serve until interrupted (SIGINT or SIGTERM)."""
    signal.signal(signal.SIGTERM, _stop)
    for line in banner:
        print(line, flush=True)
    sim.serve_forever()
    return 0
