"""``cbctl monitor``: one pass of the replication monitor from a terminal, printed as a table or JSON.

CloudBasic endpoints: each ``--url`` (key pair from ``--credentials-secret-arn``, else
``CLOUDBASIC_ACCESS_KEY_ID``/``CLOUDBASIC_SECRET_ACCESS_KEY``, else the secret named by
``CLOUDBASIC_CREDENTIALS_SECRET_ARN``). Capella: ``--capella-url`` (key pair from
``--capella-credentials-secret-arn``, else ``CAPELLA_ACCESS_KEY``/``CAPELLA_SECRET_KEY``, else
``CAPELLA_CREDENTIALS_SECRET_ARN``). ``--ca-bundle PATH`` trusts a PEM bundle (a self-signed appliance
certificate) for every CloudBasic endpoint, winning over an endpoint's ``CaBundleSecretArn``. With neither
URL option, the targets come from the environment exactly
as in the Lambda function (``MONITOR_CLOUDBASIC_ENDPOINTS`` or ``CLOUDBASIC_API_URL``; ``CAPELLA_*``).

Exit status: 0 when every item is ok, 1 when any is not (or on an API error), 2 on bad arguments.
No metrics are published from the terminal.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
from typing import Any

import msgspec
from cbprovider.automation.errors import InputError
from cbprovider.automation.settings import (
    DEFAULT_CONCURRENCY,
    DEFAULT_SIGNING_SERVICE,
    MAX_CONCURRENCY,
    CapellaTarget,
    CloudBasicTarget,
    MonitorSettings,
    check_url,
    endpoint_name,
    settings_from_env,
)
from cbprovider.errors import ProviderError

from cbctl.credentials import from_environment, from_secret
from cbctl.helptext import Formatter, plain

DEFAULT_TIMEOUT = 120.0


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = plain(__doc__ or "")
    parser.formatter_class = Formatter
    parser.add_argument(
        "--url",
        dest="cloudbasic_url",
        action="append",
        default=[],
        metavar="URL",
        help="a CloudBasic API to check (repeatable)",
    )
    parser.add_argument("--cloudbasic-url", dest="cloudbasic_url", action="append", help=argparse.SUPPRESS)
    parser.add_argument("--credentials-secret-arn", metavar="ARN", help="CloudBasic key pair secret")
    parser.add_argument(
        "--signing-region", default="", help="SigV4 region (blank on 12.301+; us-east-1 before)"
    )
    parser.add_argument("--signing-service", default=DEFAULT_SIGNING_SERVICE, help="SigV4 service name")
    parser.add_argument(
        "--ca-bundle", type=pem_file, metavar="PATH", help="PEM bundle trusted for the CloudBasic TLS"
    )
    parser.add_argument("--capella-url", metavar="URL", help="Capella Management API base URL")
    parser.add_argument("--capella-credentials-secret-arn", metavar="ARN", help="Capella v3 key pair secret")
    parser.add_argument(
        "--concurrency",
        type=_concurrency,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"items checked at once (default {DEFAULT_CONCURRENCY})",
    )
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"deadline of the pass (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--output", choices=("table", "json"), default="table", help="the summary as a table or as JSON"
    )
    parser.add_argument("--json", dest="output", action="store_const", const="json", help=argparse.SUPPRESS)
    parser.set_defaults(func=functools.partial(run, parser=parser))


def _concurrency(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {value!r}") from None
    if not 1 <= number <= MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_CONCURRENCY}")
    return number


def positive_seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return number


def pem_file(value: str) -> str:
    """An existing, readable file holding a PEM certificate (checked now rather than at the first call)."""
    try:
        with open(value, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {value!r}: {exc.strerror}") from None
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise argparse.ArgumentTypeError(f"{value!r} does not hold a PEM certificate")
    return os.path.abspath(value)


def cloudbasic_credentials(secret_arn: str | None) -> tuple[str, str] | None:
    if secret_arn:
        return from_secret(secret_arn, "AccessKeyId", "SecretAccessKey")
    from_env = from_environment("CLOUDBASIC_ACCESS_KEY_ID", "CLOUDBASIC_SECRET_ACCESS_KEY")
    if from_env is not None:
        return from_env
    arn = os.environ.get("CLOUDBASIC_CREDENTIALS_SECRET_ARN", "").strip()
    return from_secret(arn, "AccessKeyId", "SecretAccessKey") if arn else None


def capella_credentials(secret_arn: str | None) -> tuple[str, str] | None:
    if secret_arn:
        return from_secret(secret_arn, "AccessKey", "SecretKey")
    from_env = from_environment("CAPELLA_ACCESS_KEY", "CAPELLA_SECRET_KEY")
    if from_env is not None:
        return from_env
    arn = os.environ.get("CAPELLA_CREDENTIALS_SECRET_ARN", "").strip()
    return from_secret(arn, "AccessKey", "SecretKey") if arn else None


def build_settings(args: argparse.Namespace, parser: argparse.ArgumentParser) -> MonitorSettings:
    try:
        if not args.cloudbasic_url and not args.capella_url:
            try:
                from_env = settings_from_env(os.environ)
            except ProviderError as exc:
                parser.error(f"cannot read the endpoint registry: {exc}")
            if not from_env.cloudbasic and not from_env.capella and not from_env.refused:
                parser.error(
                    "nothing to monitor: pass --cloudbasic-url and/or --capella-url, or register "
                    "endpoints (cbctl endpoints put; the registry path is ENDPOINT_REGISTRY_PATH)"
                )
            cloudbasic = tuple(
                msgspec.structs.replace(target, ca_bundle=args.ca_bundle) if args.ca_bundle else target
                for target in from_env.cloudbasic
            )
            return MonitorSettings(
                cloudbasic=cloudbasic,
                capella=from_env.capella,
                refused=from_env.refused,
                concurrency=args.concurrency,
            )
        urls = [check_url(url, "--cloudbasic-url") for url in args.cloudbasic_url]
        capella_url = check_url(args.capella_url, "--capella-url") if args.capella_url else None
    except InputError as exc:
        parser.error(str(exc))
    targets: list[CloudBasicTarget] = []
    if urls:
        credentials = cloudbasic_credentials(args.credentials_secret_arn)
        if credentials is None:
            parser.error(
                "no CloudBasic credentials: set CLOUDBASIC_ACCESS_KEY_ID and CLOUDBASIC_SECRET_ACCESS_KEY "
                "or pass --credentials-secret-arn"
            )
        names = [endpoint_name(url) for url in urls]
        if len(set(names)) != len(names):
            parser.error("--cloudbasic-url: the same endpoint is given twice")
        targets = [
            CloudBasicTarget(
                name=name,
                api_url=url,
                credentials=credentials,
                signing_region=args.signing_region,
                signing_service=args.signing_service,
                ca_bundle=args.ca_bundle,
            )
            for name, url in zip(names, urls, strict=True)
        ]
    capella: tuple[CapellaTarget, ...] = ()
    if capella_url:
        capella_keys = capella_credentials(args.capella_credentials_secret_arn)
        if capella_keys is None:
            parser.error(
                "no Capella credentials: set CAPELLA_ACCESS_KEY and CAPELLA_SECRET_KEY "
                "or pass --capella-credentials-secret-arn"
            )
        capella = (CapellaTarget(api_url=capella_url, credentials=capella_keys),)
    return MonitorSettings(cloudbasic=tuple(targets), capella=capella, concurrency=args.concurrency)


def run(args: argparse.Namespace, *, parser: argparse.ArgumentParser) -> int:
    from cbprovider.automation.monitor import Monitor
    from cbprovider.deadline import Deadline

    settings = build_settings(args, parser)
    report = Monitor(settings).run(Deadline.after(args.timeout))
    if args.output == "json":
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(render_table(report.to_dict()))
        print()
        print(report.summary_line())
    return 0 if report.healthy else 1


def _seconds(value: Any) -> str:
    if value is None:
        return "?"
    number = float(value)
    if number < 60:
        return f"{number:.1f}s"
    if number < 3600:
        return f"{number / 60:.1f}m"
    return f"{number / 3600:.1f}h"


def _detail(kind: str, row: dict[str, Any]) -> str:
    if row.get("reason"):
        return str(row["reason"])
    if kind == "endpoint":
        peer = f", peer {row['remoteStatus']}" if row.get("remoteStatus") else ""
        return f"service {row.get('serviceStatus')}{peer}, {row.get('replicationCount', 0)} replication(s)"
    if kind == "replication":
        return (
            f"latency {_seconds(row.get('latencySeconds'))}, "
            f"last transfer {_seconds(row.get('secondsSinceLastTransfer'))} ago"
        )
    if kind == "cluster":
        return f"status {row.get('clusterStatus')}"
    return f"{row.get('clusterCount', 0)} cluster(s)"


def render_table(summary: dict[str, Any]) -> str:
    """The summary as aligned columns: KIND, SCOPE, NAME, ID, STATUS, DETAIL."""
    rows: list[tuple[str, str, str, str, str, str]] = []
    for endpoint in summary["cloudbasic"]:
        rows.append(("endpoint", endpoint["name"], "", "", endpoint["status"], _detail("endpoint", endpoint)))
        for r in endpoint["replications"]:
            detail = _detail("replication", r)
            rows.append(
                ("replication", endpoint["name"], r["name"] or "", r["replicationId"], r["status"], detail)
            )
    for capella in summary.get("capella") or []:
        rows.append(("capella", capella["name"], "", "", capella["status"], _detail("capella", capella)))
        for c in capella["clusters"]:
            rows.append(
                (
                    "cluster",
                    c["projectId"] or "",
                    c["name"] or "",
                    c["clusterId"],
                    c["status"],
                    _detail("cluster", c),
                )
            )
    header = ("KIND", "SCOPE", "NAME", "ID", "STATUS", "DETAIL")
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(5)]
    lines = []
    for row in (header, *rows):
        cells = [row[i].ljust(widths[i]) for i in range(5)]
        lines.append("  ".join([*cells, row[5]]).rstrip())
    return "\n".join(lines)
