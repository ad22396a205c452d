"""``python -m bench``: run every benchmark item and write ``docs/benchmarks.md``."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.machine import REPO
from bench.report import render
from bench.table import Table

Item = Callable[["argparse.Namespace"], Sequence[Table]]


def _coldstart(args: argparse.Namespace) -> Sequence[Table]:
    from bench import coldstart

    return coldstart.measure(repeats=args.repeats)


def _packaging(args: argparse.Namespace) -> Sequence[Table]:
    from bench import packaging

    return packaging.measure()


def _overhead(args: argparse.Namespace) -> Sequence[Table]:
    from bench import overhead

    return [overhead.measure(rounds=args.rounds)]


def _signing(args: argparse.Namespace) -> Sequence[Table]:
    from bench import signing

    return [signing.measure()]


def _monitor(args: argparse.Namespace) -> Sequence[Table]:
    from bench import monitor

    return [monitor.measure(full=args.full)]


def _memory(args: argparse.Namespace) -> Sequence[Table]:
    from bench import memory

    return [memory.measure()]


ITEMS: dict[str, Item] = {
    "coldstart": _coldstart,
    "packaging": _packaging,
    "overhead": _overhead,
    "signing": _signing,
    "monitor": _monitor,
    "memory": _memory,
}


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument("--repeats", type=int, default=15, help="fresh interpreters per cold-start figure")
    parser.add_argument("--rounds", type=int, default=10, help="Create/Update/Delete rounds for overhead")
    parser.add_argument(
        "--full", action="store_true", help="also run the sequential 1,000-replication monitor pass"
    )
    parser.add_argument("--only", choices=sorted(ITEMS), action="append", help="run only these items")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    tables: list[Table] = []
    started = time.monotonic()
    for name, item in ITEMS.items():
        if args.only and name not in args.only:
            continue
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        item_started = time.monotonic()
        tables.extend(item(args))
        print(f"bench: {name} done in {time.monotonic() - item_started:.1f} s", file=sys.stderr, flush=True)
    command = "make bench" if not sys.argv[1:] else "python -m bench " + " ".join(sys.argv[1:])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(tables, command=command, seconds=time.monotonic() - started))
    print(f"bench: wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
