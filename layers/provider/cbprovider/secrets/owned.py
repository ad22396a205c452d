"""The secrets the provider owns: keys an API handed back (CreateUser, ActivateInstance) to one resource.

Such a secret is created under ``cfn-replication-provider/``, tagged with the owning stack's id and with
this provider deployment's id (``PROVIDER_ID``, the provider stack's name); it is written, read and
deleted only for that stack. Its value is read with ``cbprovider.secrets.reader`` like any other.
"""

from __future__ import annotations

import functools
import json
import os
import re
import secrets as _random
from collections.abc import Mapping
from typing import Any

from cbprovider.errors import ProviderError
from cbprovider.runtime.log import logger

OWNED_PREFIX = "cfn-replication-provider/"
OWNER_TAG = "cfn-replication-provider:owner"
STACK_TAG = "cfn-replication-provider:stack-id"
LOGICAL_TAG = "cfn-replication-provider:logical-id"
PROVIDER_ID_ENV = "PROVIDER_ID"
"""This provider deployment's id (template.yaml: the provider stack's name): the value of ``OWNER_TAG``."""
DEFAULT_PROVIDER_ID = "cfn-replication-provider"
"""The owner value where ``PROVIDER_ID`` is not set (tests, the demo, ``sam local invoke``)."""
_NAME_CHARS = re.compile(r"[^A-Za-z0-9/_+=.@-]")


class NotOwnedSecret(ProviderError):
    """The provider was asked to write or delete a secret that is not its own for this stack."""


def provider_id() -> str:
    """The value of ``OWNER_TAG`` on the secrets this deployment owns."""
    return os.environ.get(PROVIDER_ID_ENV, "").strip() or DEFAULT_PROVIDER_ID


def owned_by(tags: Mapping[str, str], stack_id: str) -> bool:
    """Whether ``tags`` mark a secret of this provider deployment owned by the stack ``stack_id``."""
    return tags.get(OWNER_TAG) == provider_id()[:256] and tags.get(STACK_TAG) == stack_id[:256]


def tag_map(described: Mapping[str, Any]) -> dict[str, str]:
    """The tags of a ``DescribeSecret`` answer as a mapping."""
    return {str(t.get("Key")): str(t.get("Value", "")) for t in described.get("Tags", [])}


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


@functools.cache
def secrets_client() -> Any:
    """One Secrets Manager client per container (the sharing check runs on every property-named secret)."""
    import boto3

    return boto3.client("secretsmanager")
