"""``python -m simulators.capella``: run the Capella simulator in the foreground until interrupted.

Prints the URL and the access key. The secret key is never printed: pass ``--secret-key`` (or set
``CAPELLA_SECRET_KEY``) to choose one that your client knows; otherwise a random one is used.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from types import FrameType

from simulators.capella.simulator import CapellaSimulator


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="simulators.capella", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--deploy-seconds", type=float, default=2.0)
    parser.add_argument("--destroy-seconds", type=float, default=1.0)
    parser.add_argument("--scale-seconds", type=float, default=1.0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--clock-skew-seconds", type=float, default=300)
    parser.add_argument("--access-key", default=os.environ.get("CAPELLA_ACCESS_KEY"))
    parser.add_argument("--secret-key", default=os.environ.get("CAPELLA_SECRET_KEY"))
    return parser


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    sim = CapellaSimulator(
        host=args.host,
        port=args.port,
        access_key=args.access_key,
        secret_key=args.secret_key,
        deploy_seconds=args.deploy_seconds,
        destroy_seconds=args.destroy_seconds,
        scale_seconds=args.scale_seconds,
        latency=args.latency,
        clock_skew_seconds=args.clock_skew_seconds,
    )
    signal.signal(signal.SIGTERM, _stop)
    sim.start()
    secret_note = "as given" if args.secret_key else "random, not shown (pass --secret-key to choose one)"
    print(f"Capella simulator listening on {sim.url}", flush=True)
    print(f"access key: {sim.access_key}", flush=True)
    print(f"secret key: {secret_note}", flush=True)
    sim.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
