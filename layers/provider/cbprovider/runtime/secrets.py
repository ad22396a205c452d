"""Secrets Manager: the secrets properties name (shared on purpose), and the secrets the provider owns.

The provider is shared by every stack in the account and its role can read more than any one stack
author may. So a secret named by a resource property (``Source.SecretArn``, ``PasswordSecretArn``, ...)
is read only when the secret itself says the requesting stack may use it:

- the tag ``cfn-replication-provider:shared-with`` is ``*`` or a space-separated list of stack names
  that includes the requesting stack (``read_shared_secret_json`` / ``read_shared_secret_text``); or
- it is a provider-owned secret of that same stack (keys an API handed back to one of its resources).

A provider-owned secret of another stack is refused even if someone tagged it as shared. The decision
is made from ``DescribeSecret`` (tags only) before ``GetSecretValue``; a refusal is ``SecretNotShared``
and nothing is read or sent. Secrets the operator named (the endpoint credentials and CA bundles) are
read with ``read_secret_json`` and need no tag.

Keys that an API hands back (CreateUser, ActivateInstance) go into a secret the provider creates under
``cfn-replication-provider/``, tagged with the owning stack's id and with this provider deployment's id
(``PROVIDER_ID``, the provider stack's name); it is written, read and deleted only for that stack.
"""

from __future__ import annotations

import functools
import json
import os
import re
import secrets as _random
import time
from collections.abc import Mapping, Sequence
from typing import Any

from cbprovider.redaction import remember_secret, remember_secrets_in
from cbprovider.runtime.log import logger
from cbprovider.runtime.properties import ValidationFailed

OWNED_PREFIX = "cfn-replication-provider/"
OWNER_TAG = "cfn-replication-provider:owner"
STACK_TAG = "cfn-replication-provider:stack-id"
LOGICAL_TAG = "cfn-replication-provider:logical-id"
SHARED_WITH_TAG = "cfn-replication-provider:shared-with"
PROVIDER_ID_ENV = "PROVIDER_ID"
"""This provider deployment's id (template.yaml: the provider stack's name): the value of ``OWNER_TAG``."""
DEFAULT_PROVIDER_ID = "cfn-replication-provider"
"""The owner value where ``PROVIDER_ID`` is not set (tests, the demo, ``sam local invoke``)."""
SECRET_MAX_AGE = 300
SHARING_MAX_AGE = 30
"""Seconds a "shared with this stack" decision is kept: a removed tag takes effect this soon."""
_NAME_CHARS = re.compile(r"[^A-Za-z0-9/_+=.@-]")
_STACK_ARN = re.compile(r"^arn:[a-z0-9-]+:cloudformation:[a-z0-9-]+:\d{12}:stack/([A-Za-z][A-Za-z0-9-]*)/")

_allowed: dict[tuple[str, str], float] = {}
"""(secret ARN, StackId) -> when the secret was found shared with that stack. Keyed by stack, so a
decision for one stack is never reused for another; refusals are not kept (a tag added now works)."""


class SecretUnreadable(ValidationFailed):
    """A secret named by a property is missing, unreadable, or not a JSON object."""


class SecretNotShared(ValidationFailed):
    """A property names a secret that is not shared with the requesting stack; nothing was read."""


class NotOwnedSecret(ValidationFailed):
    """The provider was asked to write or delete a secret that is not its own for this stack."""


def provider_id() -> str:
    """The value of ``OWNER_TAG`` on the secrets this deployment owns."""
    return os.environ.get(PROVIDER_ID_ENV, "").strip() or DEFAULT_PROVIDER_ID


def stack_name_of(stack_id: str) -> str:
    """The stack name in a CloudFormation StackId ARN (``""`` if it is not one)."""
    found = _STACK_ARN.match(stack_id)
    return found.group(1) if found else ""


def sharing_tags(*stack_names: str) -> list[dict[str, str]]:
    """The ``Tags`` that share a secret with ``stack_names`` (with every stack when none is given)."""
    return [{"Key": SHARED_WITH_TAG, "Value": " ".join(stack_names) or "*"}]


def check_shared(arn: str, *, property_name: str, stack_id: str, client: Any = None) -> None:
    """Raise ``SecretNotShared`` unless the stack ``stack_id`` may use secret ``arn``.

    Reads the secret's tags only (DescribeSecret); the message names the property and the tag to add.
    """
    key = (arn, stack_id)
    now = time.monotonic()
    if now - _allowed.get(key, -SHARING_MAX_AGE) < SHARING_MAX_AGE:
        return
    tags = _tags(arn, property_name, client or _client())
    refusal = _refusal(tags, arn=arn, property_name=property_name, stack_id=stack_id)
    if refusal:
        logger.warning("Refused a secret not shared with the stack", extra={"secret_arn": arn})
        raise SecretNotShared(refusal)
    _allowed[key] = now


def _refusal(tags: Mapping[str, str], *, arn: str, property_name: str, stack_id: str) -> str | None:
    stack = stack_name_of(stack_id)
    if tags.get(OWNER_TAG) == provider_id():
        if tags.get(STACK_TAG) == stack_id[:256]:
            return None
        return (
            f"{property_name}: secret {arn} is a provider-owned secret of another stack: only resources of "
            f"the stack that created it may use it ({SHARED_WITH_TAG} does not apply to it)"
        )
    shared = tags.get(SHARED_WITH_TAG)
    if shared is not None and ("*" in shared.split() or (stack and stack in shared.split())):
        return None
    what = "is not shared with" if shared is None else "is shared with other stacks, not with"
    return (
        f"{property_name}: secret {arn} {what} stack {stack or stack_id!r}: to let this stack use it, tag "
        f"the secret {SHARED_WITH_TAG} with a space-separated list of stack names that includes {stack!r} "
        "(or * for every stack)"
    )


