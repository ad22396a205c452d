"""``cbctl endpoints put|get|list|delete``: manage the provider's endpoint registry in SSM Parameter Store.

Each endpoint is a String parameter ``<path>/<vendor>/<Name>`` holding JSON; ``<path>`` is ``--path``, else
``ENDPOINT_REGISTRY_PATH``, else ``/cfn-replication-provider/endpoints``. ``put`` checks an entry exactly as
the provider will when it reads it (fields, https unless ``--allow-plaintext-http``, no loopback, link-local
or metadata address, whatever the host name resolves to from here) before writing it. Writing needs
``ssm:PutParameter`` on the path: keep that for the operators.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from typing import Any

from cbprovider.endpoints import (
    VENDORS,
    Vendor,
    capella_from_json,
    check_entry,
    check_name,
    cloudbasic_from_json,
    parameter_name,
    registry_path,
)
from cbprovider.endpoints.registry import PATH_ENV

from cbctl.helptext import Formatter, plain


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = plain(__doc__ or "")
    parser.formatter_class = Formatter
    parser.add_argument("--path", help=f"registry path (default: ${PATH_ENV} or the provider's default)")
    sub = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    put = sub.add_parser("put", help="register or replace an endpoint")
    put.add_argument("vendor", choices=VENDORS)
    put.add_argument("name", help="the endpoint's name, as resources give it in Endpoint")
    put.add_argument("--url", required=True, help="https://host[:port] of the API")
    put.add_argument("--credentials-secret-arn", metavar="ARN", help="secret with the API key pair")
    put.add_argument("--ca-bundle-secret-arn", metavar="ARN", help="CloudBasic: secret with a PEM CA bundle")
    put.add_argument("--signing-region", help="CloudBasic: SigV4 region (default us-east-1; '' for blank)")
    put.add_argument("--signing-service", choices=("cloudbasic", "cbr"), help="CloudBasic: SigV4 service")
    put.add_argument(
        "--allow-plaintext-http", action="store_true", help="CloudBasic: allow http:// (e.g. port 82)"
    )
    put.add_argument("--api-version", choices=("v4", "v3"), help="Capella: API version (default v4)")
    put.add_argument("--organization-id", metavar="UUID", help="Capella: organization id (v4)")
    for verb, text in (("get", "print one endpoint's entry"), ("delete", "remove an endpoint")):
        one = sub.add_parser(verb, help=text)
        one.add_argument("vendor", choices=VENDORS)
        one.add_argument("name")
    listing = sub.add_parser("list", help="list the registered endpoints")
    listing.add_argument("vendor", nargs="?", choices=VENDORS)
    parser.set_defaults(func=functools.partial(run, parser=parser))


def entry_of(args: argparse.Namespace) -> dict[str, Any]:
    """The entry's JSON from the ``put`` options (only what was given; the provider fills in defaults)."""
    options = {
        "Url": args.url,
        "CredentialsSecretArn": args.credentials_secret_arn,
        "CaBundleSecretArn": args.ca_bundle_secret_arn,
        "SigningRegion": args.signing_region,
        "SigningService": args.signing_service,
        "AllowPlaintextHttp": True if args.allow_plaintext_http else None,
        "ApiVersion": args.api_version,
        "OrganizationId": args.organization_id,
    }
    return {key: value for key, value in options.items() if value is not None}


def validated(vendor: Vendor, name: str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` checked as the provider checks it; ``EndpointInvalid`` names the field otherwise."""
    check_name(vendor, name)
    if vendor == "cloudbasic":
        check_entry(cloudbasic_from_json(name, data))
    else:
        check_entry(capella_from_json(name, data))
    return data


def run(args: argparse.Namespace, *, parser: argparse.ArgumentParser) -> int:
    import boto3

    if args.path:
        os.environ[PATH_ENV] = args.path
    ssm = boto3.client("ssm")
    if args.verb == "put":
        unknown = {"cloudbasic": ("api_version", "organization_id"), "capella": ("ca_bundle_secret_arn",)}
        given = [o for o in unknown[args.vendor] if getattr(args, o) is not None]
        if given:
            parser.error(f"--{given[0].replace('_', '-')} does not apply to a {args.vendor} endpoint")
        data = validated(args.vendor, args.name, entry_of(args))
        name = parameter_name(args.vendor, args.name)
        ssm.put_parameter(Name=name, Value=json.dumps(data), Type="String", Overwrite=True)
        print(f"registered {name}")
    elif args.verb == "get":
        value = ssm.get_parameter(Name=parameter_name(args.vendor, args.name))["Parameter"]["Value"]
        print(json.dumps(json.loads(value), indent=2))
    elif args.verb == "delete":
        ssm.delete_parameter(Name=parameter_name(args.vendor, args.name))
        print(f"deleted {parameter_name(args.vendor, args.name)}")
    else:
        for vendor in [args.vendor] if args.vendor else list(VENDORS):
            prefix = f"{registry_path()}/{vendor}"
            for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=prefix):
                for parameter in page.get("Parameters", []):
                    name = str(parameter["Name"]).removeprefix(prefix + "/")
                    sys.stdout.write(f"{vendor}\t{name}\t{parameter['Value']}\n")
    return 0
