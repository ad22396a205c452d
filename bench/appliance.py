"""A CloudBasic simulator in a process of its own, as a monitored appliance is another machine.

A simulator started in the bench's own process handles every request (parsing, SigV4 verification, JSON)
on the same interpreter lock as the monitor it answers, so a concurrent pass would measure the two
together. ``remote_appliance`` starts ``python -m bench.appliance`` (Nagle off, as ``bench.nodelay``
explains, and ``n`` seeded replications), reads its address and key pair from the first line it prints
and stops it when the block ends (the child stops when its standard input closes).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bench.machine import REPO


@dataclass(frozen=True)
class Appliance:
    url: str
    keys: tuple[str, str]

    def calls(self) -> int:
        """How many API calls the simulator has logged (its ``/_sim/calls`` control endpoint)."""
        with urllib.request.urlopen(f"{self.url}/_sim/calls", timeout=30) as answer:  # noqa: S310 (127.0.0.1)
            return len(json.load(answer))


@contextmanager
def in_process_appliance(replications: int, *, latency: float, nagle: bool = False) -> Iterator[Appliance]:
    """The simulator in this process, on the monitor's interpreter lock (for comparison)."""
    from contextlib import nullcontext

    from bench.nodelay import simulators_without_nagle
    from simulators.cloudbasic import CloudBasicSimulator

    with nullcontext() if nagle else simulators_without_nagle(), CloudBasicSimulator(latency=latency) as sim:
        sim.add_replications(replications)
        assert sim.admin_keys is not None
        yield Appliance(sim.url, sim.admin_keys)


@contextmanager
def remote_appliance(replications: int, *, latency: float, nagle: bool = False) -> Iterator[Appliance]:
    command = [sys.executable, "-m", "bench.appliance", "--replications", str(replications)]
    command += ["--latency", str(latency)] + (["--nagle"] if nagle else [])
    child = subprocess.Popen(  # noqa: S603
        command, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        first = child.stdout.readline()
        if not first:
            raise RuntimeError(f"the simulator process ended before it listened (exit {child.wait()})")
        started = json.loads(first)
        yield Appliance(started["url"], (started["access_key_id"], started["secret_access_key"]))
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--nagle", action="store_true", help="keep the simulator's default sockets")
    args = parser.parse_args()

    from contextlib import nullcontext

    from bench.nodelay import simulators_without_nagle
    from simulators.cloudbasic import CloudBasicSimulator

    with (
        nullcontext() if args.nagle else simulators_without_nagle(),
        CloudBasicSimulator(latency=args.latency) as sim,
    ):
        sim.add_replications(args.replications)
        assert sim.admin_keys is not None
        access, secret = sim.admin_keys
        print(json.dumps({"url": sim.url, "access_key_id": access, "secret_access_key": secret}), flush=True)
        sys.stdin.read()  # until the bench closes it


if __name__ == "__main__":
    main()
