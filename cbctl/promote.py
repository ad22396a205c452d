"""``cbctl promote REPLICATION_ID``: promote a replica to primary and follow it to the end.

Calls PromoteDbReplicaToPrimary (skipped with ``--resume``), then PromoteDbReplicaToPrimaryStatus every
``--poll-interval`` seconds for up to ``--wait`` seconds; after ``Success`` it optionally UPSERTs a Route 53
CNAME (``--dns-zone-id``, ``--dns-record-name``, ``--dns-target`` or the replica's server, ``--dns-ttl``).
The API is ``--url`` or ``CLOUDBASIC_API_URL``; the key pair comes from ``--credentials-secret-arn``, else
``CLOUDBASIC_ACCESS_KEY_ID``/``CLOUDBASIC_SECRET_ACCESS_KEY``, else ``CLOUDBASIC_CREDENTIALS_SECRET_ARN``.
``--ca-bundle PATH`` trusts a PEM bundle, e.g. a self-signed appliance certificate.

Exit status: 0 promoted, 1 promotion failed or an API error, 2 bad arguments (including the flag
combinations the API forbids), 3 still running after ``--wait`` (run again with ``--resume``).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
from typing import Any

from cbprovider.automation.errors import InputError
from cbprovider.automation.promotion_request import DEFAULT_POLL_INTERVAL, PromotionRequest

from cbctl.monitor import cloudbasic_credentials, pem_file, positive_seconds

DEFAULT_WAIT = 600.0
EXIT_STILL_RUNNING = 3
FLAG_OPTIONS = {
    "ignore_inaccessible_source_connection": "IgnoreInaccessibleSourceConnection",
    "ignore_db_discrepancies": "IgnoreDbDiscrepancies",
    "cancel_running_ct_process": "CancelRunningCtProcess",
    "turn_off_data_replication": "TurnOffDataReplication",
    "enable_constraints_with_check": "EnableConstraintsWithCheck",
}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("replication_id", metavar="REPLICATION_ID", help="the replication's GUID")
    for dest, name in FLAG_OPTIONS.items():
        option = "--" + dest.replace("_", "-")
        parser.add_argument(option, dest=dest, action="store_true", help=f"send {name}=true")
    parser.add_argument("--parallel-tables-limit", metavar="N", help="discrepancy analysis concurrency")
    parser.add_argument("--resume", action="store_true", help="do not start; follow a running promotion")
    parser.add_argument("--url", help="CloudBasic API base URL (default: $CLOUDBASIC_API_URL)")
    parser.add_argument("--credentials-secret-arn", metavar="ARN", help="CloudBasic key pair secret")
    parser.add_argument("--signing-region", help="SigV4 region (blank on 12.301+; us-east-1 before)")
    parser.add_argument("--signing-service", help="SigV4 service name (default cloudbasic)")
    parser.add_argument(
        "--ca-bundle", type=pem_file, metavar="PATH", help="PEM bundle trusted for the API's TLS"
    )
    parser.add_argument("--dns-zone-id", metavar="ZONE", help="Route 53 hosted zone of the CNAME")
    parser.add_argument("--dns-record-name", metavar="NAME", help="CNAME to point at the promoted server")
    parser.add_argument("--dns-target", metavar="HOST", help="CNAME value (default: the replica's server)")
    parser.add_argument("--dns-ttl", metavar="SECONDS", help="CNAME TTL (default 300)")
    parser.add_argument(
        "--wait",
        type=positive_seconds,
        default=DEFAULT_WAIT,
        metavar="SECONDS",
        help="how long to follow the status",
    )
    parser.add_argument(
        "--poll-interval",
        type=positive_seconds,
        default=DEFAULT_POLL_INTERVAL,
        metavar="SECONDS",
        help="status poll",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(func=functools.partial(run, parser=parser))


def build_event(args: argparse.Namespace) -> dict[str, Any]:
    """The promotion event the Lambda function would receive for these arguments."""
    event: dict[str, Any] = {"ReplicationId": args.replication_id}
    for dest, name in FLAG_OPTIONS.items():
        if getattr(args, dest):
            event[name] = True
    if args.parallel_tables_limit is not None:
        event["ParallelTablesLimit"] = args.parallel_tables_limit
    dns = {
        "HostedZoneId": args.dns_zone_id,
        "RecordName": args.dns_record_name,
        "Target": args.dns_target,
        "Ttl": args.dns_ttl,
    }
    if any(v is not None for v in dns.values()):
        event["Dns"] = {k: v for k, v in dns.items() if v is not None}
    event["PollIntervalSeconds"] = args.poll_interval
    event["Resume"] = args.resume
    return event


def run(args: argparse.Namespace, *, parser: argparse.ArgumentParser) -> int:
    from cbprovider.automation.promotion import Promotion
    from cbprovider.cloudbasic.client import CloudBasicClient
    from cbprovider.deadline import Deadline

    try:
        request = PromotionRequest.from_event(build_event(args))
    except InputError as exc:
        parser.error(_as_option(str(exc)))
    url = args.url or os.environ.get("CLOUDBASIC_API_URL", "")
    if not url:
        parser.error("no API URL: pass --url or set CLOUDBASIC_API_URL")
    try:
        from cbprovider.automation.settings import check_url

        url = check_url(url, "--url")
    except InputError as exc:
        parser.error(str(exc))
    credentials = cloudbasic_credentials(args.credentials_secret_arn)
    if credentials is None:
        parser.error(
            "no credentials: set CLOUDBASIC_ACCESS_KEY_ID and CLOUDBASIC_SECRET_ACCESS_KEY "
            "or pass --credentials-secret-arn"
        )
    with CloudBasicClient(
        url,
        credentials,
        service=args.signing_service or "cloudbasic",
        region=args.signing_region or "",
        ca_bundle=args.ca_bundle,
    ) as client:
        result = Promotion(request, client).run(Deadline.after(args.wait))
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(_render(result.to_dict()))
    if result.status == "Success":
        return 0
    if result.should_continue:
        return EXIT_STILL_RUNNING
    return 1


def _as_option(message: str) -> str:
    """``IgnoreDbDiscrepancies: ...`` -> ``--ignore-db-discrepancies: ...`` where a flag is named."""
    for dest, name in FLAG_OPTIONS.items():
        message = message.replace(name, "--" + dest.replace("_", "-"))
    return message


def _render(result: dict[str, Any]) -> str:
    progress = f" ({result['progress']}%)" if result.get("progress") is not None else ""
    lines = [f"Promotion of {result['replicationId']}: {result['status']}{progress}"]
    for line in result.get("logsTail") or []:
        lines.append(f"  {line}")
    dns = result.get("dns")
    if dns:
        lines.append(
            f"DNS: {dns['recordName']} CNAME {dns['target']} (TTL {dns['ttl']}) in {dns['hostedZoneId']}"
        )
    if result.get("continue"):
        lines.append(f"Still running: continue with  cbctl promote {result['replicationId']} --resume")
    return "\n".join(lines)
