"""``python -m bench``: run every benchmark item and write ``docs/benchmarks.md``."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench.machine import REPO, load
from bench.report import render
from bench.table import Table

if TYPE_CHECKING:
    from bench.layer import Deployed


@dataclass
class Run:
    """What the items share: the arguments, a scratch directory and the deployed layer (built once)."""

    args: argparse.Namespace
    work: Path
    _deployed: Deployed | None = field(default=None, init=False)

    def deployed(self) -> Deployed:
        if self._deployed is None:
            from bench.layer import deploy

            self._deployed = deploy(self.work)
        return self._deployed


Item = Callable[[Run], Sequence[Table]]


def _coldstart(run: Run) -> Sequence[Table]:
    from bench import coldstart

    return coldstart.measure(run.deployed(), repeats=run.args.repeats)


def _packaging(run: Run) -> Sequence[Table]:
    from bench import packaging

    deployed = run.deployed()
    return packaging.measure(run.work, deployed.python, built={deployed.arch: deployed.opt_python.parent})


def _overhead(run: Run) -> Sequence[Table]:
    from bench import overhead

    return [overhead.measure(rounds=run.args.rounds)]


def _https(run: Run) -> Sequence[Table]:
    from bench import https

    return [https.measure(rounds=run.args.rounds)]


def _lag(run: Run) -> Sequence[Table]:
    from bench import lag

    return [lag.measure()]


def _signing(run: Run) -> Sequence[Table]:
    from bench import signing

    return [signing.measure()]


def _monitor(run: Run) -> Sequence[Table]:
    from bench import monitor

    return [monitor.measure(full=run.args.full)]


def _fleet(run: Run) -> Sequence[Table]:
    from bench import fleet

    return [fleet.measure(endpoints=run.args.fleet_endpoints)]


def _memory(run: Run) -> Sequence[Table]:
    from bench import memory

    return [memory.measure(run.deployed())]


@contextmanager
def scratch() -> Iterator[Path]:
    """A temporary directory whose read-only layer copies are made writable again before removal."""
    with tempfile.TemporaryDirectory(prefix="cbbench-") as tmp:
        try:
            yield Path(tmp)
        finally:
            from bench.layer import writable

            writable(Path(tmp))


ITEMS: dict[str, Item] = {
    "coldstart": _coldstart,
    "packaging": _packaging,
    "overhead": _overhead,
    "https": _https,
    "lag": _lag,
    "signing": _signing,
    "monitor": _monitor,
    "fleet": _fleet,
    "memory": _memory,
}


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument("--repeats", type=int, default=40, help="rounds of fresh interpreters for cold start")
    parser.add_argument("--rounds", type=int, default=10, help="Create/Update/Delete rounds for overhead")
    parser.add_argument(
        "--full", action="store_true", help="also run the sequential 1,000-replication monitor pass"
    )
    parser.add_argument(
        "--fleet-endpoints",
        type=int,
        default=40,
        help="endpoints of 50 replications in the fleet run (docs/benchmarks.md reports 200)",
    )
    parser.add_argument("--only", choices=sorted(ITEMS), action="append", help="run only these items")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    tables: list[Table] = []
    started = time.monotonic()
    loads = [f"{load()} at the start"]
    with scratch() as work:
        run = Run(args, work)
        for name, item in ITEMS.items():
            if args.only and name not in args.only:
                continue
            print(f"bench: {name} ...", file=sys.stderr, flush=True)
            item_started = time.monotonic()
            tables.extend(item(run))
            took = time.monotonic() - item_started
            loads.append(f"{load()} after {name}")
            print(f"bench: {name} done in {took:.1f} s (load {loads[-1]})", file=sys.stderr, flush=True)
    command = "make bench" if not sys.argv[1:] else "python -m bench " + " ".join(sys.argv[1:])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(tables, command=command, seconds=time.monotonic() - started, loads=loads))
    print(f"bench: wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
