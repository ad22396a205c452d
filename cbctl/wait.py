"""cbctl wait: follow a replication's seeding, a promotion or a Capella cluster deploy to its end.

A status line on stderr shows what the API reports, rewritten in place on a terminal (one line per change
otherwise). The final status is printed on stdout as JSON. Connection options are those of
'cbctl cloudbasic call' (seeding, promotion) and 'cbctl capella call' (cluster).

Exit status: 0 done (Success, healthy), 1 failed or an API error, 2 bad arguments, 3 still running when
--timeout passed (run the same command again to keep following).

Examples:
  cbctl wait seeding 998acaec-9211-4dac-b90b-196fd1d17993
  cbctl wait promotion 998acaec-9211-4dac-b90b-196fd1d17993 --timeout 1800
  cbctl wait cluster 6f9a7c1e-... --interval 10
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from cbctl.helptext import Formatter
from cbctl.monitor import positive_seconds

EXIT_FAILED = 1
EXIT_STILL_RUNNING = 3
CLUSTER_DONE = frozenset({"healthy", "ready"})


@dataclass
class Reading:
    """One status read: ``outcome`` is ``Running``, ``Success`` or ``Failed``."""

    status: str
    outcome: str
    progress: int | None = None


def configure(parser: argparse.ArgumentParser) -> None:
    from cbctl import capella, cloudbasic

    parser.description = __doc__
    parser.formatter_class = Formatter
    sub = parser.add_subparsers(dest="wait_for", required=True, metavar="WHAT")
    for name, help_text, what in (
        ("seeding", "a new replication's seeding (ReplicationStatus)", "REPLICATION_ID"),
        (
            "promotion",
            "a promotion of a replica to primary (PromoteDbReplicaToPrimaryStatus)",
            "REPLICATION_ID",
        ),
        ("cluster", "a Capella cluster until healthy (GET /v3/clusters/{id}/status)", "CLUSTER_ID"),
    ):
        command = sub.add_parser(name, help=help_text, description=__doc__, formatter_class=Formatter)
        command.add_argument("target", metavar=what, help="what to follow")
        command.add_argument(
            "--timeout",
            type=positive_seconds,
            default=1800.0,
            metavar="SECONDS",
            help="give up after this long",
        )
        command.add_argument(
            "--interval",
            type=positive_seconds,
            default=5.0,
            metavar="SECONDS",
            help="seconds between two reads",
        )
        if name == "cluster":
            capella.add_connection_options(command)
        else:
            cloudbasic.add_connection_options(command)
        command.set_defaults(func=functools.partial(run, parser=command))


def run(args: argparse.Namespace, *, parser: argparse.ArgumentParser) -> int:
    if args.wait_for == "cluster":
        return _wait_cluster(args, parser)
    from cbprovider.cloudbasic.outcomes import outcome

    from cbctl.cloudbasic import open_client

    with open_client(args, parser, signed=True) as client:
        if args.wait_for == "seeding":

            def read() -> Reading:
                status = client.replication_status(args.target)
                text = status.seeding_status or "unknown"
                return Reading(text, outcome(text), status.seeding_progress)

        else:

            def read() -> Reading:
                status = client.promote_db_replica_to_primary_status(args.target)
                text = status.status or "unknown"
                return Reading(text, outcome(text), status.progress)

        return follow(f"{args.wait_for} of {args.target}", read, args.timeout, args.interval)


def _wait_cluster(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from cbctl.capella import open_client

    with open_client(args, parser) as client:

        def read() -> Reading:
            status = client.get_cluster_status(args.target)
            if status in CLUSTER_DONE:
                return Reading(status, "Success")
            return Reading(status, "Failed" if "failed" in status.lower() else "Running")

        return follow(f"cluster {args.target}", read, args.timeout, args.interval)


def follow(
    label: str,
    read: Callable[[], Reading],
    timeout: float,
    interval: float,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Read until the outcome is settled or ``timeout`` passes, keeping a live status line on ``err``."""
    out, err = out or sys.stdout, err or sys.stderr
    live = err.isatty()
    started = time.monotonic()
    shown = ""
    while True:
        reading = read()
        elapsed = time.monotonic() - started
        progress = f" {reading.progress}%" if reading.progress is not None else ""
        line = f"{label}: {reading.status}{progress}"
        if live:
            err.write(f"\r\033[K{line} ({elapsed:.0f}s)")
            err.flush()
        elif line != shown:
            print(line, file=err, flush=True)
        shown = line
        if reading.outcome != "Running" or elapsed + interval > timeout:
            break
        sleep(interval)
    if live:
        err.write("\n")
    result = {"target": label, "status": reading.status, "progress": reading.progress}
    print(json.dumps(result), file=out)
    if reading.outcome == "Success":
        return 0
    if reading.outcome == "Failed":
        return EXIT_FAILED
    print(f"{label}: still {reading.status} after {timeout:g}s: run the same command again", file=err)
    return EXIT_STILL_RUNNING
