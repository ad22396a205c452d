"""``python -m demo`` (``make demo``): the scenarios of ``demo/scenarios/`` and a monitor pass, printed.

Starts the simulators and a local endpoint that receives CloudFormation responses (real HTTP servers on
127.0.0.1) and provides AWS (Secrets Manager, DynamoDB, EventBridge, SSM) with moto. Nothing leaves this
machine. Exits 1 when a request did not get exactly one response of the expected status, or when poll
rules or poll state were left behind.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from contextlib import ExitStack

from demo.lifecycle import Timing, run_scenario
from demo.transcript import Transcript, quiet_logs

PARTS = ("cloudbasic", "capella", "capella-v4", "monitor")
"""The scenario files in ``demo/scenarios/`` (in this order), then the monitor pass."""


def parser() -> argparse.ArgumentParser:
    made = argparse.ArgumentParser(prog="python -m demo", description=__doc__.splitlines()[0])
    made.add_argument(
        "--only", choices=PARTS, action="append", help="run only these parts (repeatable; default: all)"
    )
    made.add_argument("--seeding-seconds", type=float, default=3.0, help="simulated seeding time")
    made.add_argument("--deploy-seconds", type=float, default=3.0, help="simulated Capella deploy time")
    made.add_argument("--verbose", action="store_true", help="show the provider's own (redacted) log lines")
    return made


def main(argv: Sequence[str] | None = None) -> int:
    from simulators.cloudformation import ResponseReceiver
    from simulators.stack import LocalStack, local_aws

    args = parser().parse_args(argv)
    wanted = args.only or list(PARTS)
    timing = Timing(seeding_seconds=args.seeding_seconds, deploy_seconds=args.deploy_seconds)
    transcript = Transcript()
    with ExitStack() as stack:
        stack.enter_context(quiet_logs(args.verbose))
        boto3 = stack.enter_context(local_aws())
        receiver = stack.enter_context(ResponseReceiver())
        transcript.line(
            f"CloudFormation responses are received at {receiver.url}; AWS services come from moto."
        )
        for part in PARTS:
            if part not in wanted:
                continue
            if part == "monitor":
                from demo.monitor import monitor_scenario

                monitor_scenario(transcript)
            else:
                run_scenario(part, transcript, boto3, receiver, timing)
        leftovers = LocalStack.leftovers()
    transcript.section("Result")
    transcript.line(
        f"poll rules left: {len(leftovers['rules'])}, poll state left: {len(leftovers['poll_state'])}"
    )
    if transcript.failures or any(leftovers.values()):
        for failure in transcript.failures:
            transcript.line(f"unexpected: {failure}")
        return 1
    transcript.line("every request got exactly one response, as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
