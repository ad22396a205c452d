"""Entry point of ``cbctl``. Each command lives in its own module, imported only when it runs.

Exit codes: 0 success, 1 an API or provider error (message and RequestId on stderr), 2 bad arguments,
141 output pipe closed (``cbctl ... | head``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from cbprovider.errors import ApiConnectionError, ProviderError
from cbprovider.redaction import pin_noisy_loggers, scrub, scrub_every_record

from cbctl.helptext import Formatter

DESCRIPTION = """\
Operate the CloudBasic (SQL Server replication appliance) and Couchbase Capella APIs from a terminal:
send one signed API call, follow a seeding, a promotion or a cluster deploy, run a monitor pass, promote a
replica to primary, or run the local API simulators.

Credentials come from environment variables or from a Secrets Manager secret (--credentials-secret-arn):
  CloudBasic: CLOUDBASIC_API_URL, CLOUDBASIC_ACCESS_KEY_ID, CLOUDBASIC_SECRET_ACCESS_KEY
  Capella:    CAPELLA_API_URL, CAPELLA_ACCESS_KEY, CAPELLA_SECRET_KEY
Secrets are never printed.

Run 'cbctl COMMAND --help' for a command's options. Shell completion:
  eval "$(register-python-argcomplete cbctl)"

Exit status: 0 success, 1 an API error or a problem found, 2 bad arguments, 3 still running after a wait."""

# command name -> (module, one-line help). The module provides ``configure(parser)`` that adds the
# command's arguments and sets ``func`` (a callable taking the parsed namespace, returning an exit code).
COMMANDS: dict[str, tuple[str, str]] = {
    "simulate": ("cbctl.simulate", "run a local CloudBasic or Capella API simulator in the foreground"),
    "capella": ("cbctl.capella", "sign and send one Capella Management API request"),
    "cloudbasic": ("cbctl.cloudbasic", "sign and send one CloudBasic API action"),
    "wait": ("cbctl.wait", "follow a seeding, a promotion or a cluster deploy to its end"),
    "endpoints": ("cbctl.endpoints", "register, show, list or remove the provider's endpoints"),
    "monitor": ("cbctl.monitor", "run one replication monitor pass and print the summary"),
    "promote": ("cbctl.promote", "promote a replica to primary, follow it, optionally update a CNAME"),
}
COMPLETING = "_ARGCOMPLETE"


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("cfn-replication-provider")
    except PackageNotFoundError:
        return "unknown"


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cbctl", description=DESCRIPTION, formatter_class=Formatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    completing = COMPLETING in os.environ
    wanted = next((a for a in argv if not a.startswith("-")), None)
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text, formatter_class=Formatter)
        if name == wanted or completing:
            importlib.import_module(module_name).configure(command)
    return parser


def _complete(parser: argparse.ArgumentParser) -> None:
    """Shell completion: argcomplete is imported only when the shell asks for completions."""
    if COMPLETING not in os.environ:
        return
    import argcomplete

    argcomplete.autocomplete(parser)


def main(argv: Sequence[str] | None = None) -> int:
    pin_noisy_loggers()
    scrub_every_record()
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(args_list)
    _complete(parser)
    args = parser.parse_args(args_list)
    try:
        return int(args.func(args))
    except ApiConnectionError as exc:
        print(f"cbctl: {scrub(str(exc))}", file=sys.stderr)
        print(
            "cbctl: check the API URL (--url or the *_API_URL variable) and the network path", file=sys.stderr
        )
        return 1
    except ProviderError as exc:
        print(f"cbctl: {scrub(str(exc))}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly; point stdout at nothing so the interpreter's
        # final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
