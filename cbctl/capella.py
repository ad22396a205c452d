"""cbctl capella call METHOD PATH: sign and send one Capella Management API request, print the JSON answer.

The API comes from --url, else CAPELLA_API_URL, else the public endpoint (or from --endpoint, a registered
one). --api-version says how to authenticate; by default the endpoint's ApiVersion, else v4 for a PATH
under /v4/, else v3. On v3 the key pair comes from --credentials-secret-arn (a Secrets Manager secret
holding JSON {"AccessKey", "SecretKey"}), else from CAPELLA_ACCESS_KEY and CAPELLA_SECRET_KEY. On v4 the
API key token comes from --credentials-secret-arn (the secret's text or its JSON "ApiKeyToken"), else
from CAPELLA_API_KEY_TOKEN; a PATH needs no organisation id unless it contains {organizationId}, which is
filled from --organization-id, else CAPELLA_ORGANIZATION_ID, else the endpoint's OrganizationId. Key
material is never printed.

A GET with --all-pages prints every item of a list endpoint across all pages as one JSON array (a perPage
in PATH sets the page size). An answer without a body (202 Accepted, 204) prints
{"status": ..., "location": ..., "id": ...} so that scripts can follow what was created.

Examples:
  cbctl capella call GET /v2/projects --output table
  cbctl capella call GET '/v3/clusters?perPage=20' --all-pages
  cbctl capella call POST /v3/clusters --body @- < cluster.json
  cbctl capella call GET '/v4/organizations/{organizationId}/projects' --all-pages --endpoint default
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from cbprovider.capella.client import DEFAULT_URL, CapellaClient
from cbprovider.capella.responses import format_error

from cbctl.capella_v4 import api_version, call_v4
from cbctl.credentials import from_environment, from_secret
from cbctl.helptext import Formatter
from cbctl.output import OUTPUTS, print_answer

if TYPE_CHECKING:
    from cbprovider.endpoints.entries import CapellaEndpoint
    from cbprovider.http_message import Response

ENV_URL = "CAPELLA_API_URL"
ENV_ACCESS_KEY = "CAPELLA_ACCESS_KEY"
ENV_SECRET_KEY = "CAPELLA_SECRET_KEY"  # noqa: S105 (the name of an environment variable)
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="capella_command", required=True, metavar="SUBCOMMAND")
    parser.description = __doc__
    parser.formatter_class = Formatter
    call = sub.add_parser(
        "call",
        help="sign and send one request, print the JSON response",
        description=__doc__,
        formatter_class=Formatter,
    )
    call.add_argument("method", type=str.upper, choices=METHODS, metavar="METHOD", help=", ".join(METHODS))
    call.add_argument(
        "path", type=_api_path, metavar="PATH", help="e.g. /v3/clusters or '/v2/projects?perPage=5'"
    )
    call.add_argument(
        "--body", type=_json_value, metavar="JSON", help="request body as JSON text; @- reads it from stdin"
    )
    call.add_argument("--all-pages", action="store_true", help="GET every page of a list and print one array")
    call.add_argument("--output", choices=OUTPUTS, default="json", help="table: lists as a table")
    add_connection_options(call)
    call.add_argument(
        "--api-version",
        choices=("v3", "v4"),
        help="v3: signed with a key pair; v4: a bearer API key token (default: the endpoint's, else by PATH)",
    )
    call.add_argument(
        "--organization-id",
        metavar="ID",
        help="v4: fills {organizationId} in PATH (default: $CAPELLA_ORGANIZATION_ID, else the endpoint's)",
    )
    call.set_defaults(func=functools.partial(run_call, parser=call))


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help=f"API base URL (default: ${ENV_URL}, else {DEFAULT_URL})")
    parser.add_argument(
        "--endpoint", metavar="NAME", help="a registered endpoint: its URL and key pair (instead of --url)"
    )
    parser.add_argument(
        "--credentials-secret-arn",
        metavar="ARN",
        help=f"Secrets Manager secret with JSON AccessKey and SecretKey "
        f"(default: ${ENV_ACCESS_KEY} and ${ENV_SECRET_KEY})",
    )


def _api_path(value: str) -> str:
    if not value.startswith("/") or value.startswith("//"):
        raise argparse.ArgumentTypeError(
            f"must be a path starting with '/', e.g. /v3/clusters (got {value!r})"
        )
    return value


def _json_value(value: str) -> Any:
    if value == "@-":
        value = sys.stdin.read()
    try:
        return json.loads(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON: {exc}") from None


def run_call(args: argparse.Namespace, *, parser: argparse.ArgumentParser) -> int:
    if args.all_pages and args.method != "GET":
        parser.error("--all-pages needs METHOD GET")
    if args.all_pages and args.body is not None:
        parser.error("--all-pages does not take --body")
    endpoint = registered(args, parser)
    if api_version(args, endpoint) == "v4":
        return call_v4(args, parser, endpoint)
    with open_client(args, parser) as client:
        if args.all_pages:
            split = urlsplit(args.path)
            query = parse_qsl(split.query, keep_blank_values=True)
            per_page = per_page_of(dict(query).get("perPage"), parser)
            items = list(client.iterate(split.path, query, per_page=per_page))
            print_answer(items, args.output)
            return 0
        print_response(client.request(args.method, args.path, json=args.body), args)
    return 0


def print_response(response: Response, args: argparse.Namespace) -> None:
    """The answer's JSON body, or for an answer without one its status and where the object is."""
    if response.content:
        try:
            body = response.json()
        except ValueError:
            operation = f"{args.method} {urlsplit(args.path).path}"
            raise format_error(operation, "the body is not JSON") from None
        print_answer(body, args.output)
    else:
        location = response.headers.get("Location")
        accepted: dict[str, Any] = {"status": response.status_code}
        if location:
            accepted["location"] = location
            accepted["id"] = urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1]
        print(json.dumps(accepted, indent=2))
        print(f"HTTP {response.status_code} {response.reason}", file=sys.stderr)


