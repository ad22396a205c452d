"""The provider-owned secret holding a key pair that CloudBasic handed back (ActivateInstance, CreateUser).

The secret holds ``{"AccessKeyId": ..., "SecretAccessKey": ...}``, the shape the provider reads from a
``CredentialsSecretArn``, so a stack can point other resources at it. A Delete request carries no
``Data``, so the secret is found again by its tags: the owner, stack and logical-id tags that
``create_owned_secret`` sets, plus a physical-id tag added here. That lookup needs
``secretsmanager:ListSecrets`` (which IAM grants only on ``*``); the secret's value is never listed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from cbprovider.errors import ProviderError, ResponseFormatError
from cbprovider.runtime import Request, create_owned_secret, delete_owned_secret
from cbprovider.runtime.secrets import LOGICAL_TAG, OWNER_TAG, STACK_TAG, provider_id

if TYPE_CHECKING:
    from cbprovider.cloudbasic.models import KeyPair

PHYSICAL_TAG = "cfn-replication-provider:physical-id"
_HINT_CHARS = re.compile(r"[^A-Za-z0-9_.@-]")


class KeysSecretMissing(ProviderError):
    """The owned secret with a resource's keys cannot be found."""


def store_keys(
    kind: str, keys: KeyPair, req: Request[Any], physical_id: str, *, operation: str, client: Any = None
) -> str:
    """Write ``keys`` to a new provider-owned secret tagged with ``physical_id``; returns its ARN."""
    if not keys.public_key or not keys.private_key:
        raise ResponseFormatError(
            service="CloudBasic", operation=operation, reason="the answer has no publicKey/privateKey"
        )
    sm = client or _client()
    arn = create_owned_secret(
        f"{kind}/{_HINT_CHARS.sub('-', physical_id)[:100]}",
        {"AccessKeyId": keys.public_key, "SecretAccessKey": keys.private_key},
        stack_id=req.stack_id,
        logical_id=req.logical_id,
        extra_tags={PHYSICAL_TAG: physical_id},
        client=sm,
    )
    return arn


def find_keys_secrets(req: Request[Any], physical_id: str, *, client: Any = None) -> list[str]:
    """ARNs (oldest first) of the provider's secrets for this stack, logical and physical id.

    Secrets already scheduled for deletion are left out.
    """
    sm = client or _client()
    wanted = {
        OWNER_TAG: provider_id()[:256],
        STACK_TAG: req.stack_id[:256],
        LOGICAL_TAG: req.logical_id[:256],
        PHYSICAL_TAG: physical_id[:256],
    }
    found: list[tuple[str, str]] = []
    paginator = sm.get_paginator("list_secrets")
    pages = paginator.paginate(
        Filters=[
            {"Key": "tag-key", "Values": [PHYSICAL_TAG]},
            {"Key": "tag-value", "Values": [physical_id[:256]]},
        ]
    )
    for page in pages:
        for entry in page.get("SecretList", []):
            tags = {t.get("Key"): t.get("Value") for t in entry.get("Tags", [])}
            if entry.get("DeletedDate") or any(tags.get(k) != v for k, v in wanted.items()):
                continue
            found.append((str(entry.get("CreatedDate", "")), str(entry["ARN"])))
    return [arn for _, arn in sorted(found)]


def find_keys_secret(req: Request[Any], physical_id: str, *, client: Any = None) -> str:
    """The one secret ``find_keys_secrets`` finds (the newest ARN if there are several)."""
    found = find_keys_secrets(req, physical_id, client=client)
    if not found:
        raise KeysSecretMissing(
            f"the provider's keys secret for {physical_id} ({req.logical_id}) was not found; "
            "it was deleted outside the stack"
        )
    return found[-1]


def remove_keys_secrets(req: Request[Any], physical_id: str, *, client: Any = None) -> int:
    """Schedule every keys secret of this resource for deletion; how many were removed."""
    sm = client or _client()
    return sum(
        delete_owned_secret(arn, stack_id=req.stack_id, client=sm)
        for arn in find_keys_secrets(req, physical_id, client=sm)
    )


def _client() -> Any:
    import boto3

    return boto3.client("secretsmanager")
