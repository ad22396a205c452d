"""Entry point of ``cbctl``. Each command lives in its own module, imported only when it runs.

Exit codes: 0 success, 1 an API or provider error (message and RequestId on stderr), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from cbprovider.errors import ProviderError

# command name -> (module, one-line help). The module provides ``configure(parser)`` that adds the
# command's arguments and sets ``func`` (a callable taking the parsed namespace, returning an exit code).
COMMANDS: dict[str, tuple[str, str]] = {
    "simulate": ("cbctl.simulate", "run a local API simulator in the foreground"),
    "demo": ("cbctl.demo", "run the resource lifecycles against the local simulators"),
    "capella": ("cbctl.capella", "sign and send one Capella Management API v3 request"),
    "cloudbasic": ("cbctl.cloudbasic", "sign and send one CloudBasic API action"),
    "endpoints": ("cbctl.endpoints", "register, show, list or remove the provider's endpoints"),
    "monitor": ("cbctl.monitor", "run one replication monitor pass and print the summary"),
    "promote": ("cbctl.promote", "promote a replica to primary, follow it, optionally update a CNAME"),
}


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cbctl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    wanted = argv[0] if argv else None
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text)
        if name == wanted:
            importlib.import_module(module_name).configure(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(args_list).parse_args(args_list)
    try:
        return int(args.func(args))
    except ProviderError as exc:
        print(f"cbctl: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