def registered(args: argparse.Namespace, parser: argparse.ArgumentParser) -> CapellaEndpoint | None:
    """The registered endpoint --endpoint names (``None`` without the option)."""
    if not args.endpoint:
        return None
    from cbprovider.endpoints import capella_endpoint

    if args.url:
        parser.error("--endpoint and --url are alternatives: give one")
    return capella_endpoint(args.endpoint)


def connection(
    args: argparse.Namespace, parser: argparse.ArgumentParser, endpoint: CapellaEndpoint | None
) -> tuple[str, str | None]:
    """The API URL and the credentials secret (given, else the endpoint's) of a call."""
    if endpoint is not None:
        return endpoint.url, args.credentials_secret_arn or endpoint.credentials_secret_arn
    url = args.url or os.environ.get(ENV_URL) or DEFAULT_URL
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        parser.error(f"--url must look like https://host[:port] (got {url!r})")
    return url, args.credentials_secret_arn


def open_client(args: argparse.Namespace, parser: argparse.ArgumentParser) -> CapellaClient:
    """The v3 client for --endpoint, or --url and --credentials-secret-arn, or a usage error naming what
    is missing."""
    url, secret_arn = connection(args, parser, registered(args, parser))
    credentials = load_credentials(secret_arn)
    if credentials is None:
        parser.error(
            f"no credentials: set {ENV_ACCESS_KEY} and {ENV_SECRET_KEY} or pass --credentials-secret-arn"
        )
    return CapellaClient(url, credentials)


def per_page_of(value: str | None, parser: argparse.ArgumentParser) -> int:
    """The page size the user put in PATH (``perPage=N``), else 100."""
    if value is None:
        return 100
    if not value.isdigit() or int(value) < 1:
        parser.error(f"perPage must be a whole number of at least 1 (got {value!r})")
    return int(value)


def load_credentials(secret_arn: str | None) -> tuple[str, str] | None:
    """The key pair from the secret if one is named, else from the environment (``None`` if unset)."""
    if secret_arn:
        return from_secret(secret_arn, "AccessKey", "SecretKey")
    return from_environment(ENV_ACCESS_KEY, ENV_SECRET_KEY)
