"""``python -m simulators.cloudbasic``: run the CloudBasic simulator in the foreground until interrupted.

Prints one line with the URL and the admin access key id. The secret is printed only when the operator chose
it: pass ``--access-key-id``/``--secret-access-key`` (or set ``CLOUDBASIC_ACCESS_KEY_ID`` /
``CLOUDBASIC_SECRET_ACCESS_KEY``) so that scripts know the keys; otherwise they are random and the secret is
not shown. With ``--not-activated`` the chosen keys are the ones ActivateInstance hands out.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from types import FrameType

from simulators.cloudbasic.simulator import CloudBasicSimulator


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="simulators.cloudbasic", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--seeding-seconds", type=float, default=2.0)
    parser.add_argument("--promote-seconds", type=float, default=1.0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--instance-id", default="i-0123456789abcdef0")
    parser.add_argument("--not-activated", action="store_true", help="start before ActivateInstance")
    parser.add_argument("--strict-payload-hash", action="store_true")
    parser.add_argument("--access-key-id", default=os.environ.get("CLOUDBASIC_ACCESS_KEY_ID"))
    parser.add_argument("--secret-access-key", default=os.environ.get("CLOUDBASIC_SECRET_ACCESS_KEY"))
    return parser


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if bool(args.access_key_id) != bool(args.secret_access_key):
        parser.error("--access-key-id and --secret-access-key go together")
    sim = CloudBasicSimulator(
        host=args.host,
        port=args.port,
        seeding_seconds=args.seeding_seconds,
        promote_seconds=args.promote_seconds,
        latency=args.latency,
        instance_id=args.instance_id,
        activated=not args.not_activated,
        strict_payload_hash=args.strict_payload_hash,
        admin_access_key_id=args.access_key_id,
        admin_secret_access_key=args.secret_access_key,
    )
    signal.signal(signal.SIGTERM, _stop)
    sim.start()
    if args.not_activated:
        keys = "not activated: call ActivateInstance (unsigned) for the admin keys"
    elif args.access_key_id:
        keys = f"access key id {args.access_key_id} (secret as given)"
    else:
        admin = sim.admin_keys
        key_id = admin[0] if admin else "?"
        keys = f"access key id {key_id} (random secret, not shown: pass --secret-access-key to choose one)"
    print(f"CloudBasic simulator listening on {sim.url} - {keys}", flush=True)
    sim.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
