"""``cbctl cloudbasic call ACTION``: sign and send one CloudBasic API action, print the answer as JSON.

The URL comes from ``--url`` or ``CLOUDBASIC_API_URL``; the key pair from ``--credentials-secret-arn``
(a Secrets Manager secret holding JSON ``{"AccessKeyId", "SecretAccessKey"}``) or from
``CLOUDBASIC_ACCESS_KEY_ID`` and ``CLOUDBASIC_SECRET_ACCESS_KEY``. ``--body`` is JSON with the camelCase
keys of the API reference; ``--xml`` sends it as the documented XML (the answer is still printed as
JSON). ActivateInstance is sent unsigned and needs no key pair.

ActivateInstance and CreateUser answer with a private key that the API never shows again. cbctl does not
print it by accident: pass ``--keys-secret-name NAME`` to store the pair in a new Secrets Manager secret
(JSON ``AccessKeyId``/``SecretAccessKey``, the shape ``--credentials-secret-arn`` reads; its ARN is printed
instead of the key), or ``--show-private-key`` to print it. Without either, those actions are refused
before anything is sent. With ``--keys-secret-name`` the AWS credentials, region and the free secret name
are checked before the call; if the secret still cannot be created, the pair goes to a new file
``NAME.keys.json`` (mode 0600) in the current folder, the answer names it (``keysFile``) and the exit
code is 1.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import sys
from typing import Any
from urllib.parse import urlsplit

from cbctl.credentials import from_environment, from_secret

ENV_URL = "CLOUDBASIC_API_URL"
ENV_ACCESS_KEY = "CLOUDBASIC_ACCESS_KEY_ID"
ENV_SECRET_KEY = "CLOUDBASIC_SECRET_ACCESS_KEY"  # noqa: S105 (the name of an environment variable)
UNSIGNED_ACTIONS = frozenset({"ActivateInstance"})
KEY_ISSUING_ACTIONS = frozenset({"ActivateInstance", "CreateUser"})


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="cloudbasic_command", required=True, metavar="SUBCOMMAND")
    call = sub.add_parser(
        "call",
        help="sign and send one action, print the parsed response as JSON",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    call.add_argument("action", type=_action, metavar="ACTION", help="e.g. GetReplicationsList")
    call.add_argument("--body", type=_json_object, metavar="JSON", help="parameters as a JSON object")
    call.add_argument("--xml", action="store_true", help="send XML instead of JSON (output stays JSON)")
    call.add_argument("--url", help=f"API base URL, e.g. http://10.0.1.10:82 (default: ${ENV_URL})")
    call.add_argument("--region", default="", help="SigV4 region: blank (12.301+, default) or us-east-1")
    call.add_argument("--service", default="cloudbasic", choices=("cloudbasic", "cbr"), help="SigV4 service")
    call.add_argument(
        "--credentials-secret-arn",
        metavar="ARN",
        help=f"Secrets Manager secret: JSON AccessKeyId, SecretAccessKey (default: ${ENV_ACCESS_KEY} etc.)",
    )
    call.add_argument("--ca-bundle", metavar="PATH", help="CA bundle that signed the server's certificate")
    keys = call.add_mutually_exclusive_group()
    keys.add_argument(
        "--keys-secret-name",
        metavar="NAME",
        help="ActivateInstance/CreateUser: store the returned key pair in a new Secrets Manager secret",
    )
    keys.add_argument(
        "--show-private-key",
        action="store_true",
        help="ActivateInstance/CreateUser: print the returned private key (it is never shown again)",
    )
    call.set_defaults(func=functools.partial(run_call, parser=call))


def _action(value: str) -> str:
    if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", value):
        raise argparse.ArgumentTypeError(f"must be a PascalCase action name such as GetLogs (got {value!r})")
    return value


def _json_object(value: str) -> dict[str, Any]:
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise argparse.ArgumentTypeError("must be a JSON object")
    return parsed


def run_call(args: argparse.Namespace, *, parser: argparse.ArgumentParser) -> int:
    from cbprovider.cloudbasic.client import GET_ACTIONS, CloudBasicClient

    url = args.url or os.environ.get(ENV_URL)
    if not url:
        parser.error(f"no API URL: pass --url or set {ENV_URL}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        parser.error(f"--url must look like http(s)://host[:port] (got {url!r})")
    if args.ca_bundle and not os.path.isfile(args.ca_bundle):
        parser.error(f"--ca-bundle {args.ca_bundle!r} is not a file")
    issues_keys = args.action in KEY_ISSUING_ACTIONS
    if issues_keys and not (args.keys_secret_name or args.show_private_key):
        parser.error(
            f"{args.action} returns a private key that cannot be read again: pass --keys-secret-name NAME "
            "to store it in Secrets Manager, or --show-private-key to print it"
        )
    signed = args.action not in UNSIGNED_ACTIONS
    credentials = None
    if signed:
        if args.credentials_secret_arn:
            credentials = from_secret(args.credentials_secret_arn, "AccessKeyId", "SecretAccessKey")
        else:
            credentials = from_environment(ENV_ACCESS_KEY, ENV_SECRET_KEY)
        if credentials is None:
            parser.error(
                f"no credentials: set {ENV_ACCESS_KEY} and {ENV_SECRET_KEY} or pass --credentials-secret-arn"
            )
    if issues_keys and args.keys_secret_name:
        from cbctl.keys_store import check_access

        check_access(args.keys_secret_name)  # the key cannot be had again: be sure it has a place first
    method = "GET" if args.action in GET_ACTIONS and not args.body else "POST"
    with CloudBasicClient(
        url, credentials, service=args.service, region=args.region, ca_bundle=args.ca_bundle, xml=args.xml
    ) as client:
        answer = client.call(args.action, args.body, method=method, signed=signed)
    code = 0
    if issues_keys and args.keys_secret_name:
        answer, code = _store_keys(answer, args.keys_secret_name)
    print(json.dumps(answer, indent=2))
    return code


def _store_keys(answer: dict[str, Any], name: str) -> tuple[dict[str, Any], int]:
    """Put the returned key pair in a new secret (else a private file); the answer without the key.

    The exit code is 1 when the pair went to a file instead of the secret.
    """
    from cbctl.keys_store import store

    public_key = answer.get("publicKey")
    private_key = answer.get("privateKey")
    if not isinstance(public_key, str) or not isinstance(private_key, str):
        from cbprovider.errors import ResponseFormatError

        raise ResponseFormatError(service="CloudBasic", operation="keys", reason="no publicKey/privateKey")
    stored = store(name, {"AccessKeyId": public_key, "SecretAccessKey": private_key})
    shown = {k: v for k, v in answer.items() if k != "privateKey"}
    if stored.secret_arn:
        shown["keysSecretArn"] = stored.secret_arn
        return shown, 0
    shown["keysFile"] = str(stored.file)
    print(
        f"cbctl: storing the key pair in secret {name!r} failed ({stored.failure}); it was written to "
        f"{stored.file} (readable only by you) instead: put it in Secrets Manager, then delete the file",
        file=sys.stderr,
    )
    return shown, 1