def _tags(arn: str, property_name: str, sm: Any) -> dict[str, str]:
    try:
        described = sm.describe_secret(SecretId=arn)
    except Exception as error:
        code = getattr(error, "response", {}).get("Error", {}).get("Code") or type(error).__name__
        raise SecretUnreadable(f"{property_name}: cannot read secret {arn} ({code})") from None
    return _tag_map(described)


def read_shared_secret_json(
    arn: str, *, property_name: str, stack_id: str, max_age: int = SECRET_MAX_AGE
) -> dict[str, Any]:
    """``read_secret_json`` of a secret a property names, once ``check_shared`` allows it."""
    check_shared(arn, property_name=property_name, stack_id=stack_id)
    return read_secret_json(arn, field_context=property_name, max_age=max_age)


def read_shared_secret_text(
    arn: str, *, property_name: str, stack_id: str, json_keys: Sequence[str], max_age: int = SECRET_MAX_AGE
) -> str:
    """One value (a password, a licence key) from a secret a property names, once it is shared.

    The secret may hold the value as plain text, or a JSON object with the value under one of
    ``json_keys`` (``{"password": "..."}``, the shape of an RDS-style secret).
    """
    check_shared(arn, property_name=property_name, stack_id=stack_id)
    return read_secret_text(arn, field_context=property_name, json_keys=json_keys, max_age=max_age)


def read_secret_text(
    arn: str, *, field_context: str, json_keys: Sequence[str], max_age: int = SECRET_MAX_AGE
) -> str:
    """One value from secret ``arn`` (plain text, or a JSON object holding it under one of ``json_keys``),
    with no sharing check: only for secrets the operator named (an endpoint's token)."""
    text = _fetch(arn, field_context, max_age)
    value = _from_json_object(text, json_keys, field_context=field_context, arn=arn)
    if not value:
        raise SecretUnreadable(f"{field_context}: secret {arn} is empty")
    remember_secret(value)
    return value


def read_secret_json(
    arn: str, *, field_context: str = "Source.SecretArn", max_age: int = SECRET_MAX_AGE
) -> dict[str, Any]:
    """The JSON object stored in secret ``arn`` (cached ``max_age`` seconds), with no sharing check.

    Only for secrets the operator named (an endpoint's credentials) or the provider found as its own for
    the requesting stack. Errors name the property (``field_context``) and the ARN, never the value.
    """
    text = _fetch(arn, field_context, max_age)
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        raise SecretUnreadable(f"{field_context}: secret {arn} is not JSON") from None
    if not isinstance(value, dict):
        raise SecretUnreadable(f"{field_context}: secret {arn} is not a JSON object")
    remember_secrets_in(value)
    return value


def _fetch(arn: str, field_context: str, max_age: int) -> str:
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
    return str(text)


def _from_json_object(text: str, json_keys: Sequence[str], *, field_context: str, arn: str) -> str:
    if not text.lstrip().startswith("{"):
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return text
    if not isinstance(value, dict):
        return text
    for key in json_keys:
        found = value.get(key)
        if isinstance(found, str):
            return found
    names = " or ".join(repr(k) for k in json_keys)
    raise SecretUnreadable(f"{field_context}: secret {arn} is a JSON object without a {names} string")


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
            {"Key": OWNER_TAG, "Value": provider_id()[:256]},
            {"Key": STACK_TAG, "Value": stack_id[:256]},
            {"Key": LOGICAL_TAG, "Value": logical_id[:256]},
            *({"Key": k, "Value": v[:256]} for k, v in (extra_tags or {}).items()),
        ],
    )
    logger.info("Created an owned secret", extra={"secret_arn": created["ARN"]})
    return str(created["ARN"])


def owned_by(tags: Mapping[str, str], stack_id: str) -> bool:
    """Whether ``tags`` mark a secret of this provider deployment owned by the stack ``stack_id``."""
    return tags.get(OWNER_TAG) == provider_id()[:256] and tags.get(STACK_TAG) == stack_id[:256]


def put_owned_secret_value(arn: str, value: dict[str, Any], *, stack_id: str, client: Any = None) -> None:
    """Write ``value`` (JSON) into the provider-owned secret ``arn`` of the stack ``stack_id``.

    Raises ``NotOwnedSecret`` (writing nothing) when the tags say it belongs to another stack or
    deployment.
    """
    sm = client or _client()
    described = sm.describe_secret(SecretId=arn)
    if described.get("DeletedDate") or not owned_by(_tag_map(described), stack_id):
        raise NotOwnedSecret(f"secret {arn} is not a live provider-owned secret of this stack")
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps(value))


def delete_owned_secret(arn: str, *, stack_id: str, client: Any = None) -> bool:
    """Delete the secret if it is this deployment's, owned by the stack ``stack_id``; True if deleted.

    A secret that is already gone (or scheduled for deletion) is fine; one that is not ours for this
    stack is left alone with a warning.
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
    if not owned_by(_tag_map(described), stack_id):
        logger.warning(
            "Not deleting a secret the provider does not own for this stack", extra={"secret_arn": arn}
        )
        return False
    sm.delete_secret(SecretId=arn, RecoveryWindowInDays=7)
    logger.info("Scheduled an owned secret for deletion", extra={"secret_arn": arn})
    return True


def _tag_map(described: Mapping[str, Any]) -> dict[str, str]:
    return {str(t.get("Key")): str(t.get("Value", "")) for t in described.get("Tags", [])}


@functools.cache
def _client() -> Any:
    """One Secrets Manager client per container: the sharing check runs on every property-named secret."""
    import boto3

    return boto3.client("secretsmanager")
