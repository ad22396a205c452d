"""``cbctl simulate {cloudbasic,capella} [options]``: start a simulator in the foreground."""

from __future__ import annotations

import argparse
import importlib

SIMULATORS = ("cloudbasic", "capella")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("simulator", choices=SIMULATORS)
    parser.add_argument("options", nargs=argparse.REMAINDER, help="options of the simulator (see --help)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    module = importlib.import_module(f"simulators.{args.simulator}.__main__")
    return int(module.main(args.options))
