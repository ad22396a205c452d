"""``cbctl promote REPLICATION_ID``: promote a replica to primary and follow it to the end.

Calls PromoteDbReplicaToPrimary (skipped with ``--resume``), then PromoteDbReplicaToPrimaryStatus every
``--poll-interval`` seconds for up to ``--wait`` seconds, printing one line per poll (status, progress,
elapsed) on stderr; after ``Success`` it optionally UPSERTs a Route 53 CNAME (``--dns-zone-id``,
``--dns-record-name``, ``--dns-target`` or the API URL's host, ``--dns-ttl``). Route 53 access to the zone
is checked before the promotion starts: if it fails nothing is promoted (``--skip-dns`` promotes without
the DNS change). The API is ``--url`` or ``CLOUDBASIC_API_URL``; the key pair comes from
``--credentials-secret-arn``, else ``CLOUDBASIC_ACCESS_KEY_ID``/``CLOUDBASIC_SECRET_ACCESS_KEY``, else
``CLOUDBASIC_CREDENTIALS_SECRET_ARN``. ``--ca-bundle PATH`` trusts a PEM bundle, e.g. a self-signed
appliance certificate.

Exit status:
  0  promoted (and the CNAME updated, when asked)
  1  the promotion failed, or an API error
  2  bad arguments (the flag combinations the API forbids, a --dns-* value that cannot be used)
  3  still running after --wait (run again with --resume)
  4  PROMOTED, but the CNAME was not updated: do not promote again; fix DNS access and run again
     with --resume (it only re-reads the status and retries the DNS change), or set the record by hand
  5  not started: the Route 53 check before the promotion failed (nothing was promoted)
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from cbprovider.automation.errors import InputError
from cbprovider.automation.promotion_request import DEFAULT_POLL_INTERVAL, PromotionRequest

from cbctl.helptext import Formatter, plain
from cbctl.monitor import cloudbasic_credentials, pem_file, positive_seconds

if TYPE_CHECKING:
    from cbprovider.automation.promotion import PollUpdate

DEFAULT_WAIT = 600.0
EXIT_FAILED = 1
EXIT_STILL_RUNNING = 3
EXIT_PROMOTED_DNS_NOT_UPDATED = 4
EXIT_DNS_CHECK_FAILED = 5
FLAG_OPTIONS = {
    "ignore_inaccessible_source_connection": "IgnoreInaccessibleSourceConnection",
    "ignore_db_discrepancies": "IgnoreDbDiscrepancies",
    "cancel_running_ct_process": "CancelRunningCtProcess",
    "turn_off_data_replication": "TurnOffDataReplication",
    "enable_constraints_with_check": "EnableConstraintsWithCheck",
}

DNS_OPTIONS = {
    "Dns.HostedZoneId": "--dns-zone-id",
    "Dns.RecordName": "--dns-record-name",
    "Dns.Target": "--dns-target",
    "Dns.Ttl": "--dns-ttl",
}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = plain(__doc__ or "")
    parser.formatter_class = Formatter
    parser.add_argument("replication_id", metavar="REPLICATION_ID", help="the replication's GUID")
    for dest, name in FLAG_OPTIONS.items():
        option = "--" + dest.replace("_", "-")
        parser.add_argument(option, dest=dest, action="store_true", help=f"send {name}=true")
    parser.add_argument(
        "--parallel-tables-limit",
        metavar="N",
        help="tables analysed at once for discrepancies (appliance: 1)",
    )
    parser.add_argument("--resume", action="store_true", help="do not start; follow a running promotion")
    parser.add_argument("--url", help="CloudBasic API base URL (default: $CLOUDBASIC_API_URL)")
    parser.add_argument(
        "--credentials-secret-arn",
        metavar="ARN",
        help="Secrets Manager secret with JSON AccessKeyId and SecretAccessKey "
        "(default: $CLOUDBASIC_ACCESS_KEY_ID and $CLOUDBASIC_SECRET_ACCESS_KEY)",
    )
    parser.add_argument(
        "--signing-region",
        metavar="REGION",
        help="SigV4 region: us-east-1 for every appliance, blank on 12.301+",
    )
    parser.add_argument("--signing-service", help="SigV4 service name: cloudbasic (the default) or cbr")
    parser.add_argument(
        "--ca-bundle", type=pem_file, metavar="PATH", help="PEM bundle trusted for the API's TLS"
    )
    parser.add_argument("--dns-zone-id", metavar="ZONE", help="Route 53 hosted zone of the CNAME")
    parser.add_argument("--dns-record-name", metavar="NAME", help="CNAME to point at the promoted server")
    parser.add_argument(
        "--dns-target", metavar="HOST", help="CNAME value, a host name (default: the --url host)"
    )
    parser.add_argument("--dns-ttl", metavar="SECONDS", help="CNAME TTL (default 300)")
    parser.add_argument(
        "--skip-dns", action="store_true", help="promote without the DNS change (ignores the --dns-* options)"
    )
    parser.add_argument(
        "--wait",
        type=positive_seconds,
        default=DEFAULT_WAIT,
        metavar="SECONDS",
        help="how long to follow the status before exiting 3",
    )
    parser.add_argument(
        "--poll-interval",
        type=positive_seconds,
        default=DEFAULT_POLL_INTERVAL,
        metavar="SECONDS",
        help="seconds between two status calls",
    )
    parser.add_argument(
        "--output", choices=("text", "json"), default="text", help="the result as text or as JSON"
    )
    parser.add_argument("--json", dest="output", action="store_const", const="json", help=argparse.SUPPRESS)
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
    if args.skip_dns:
        event["Dns"] = None
    elif any(v is not None for v in dns.values()):
        event["Dns"] = {k: v for k, v in dns.items() if v is not None}
    event["PollIntervalSeconds"] = args.poll_interval
    event["Resume"] = args.resume
    return event


def run(args: argparse.Namespace, *, parser: argparse.ArgumentParser) -> int:
    from cbprovider.automation.errors import DnsAccessError
    from cbprovider.automation.promotion import Promotion
    from cbprovider.cloudbasic.client import CloudBasicClient
    from cbprovider.deadline import Deadline
    from cbprovider.errors import ProviderError

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
        promotion = Promotion(request, client, on_poll=_print_poll)
        try:
            result = promotion.run(Deadline.after(args.wait))
        except DnsAccessError as exc:
            print(f"cbctl: {exc}", file=sys.stderr)
            return EXIT_DNS_CHECK_FAILED
        except InputError as exc:  # the DNS change cannot be made (target, zone): nothing was started
            if promotion.started:
                raise
            parser.error(_as_option(str(exc)))
        except ProviderError as exc:
            if not promotion.started:
                raise
            print(f"cbctl: {exc}", file=sys.stderr)
            print(
                "The promotion was started and may still be running: follow it with "
                f"cbctl promote {request.replication_id} --resume",
                file=sys.stderr,
            )
            return EXIT_FAILED
    if args.output == "json":
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(_render(result.to_dict()))
    if result.promoted_without_dns:
        return EXIT_PROMOTED_DNS_NOT_UPDATED
    if result.status == "Success":
        return 0
    if result.should_continue:
        return EXIT_STILL_RUNNING
    return EXIT_FAILED


def _print_poll(update: PollUpdate) -> None:
    progress = "" if update.progress is None else f" {update.progress}%"
    print(
        f"[{update.elapsed:7.1f}s] poll {update.poll}: {update.status}{progress}", file=sys.stderr, flush=True
    )


def _as_option(message: str) -> str:
    """``IgnoreDbDiscrepancies: ...`` -> ``--ignore-db-discrepancies: ...`` (flags and DNS fields)."""
    for field, option in DNS_OPTIONS.items():
        message = message.replace(field, option)
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
        record = f"{dns['recordName']} CNAME {dns['target']} (TTL {dns['ttl']}) in {dns['hostedZoneId']}"
        if result["dnsStatus"] == "Updated":
            lines.append(f"DNS: updated {record}")
        elif result["dnsStatus"] == "NotUpdated":
            lines.append(f"DNS: NOT UPDATED: {result['dnsError']}")
            lines.append(f"  wanted: {record}")
            lines.append(
                "The promotion SUCCEEDED; do not promote again. Retry only the DNS change with cbctl promote "
                f"{result['replicationId']} --resume (same --dns-* options), or set the record by hand."
            )
        else:
            lines.append(f"DNS: {result['dnsStatus']} ({record})")
    if result.get("continue"):
        lines.append(f"Still running: continue with  cbctl promote {result['replicationId']} --resume")
    return "\n".join(lines)
