"""The secrets the provider owns: keys an API handed back (CreateUser, ActivateInstance) to one resource.

Such a secret is created under ``cfn-replication-provider/``, tagged with the owning stack's id and with
this provider deployment's id (``PROVIDER_ID``, the provider stack's name; see ``owner_tags``); it is
written, read and deleted only for that stack. Its value is read with ``cbprovider.secrets.reader`` like
any other.
"""

from __future__ import annotations

import json
import re
import secrets as _random
from typing import Any

from cbprovider.errors import ProviderError
from cbprovider.runtime.log import logger
from cbprovider.secrets.owner_tags import (
    LOGICAL_TAG,
    OWNER_TAG,
    STACK_TAG,
    owned_by,
    provider_id,
    secrets_client,
    tag_map,
)

OWNED_PREFIX = "cfn-replication-provider/"
_NAME_CHARS = re.compile(r"[^A-Za-z0-9/_+=.@-]")


class NotOwnedSecret(ProviderError):
    """The provider was asked to write or delete a secret that is not its own for this stack."""


def create_owned_secret(
    name_hint: str,
    value: dict[str, Any],
    *,
    stack_id: str,
    logical_id: str,
    extra_tags: dict[str, str] | None = None,
    client: Any = None,
) -> str:
    """Create a provider-owned secret holding ``value`` (JSON); returns its ARN.

    Every tag is set in the same call, so a secret never exists without the tags it is found by.
    """
    sm = client or secrets_client()
    hint = _NAME_CHARS.sub("-", name_hint)[:200] or "keys"
    name = f"{OWNED_PREFIX}{hint}-{_random.token_hex(4)}"
    created = sm.create_secret(
        Name=name,
        Description=f"Keys handed back by an API for {logical_id}; owned by the custom-resource provider",
        SecretString=json.dumps(value),
        Tags=[
            {"Key": OWNER_TAG, "Value": provider_id()[:256]},
            {"Key": STACK_TAG, "Value": stack_id[:256]},
            {"Key": LOGICAL_TAG, "Value": logical_id[:256]},
            *({"Key": k, "Value": v[:256]} for k, v in (extra_tags or {}).items()),
        ],
    )
    logger.info("Created an owned secret", extra={"secret_arn": created["ARN"]})
    return str(created["ARN"])


def put_owned_secret_value(arn: str, value: dict[str, Any], *, stack_id: str, client: Any = None) -> None:
    """Write ``value`` (JSON) into the provider-owned secret ``arn`` of the stack ``stack_id``.

    Raises ``NotOwnedSecret`` (writing nothing) when the tags say it belongs to another stack or
    deployment.
    """
    sm = client or secrets_client()
    described = sm.describe_secret(SecretId=arn)
    if described.get("DeletedDate") or not owned_by(tag_map(described), stack_id):
        raise NotOwnedSecret(f"secret {arn} is not a live provider-owned secret of this stack")
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps(value))


def delete_owned_secret(arn: str, *, stack_id: str, client: Any = None) -> bool:
    """Delete the secret if it is this deployment's, owned by the stack ``stack_id``; True if deleted.

    A secret that is already gone (or scheduled for deletion) is fine; one that is not ours for this
    stack is left alone with a warning.
    """
    sm = client or secrets_client()
    try:
        described = sm.describe_secret(SecretId=arn)
    except Exception as error:
        if getattr(error, "response", {}).get("Error", {}).get("Code") == "ResourceNotFoundException":
            return False
        raise
    if described.get("DeletedDate"):
        return False
    if not owned_by(tag_map(described), stack_id):
        logger.warning(
            "Not deleting a secret the provider does not own for this stack", extra={"secret_arn": arn}
        )
        return False
    sm.delete_secret(SecretId=arn, RecoveryWindowInDays=7)
    logger.info("Scheduled an owned secret for deletion", extra={"secret_arn": arn})
    return True
