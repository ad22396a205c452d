"""Run a local Couchbase Capella Management API (v2/v3) in the foreground until interrupted (Ctrl-C).

It prints the address it listens on and the key pair that signs requests to it, as shell exports that cbctl
reads. Without --access-key/--secret-key it uses the fixed demo keys listed in the README: fine for a local
simulator, never for Capella. A secret key you choose yourself is not printed back.
"""

from __future__ import annotations

import argparse
import os
import sys

from simulators.capella.simulator import CapellaSimulator
from simulators.cli import port_number, run, start

DEMO_ACCESS_KEY = "capella-simulator-demo-access-key"
DEMO_SECRET_KEY = "capella-simulator-demo-secret-key"  # documented in the README


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cbctl simulate capella",
        description=__doc__,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=port_number, default=0, help="TCP port; 0 picks a free one")
    parser.add_argument("--deploy-seconds", type=float, default=2.0, help="how long a cluster deploy runs")
    parser.add_argument("--destroy-seconds", type=float, default=1.0, help="how long a cluster delete runs")
    parser.add_argument("--scale-seconds", type=float, default=1.0, help="how long a cluster change runs")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument(
        "--clock-skew-seconds", type=float, default=300, help="accepted Couchbase-Timestamp drift"
    )
    parser.add_argument(
        "--access-key",
        default=os.environ.get("CAPELLA_ACCESS_KEY"),
        help="v3 API access key (default: $CAPELLA_ACCESS_KEY, else the demo key)",
    )
    parser.add_argument(
        "--secret-key",
        default=os.environ.get("CAPELLA_SECRET_KEY"),
        help="v3 API secret key (default: $CAPELLA_SECRET_KEY, else the demo secret)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    chosen = bool(args.secret_key)
    access = args.access_key or DEMO_ACCESS_KEY
    secret = args.secret_key or DEMO_SECRET_KEY
    sim = CapellaSimulator(
        host=args.host,
        port=args.port,
        access_key=access,
        secret_key=secret,
        deploy_seconds=args.deploy_seconds,
        destroy_seconds=args.destroy_seconds,
        scale_seconds=args.scale_seconds,
        latency=args.latency,
        clock_skew_seconds=args.clock_skew_seconds,
    )
    start(sim, parser, args.host, args.port)
    banner = [f"Capella simulator listening on {sim.url}", f"access key: {sim.access_key}"]
    exports = f"export CAPELLA_API_URL={sim.url} CAPELLA_ACCESS_KEY={sim.access_key}"
    if chosen:
        banner += ["secret key: as given", exports]
    else:
        banner += [f"secret key: {secret} (the public demo key)", f"{exports} CAPELLA_SECRET_KEY={secret}"]
    return run(sim, banner)


if __name__ == "__main__":
    sys.exit(main())
