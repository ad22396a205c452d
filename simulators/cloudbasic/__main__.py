"""Run a local CloudBasic appliance API in the foreground until interrupted (Ctrl-C).

It prints the address it listens on and the key pair that signs requests to it, as shell exports that cbctl
reads. Without --access-key-id/--secret-access-key it uses the fixed demo keys listed in the README
(AKIDCLOUDBASICDEMO01 and its public secret): fine for a local simulator, never for a real appliance. Keys you
choose yourself are not printed back.
"""

from __future__ import annotations

import argparse
import os
import sys

from simulators.cli import port_number, run, start
from simulators.cloudbasic.dialect import ERROR_SHAPES, JSON_CASES, Dialect
from simulators.cloudbasic.simulator import CloudBasicSimulator
from simulators.cloudbasic.versions import NEWEST, OLDEST, ApplianceVersion

DEMO_ACCESS_KEY_ID = "AKIDCLOUDBASICDEMO01"
DEMO_SECRET_ACCESS_KEY = "cloudbasic-simulator-demo-secret-key-001"  # documented in the README


def _version(value: str) -> ApplianceVersion:
    try:
        return ApplianceVersion.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cbctl simulate cloudbasic",
        description=__doc__,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=port_number, default=0, help="TCP port; 0 picks a free one")
    parser.add_argument(
        "--appliance-version",
        type=_version,
        default=NEWEST,
        metavar="X.Y",
        help=f"behave like this appliance release: before 12.301 only region us-east-1 signs and "
        f"ActivateInstance has no EULA fields; before 12.347 CreateCluster has no LocalServer "
        f"(oldest modelled {OLDEST})",
    )
    parser.add_argument(
        "--seeding-seconds", type=float, default=2.0, help="how long a new replication's seeding runs"
    )
    parser.add_argument("--promote-seconds", type=float, default=1.0, help="how long a promotion runs")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument(
        "--instance-id", default="i-0123456789abcdef0", help="EC2 instance id ActivateInstance must name"
    )
    parser.add_argument(
        "--not-activated",
        action="store_true",
        help="start before ActivateInstance (which then hands out the keys)",
    )
    parser.add_argument(
        "--strict-payload-hash",
        action="store_true",
        help="require X-Amz-Content-Sha256 to match the body (the vendor's node sample would fail)",
    )
    parser.add_argument(
        "--access-key-id",
        default=os.environ.get("CLOUDBASIC_ACCESS_KEY_ID"),
        help="admin access key id (default: $CLOUDBASIC_ACCESS_KEY_ID, else the demo key)",
    )
    parser.add_argument(
        "--secret-access-key",
        default=os.environ.get("CLOUDBASIC_SECRET_ACCESS_KEY"),
        help="admin secret key (default: $CLOUDBASIC_SECRET_ACCESS_KEY, else the demo secret)",
    )
    parser.add_argument(
        "--json-case",
        choices=JSON_CASES,
        default="camel",
        help="key case of JSON answers (pascal: 2023 samples)",
    )
    parser.add_argument(
        "--error-shape",
        choices=ERROR_SHAPES,
        default="documented",
        help="documented: ErrorResponse/Errors; message: <Error><RequestId/><Message/></Error> in XML",
    )
    parser.add_argument(
        "--xml-errors", action="store_true", help="answer errors in XML even to JSON requests"
    )
    parser.add_argument(
        "--seeding-failure", default="Failed", metavar="TEXT", help="how a failed seeding's status is spelled"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if bool(args.access_key_id) != bool(args.secret_access_key):
        parser.error("--access-key-id and --secret-access-key go together")
    chosen = bool(args.access_key_id)
    access = args.access_key_id or DEMO_ACCESS_KEY_ID
    secret = args.secret_access_key or DEMO_SECRET_ACCESS_KEY
    try:
        dialect = Dialect(args.json_case, args.error_shape, args.xml_errors, args.seeding_failure)
    except ValueError as exc:
        parser.error(str(exc))
    sim = CloudBasicSimulator(
        host=args.host,
        port=args.port,
        seeding_seconds=args.seeding_seconds,
        promote_seconds=args.promote_seconds,
        latency=args.latency,
        instance_id=args.instance_id,
        activated=not args.not_activated,
        strict_payload_hash=args.strict_payload_hash,
        admin_access_key_id=access,
        admin_secret_access_key=secret,
        appliance_version=args.appliance_version,
        dialect=dialect,
    )
    start(sim, parser, args.host, args.port)
    region = "" if sim.version.blank_region else "us-east-1"
    banner = [f"CloudBasic simulator {sim.version} listening on {sim.url} - access key id {access}"]
    if args.not_activated:
        banner.append("not activated: call ActivateInstance (unsigned) for the admin keys")
    banner.append(f"export CLOUDBASIC_API_URL={sim.url}")
    if chosen:
        banner.append(f"export CLOUDBASIC_ACCESS_KEY_ID={access}  # secret as you chose it")
    else:
        banner.append(f"export CLOUDBASIC_ACCESS_KEY_ID={access} CLOUDBASIC_SECRET_ACCESS_KEY={secret}")
    if region:
        banner.append(
            f"# appliances before 12.301 sign with region {region}: cbctl --signing-region {region}"
        )
    return run(sim, banner)


if __name__ == "__main__":
    sys.exit(main())
