"""cbctl cloudbasic: sign and send one CloudBasic API action, or start/stop the replication service.

The API comes from --url or CLOUDBASIC_API_URL (e.g. http://10.0.1.10:82). The key pair comes from
--credentials-secret-arn (a Secrets Manager secret holding JSON {"AccessKeyId", "SecretAccessKey"}) or
from CLOUDBASIC_ACCESS_KEY_ID and CLOUDBASIC_SECRET_ACCESS_KEY. --body is JSON with the camelCase parameter
names of the API reference; --xml sends it as the documented XML. The answer is printed as JSON with the
same types whatever the wire format (--output table prints lists as a table). ActivateInstance is sent
unsigned.

ActivateInstance and CreateUser answer with a private key that the API never shows again, so they need
--keys-secret-name NAME (the pair is stored in a new Secrets Manager secret, in the shape
--credentials-secret-arn reads, and its ARN is printed instead of the key) or --show-private-key. With
--keys-secret-name the AWS credentials, region and the free secret name are checked before the call; if the
secret still cannot be created, the pair goes to a new file NAME.keys.json (mode 0600) in the current folder,
the answer names it (keysFile) and the exit code is 1.

Appliances before 12.301 sign with region us-east-1 (the default); 12.301 and later also accept a blank
region (--signing-region "").

Examples:
  cbctl cloudbasic call GetReplicationsList --output table
  cbctl cloudbasic call ReplicationStatus --body '{"replicationId": "998acaec-..."}'
  cbctl cloudbasic service status
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cbctl.credentials import from_environment, from_secret
from cbctl.helptext import Formatter
from cbctl.output import OUTPUTS, print_answer

if TYPE_CHECKING:
    from cbprovider.cloudbasic.client import CloudBasicClient

ENV_URL = "CLOUDBASIC_API_URL"
ENV_ACCESS_KEY = "CLOUDBASIC_ACCESS_KEY_ID"
ENV_SECRET_KEY = "CLOUDBASIC_SECRET_ACCESS_KEY"  # noqa: S105 (the name of an environment variable)
UNSIGNED_ACTIONS = frozenset({"ActivateInstance"})
DEFAULT_SIGNING_REGION = "us-east-1"
"""Accepted by every appliance version (a blank region only from 12.301)."""
SERVICE_ACTIONS = {
    "start": "StartReplicationService",
    "stop": "StopReplicationService",
    "status": "ReplicationServiceStatus",
}
KEY_ISSUING_ACTIONS = frozenset({"ActivateInstance", "CreateUser"})


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    sub = parser.add_subparsers(dest="cloudbasic_command", required=True, metavar="SUBCOMMAND")
    call = sub.add_parser(
        "call",
        help="sign and send one action, print the answer as JSON",
        description=__doc__,
        formatter_class=Formatter,
    )
    call.add_argument("action", type=_action, metavar="ACTION", help="the action, e.g. GetReplicationsList")
    call.add_argument(
        "--body", type=_json_object, metavar="JSON", help="the action's parameters, a JSON object"
    )
    call.add_argument("--xml", action="store_true", help="send XML instead of JSON (the output stays JSON)")
    add_connection_options(call)
    call.add_argument("--output", choices=OUTPUTS, default="json", help="table: lists as a table")
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
    service = sub.add_parser(
        "service",
        help="start, stop or show the appliance's replication service",
        description="Start or stop the appliance's replication service (every replication), or show its "
        "status and, in a cluster, the other node's.",
        formatter_class=Formatter,
    )
    service.add_argument("operation", choices=tuple(SERVICE_ACTIONS), help="what to do")
    add_connection_options(service)
    service.set_defaults(func=functools.partial(run_service, parser=service))


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    """--url, --signing-region, --signing-service, --credentials-secret-arn, --ca-bundle (one spelling
    everywhere; the old --region/--service stay as hidden aliases)."""
    parser.add_argument("--url", help=f"API base URL, e.g. http://10.0.1.10:82 (default: ${ENV_URL})")
    parser.add_argument(
        "--endpoint",
        metavar="NAME",
        help="a registered endpoint: its URL, key pair, CA bundle and signing settings (instead of --url)",
    )
    parser.add_argument(
        "--signing-region",
        default=DEFAULT_SIGNING_REGION,
        metavar="REGION",
        help='SigV4 region: us-east-1 works on every appliance; blank ("") only on 12.301 and later',
    )
    parser.add_argument("--region", dest="signing_region", help=argparse.SUPPRESS)
    parser.add_argument(
        "--signing-service",
        default="cloudbasic",
        choices=("cloudbasic", "cbr"),
        help="SigV4 service name",
    )
    parser.add_argument(
        "--service", dest="signing_service", choices=("cloudbasic", "cbr"), help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--credentials-secret-arn",
        metavar="ARN",
        help=f"Secrets Manager secret with JSON AccessKeyId and SecretAccessKey "
        f"(default: ${ENV_ACCESS_KEY} and ${ENV_SECRET_KEY})",
    )
    parser.add_argument(
        "--ca-bundle", metavar="PATH", help="PEM bundle that signed the appliance's certificate"
    )


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
    from cbprovider.cloudbasic.client import GET_ACTIONS

    issues_keys = args.action in KEY_ISSUING_ACTIONS
    if issues_keys and not (args.keys_secret_name or args.show_private_key):
        parser.error(
            f"{args.action} returns a private key that cannot be read again: pass --keys-secret-name NAME "
            "to store it in Secrets Manager, or --show-private-key to print it"
        )
    signed = args.action not in UNSIGNED_ACTIONS
    method = "GET" if args.action in GET_ACTIONS and not args.body else "POST"
    if issues_keys and args.keys_secret_name:
        from cbctl.keys_store import check_access

        check_access(args.keys_secret_name)  # the key cannot be had again: be sure it has a place first
    with open_client(args, parser, signed=signed) as client:
        answer = client.call(args.action, args.body, method=method, signed=signed)
    if args.xml:
        answer = typed(answer)
    code = 0
    if issues_keys and args.keys_secret_name:
        answer, code = _store_keys(answer, args.keys_secret_name)
    print_answer(answer, args.output)
    return code


def run_service(args: argparse.Namespace, *, parser: argparse.ArgumentParser) -> int:
    action = SERVICE_ACTIONS[args.operation]
    with open_client(args, parser, signed=True) as client:
        if args.operation == "status":
            status = client.replication_service_status()
            shown = {"status": status.status, "remoteStatus": status.remote_status}
            print(json.dumps({k: v for k, v in shown.items() if v is not None}, indent=2))
            return 0
        client.call(action)
    print(f"{action}: done", file=sys.stderr)
    return 0


def open_client(
    args: argparse.Namespace, parser: argparse.ArgumentParser, *, signed: bool
) -> CloudBasicClient:
    """The client for the connection options, or a usage error naming what is missing."""
    from cbprovider.cloudbasic.client import CloudBasicClient

    if args.endpoint:
        _use_endpoint(args, parser)
    url = args.url or os.environ.get(ENV_URL)
    if not url:
        parser.error(f"no API URL: pass --url or set {ENV_URL}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        parser.error(f"--url must look like http(s)://host[:port] (got {url!r})")
    if args.ca_bundle and not os.path.isfile(args.ca_bundle):
        parser.error(f"--ca-bundle {args.ca_bundle!r} is not a file")
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
    return CloudBasicClient(
        url,
        credentials,
        service=args.signing_service,
        region=args.signing_region,
        ca_bundle=args.ca_bundle,
        xml=getattr(args, "xml", False),
    )


_PLURAL_EMPTY = ("s", "List", "Ids")


def typed(value: Any, key: str = "") -> Any:
    """An XML answer with the types its JSON twin has: ``true``/``false`` as booleans, whole numbers as
    numbers, an empty plural element (``<Replications />``) as an empty list."""
    if isinstance(value, dict):
        return {k: typed(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    if not isinstance(value, str):
        return value
    if value in ("true", "false"):
        return value == "true"
    if value == "" and key.endswith(_PLURAL_EMPTY):
        return []
    if value.isdigit() and (value == "0" or not value.startswith("0")) and len(value) < 16:
        return int(value)
    return value


def _use_endpoint(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """Fill the connection options from the registered endpoint ``--endpoint`` (checked like the provider)."""
    from cbprovider.cloudbasic.ca_bundle import ca_bundle_file
    from cbprovider.endpoints import cloudbasic_endpoint

    if args.url:
        parser.error("--endpoint and --url are alternatives: give one")
    endpoint = cloudbasic_endpoint(args.endpoint)
    args.url = endpoint.url
    args.signing_region, args.signing_service = endpoint.signing_region, endpoint.signing_service
    args.credentials_secret_arn = args.credentials_secret_arn or endpoint.credentials_secret_arn
    if endpoint.ca_bundle_secret_arn and not args.ca_bundle:
        args.ca_bundle = ca_bundle_file(endpoint.ca_bundle_secret_arn)


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
