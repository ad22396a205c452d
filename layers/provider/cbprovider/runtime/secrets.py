"""Secrets Manager: reading the secrets that properties point to, and the secrets the provider owns.

Keys that an API hands back (CreateUser, ActivateInstance) go into a secret the provider creates under
``cfn-replication-provider/`` and tags as its own; only that secret's ARN appears in Data. A Delete
removes such a secret only if the tag says it is ours.
"""

from __future__ import annotations

import json
import re
import secrets as _random
from typing import Any

from cbprovider.redaction import remember_secrets_in
from cbprovider.runtime.log import logger
from cbprovider.runtime.properties import ValidationFailed

OWNED_PREFIX = "cfn-replication-provider/"
OWNER_TAG = "cfn-replication-provider:owner"
OWNER_VALUE = "cfn-replication-provider"
STACK_TAG = "cfn-replication-provider:stack-id"
LOGICAL_TAG = "cfn-replication-provider:logical-id"
SECRET_MAX_AGE = 300
_NAME_CHARS = re.compile(r"[^A-Za-z0-9/_+=.@-]")


class SecretUnreadable(ValidationFailed):
    """A secret named by a property is missing, unreadable, or not a JSON object."""


def read_secret_json(
    arn: str, *, field_context: str = "Source.SecretArn", max_age: int = SECRET_MAX_AGE
) -> dict[str, Any]:
    """The JSON object stored in secret ``arn`` (cached ``max_age`` seconds).

    Errors name the property (``field_context``) and the ARN, never the secret's value.
    """
    from aws_lambda_powertools.utilities.parameters import get_secret
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    try:
        text = get_secret(arn, max_age=max_age)
    except GetParameterError as error:
        # Powertools re-raises without chaining (``raise GetParameterError(str(exc))`` in an except).
        cause = error.__cause__ or error.__context__ or error
        code = getattr(cause, "response", {}).get("Error", {}).get("Code") or type(cause).__name__
        raise SecretUnreadable(f"{field_context}: cannot read secret {arn} ({code})") from None
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        raise SecretUnreadable(f"{field_context}: secret {arn} is not JSON") from None
    if not isinstance(value, dict):
        raise SecretUnreadable(f"{field_context}: secret {arn} is not a JSON object")
    remember_secrets_in(value)
    return value


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
    sm = client or _client()
    hint = _NAME_CHARS.sub("-", name_hint)[:200] or "keys"
    name = f"{OWNED_PREFIX}{hint}-{_random.token_hex(4)}"
    created = sm.create_secret(
        Name=name,
        Description=f"Keys handed back by an API for {logical_id}; owned by the custom-resource provider",
        SecretString=json.dumps(value),
        Tags=[
            {"Key": OWNER_TAG, "Value": OWNER_VALUE},
            {"Key": STACK_TAG, "Value": stack_id[:256]},
            {"Key": LOGICAL_TAG, "Value": logical_id[:256]},
            *({"Key": k, "Value": v[:256]} for k, v in (extra_tags or {}).items()),
        ],
    )
    logger.info("Created an owned secret", extra={"secret_arn": created["ARN"]})
    return str(created["ARN"])


def delete_owned_secret(arn: str, *, client: Any = None) -> bool:
    """Delete the secret if it is tagged as the provider's; True if it was deleted.

    A secret that is already gone (or scheduled for deletion) is fine; one that is not ours is left
    alone with a warning.
    """
    sm = client or _client()
    try:
        described = sm.describe_secret(SecretId=arn)
    except Exception as error:
        if getattr(error, "response", {}).get("Error", {}).get("Code") == "ResourceNotFoundException":
            return False
        raise
    if described.get("DeletedDate"):
        return False
    tags = {t.get("Key"): t.get("Value") for t in described.get("Tags", [])}
    if tags.get(OWNER_TAG) != OWNER_VALUE:
        logger.warning("Not deleting a secret the provider does not own", extra={"secret_arn": arn})
        return False
    sm.delete_secret(SecretId=arn, RecoveryWindowInDays=7)
    logger.info("Scheduled an owned secret for deletion", extra={"secret_arn": arn})
    return True


def _client() -> Any:
    import boto3

    return boto3.client("secretsmanager")
