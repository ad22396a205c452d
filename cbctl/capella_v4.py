"""``cbctl capella call`` on the Capella Management API v4: a bearer API key token instead of a signature.

The token comes from the credentials secret (``--credentials-secret-arn``, else the ``--endpoint``'s):
its text, or its JSON ``ApiKeyToken``; without a secret from ``CAPELLA_API_KEY_TOKEN``. A PATH is sent
as given and needs no organisation id; one that contains ``{organizationId}`` gets ``--organization-id``,
else ``CAPELLA_ORGANIZATION_ID``, else the endpoint's ``OrganizationId``.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, urlsplit

from cbctl.credentials import SECRET_OPTION, CredentialsError, arn_region

if TYPE_CHECKING:
    from cbprovider.capella.v4 import CapellaV4Client
    from cbprovider.endpoints.entries import CapellaEndpoint

ENV_TOKEN = "CAPELLA_API_KEY_TOKEN"  # noqa: S105 (the name of an environment variable)
ENV_ORGANIZATION = "CAPELLA_ORGANIZATION_ID"
ORGANIZATION = "{organizationId}"


def api_version(args: argparse.Namespace, endpoint: CapellaEndpoint | None) -> str:
    """``--api-version``, else the endpoint's ``ApiVersion``, else ``v4`` for a PATH under /v4/, else v3."""
    if args.api_version:
        return str(args.api_version)
    if endpoint is not None:
        return endpoint.api_version
    return "v4" if urlsplit(args.path).path.startswith("/v4/") else "v3"


def load_token(secret_arn: str | None) -> str | None:
    """The API key token from the secret if one is named, else from ``CAPELLA_API_KEY_TOKEN``."""
    from cbprovider.capella.v4 import TokenFormatError, api_key_token_from_secret
    from cbprovider.capella.v4.auth import read_api_key_token
    from cbprovider.redaction import remember_secret

    if secret_arn:
        return read_api_key_token(secret_arn, field_context=SECRET_OPTION, region=arn_region(secret_arn))
    text = os.environ.get(ENV_TOKEN, "")
    if not text.strip():
        return None
    try:
        token = api_key_token_from_secret(text)
    except TokenFormatError as error:
        raise CredentialsError(f"{ENV_TOKEN}: {error}") from None
    remember_secret(token)
    return token


def organization_path(
    path: str, args: argparse.Namespace, parser: argparse.ArgumentParser, endpoint: CapellaEndpoint | None
) -> str:
    """PATH with ``{organizationId}`` filled in (a PATH without it is returned as it is)."""
    if ORGANIZATION not in path:
        return path
    organization = (
        args.organization_id
        or os.environ.get(ENV_ORGANIZATION)
        or (endpoint.organization_id if endpoint is not None else None)
    )
    if not organization:
        parser.error(
            f"PATH contains {ORGANIZATION}: pass --organization-id, set {ENV_ORGANIZATION} "
            "or name an --endpoint that has an OrganizationId"
        )
    return path.replace(ORGANIZATION, quote(organization, safe=""))


def open_v4_client(
    args: argparse.Namespace, parser: argparse.ArgumentParser, endpoint: CapellaEndpoint | None
) -> CapellaV4Client:
    from cbprovider.capella.v4 import CapellaV4Client

    from cbctl.capella import connection

    url, secret_arn = connection(args, parser, endpoint)
    token = load_token(secret_arn)
    if token is None:
        parser.error(f"no API key token: set {ENV_TOKEN} or pass --credentials-secret-arn")
    organization = args.organization_id or (endpoint.organization_id if endpoint is not None else None)
    return CapellaV4Client(url, token, organization_id=organization or None)


def call_v4(
    args: argparse.Namespace, parser: argparse.ArgumentParser, endpoint: CapellaEndpoint | None
) -> int:
    from cbctl.capella import per_page_of, print_response
    from cbctl.output import print_answer

    path = organization_path(args.path, args, parser, endpoint)
    with open_v4_client(args, parser, endpoint) as client:
        if args.all_pages:
            split = urlsplit(path)
            query = dict(parse_qsl(split.query, keep_blank_values=True))
            others = sorted(set(query) - {"perPage", "page"})
            if others:
                parser.error(f"--all-pages on v4 takes only perPage in PATH (got {', '.join(others)})")
            per_page = per_page_of(query.get("perPage"), parser)
            items = list(client.iterate(split.path, split.path, per_page=per_page))
            print_answer(items, args.output)
            return 0
        print_response(client.request(args.method, path, json=args.body), args)
    return 0
