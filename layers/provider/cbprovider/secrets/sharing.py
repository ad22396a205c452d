"""Which stack may use a secret that a resource property names (``Source.SecretArn``, ``PasswordSecretArn``).

The provider is shared by every stack in the account and its role can read more than any one stack
author may. So a secret named by a resource property is read only when the secret itself says the
requesting stack may use it:

- the tag ``cfn-replication-provider:shared-with`` is ``*`` or a space-separated list of stack names
  that includes the requesting stack; or
- it is a provider-owned secret of that same stack (``cbprovider.secrets.owned``).

A provider-owned secret of another stack is refused even if someone tagged it as shared. The decision
is made from ``DescribeSecret`` (tags only) before the value is read (``cbprovider.secrets.reader``); a
refusal is ``SecretNotShared`` and nothing is read or sent. Secrets the operator named (the endpoint
credentials and CA bundles) are read with the reader directly and need no tag.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

from cbprovider.errors import ProviderError
from cbprovider.runtime.log import logger
from cbprovider.secrets.owner_tags import OWNER_TAG, STACK_TAG, provider_id, secrets_client, tag_map
from cbprovider.secrets.reader import SECRET_MAX_AGE, SecretUnreadable, secret_json, secret_value

SHARED_WITH_TAG = "cfn-replication-provider:shared-with"
SHARING_MAX_AGE = 30
"""Seconds a "shared with this stack" decision is kept: a removed tag takes effect this soon."""
_STACK_ARN = re.compile(r"^arn:[a-z0-9-]+:cloudformation:[a-z0-9-]+:\d{12}:stack/([A-Za-z][A-Za-z0-9-]*)/")

_allowed: dict[tuple[str, str], float] = {}
"""(secret ARN, StackId) -> when the secret was found shared with that stack. Keyed by stack, so a
decision for one stack is never reused for another; refusals are not kept (a tag added now works)."""


class SecretNotShared(ProviderError):
    """A property names a secret that is not shared with the requesting stack; nothing was read."""


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
    tags = _tags(arn, property_name, client or secrets_client())
    refusal = _refusal(tags, arn=arn, property_name=property_name, stack_id=stack_id)
    if refusal:
        logger.warning("Refused a secret not shared with the stack", extra={"secret_arn": arn})
        raise SecretNotShared(refusal)
    _allowed[key] = now


def read_shared_secret_json(
    arn: str, *, property_name: str, stack_id: str, max_age: int = SECRET_MAX_AGE
) -> dict[str, Any]:
    """The JSON object in a secret a property names, once ``check_shared`` allows it."""
    check_shared(arn, property_name=property_name, stack_id=stack_id)
    return secret_json(arn, field_context=property_name, max_age=max_age)


def read_shared_secret_text(
    arn: str, *, property_name: str, stack_id: str, json_keys: Sequence[str], max_age: int = SECRET_MAX_AGE
) -> str:
    """One value (a password, a licence key) from a secret a property names, once it is shared
    (plain text, or a JSON object holding it under one of ``json_keys``)."""
    check_shared(arn, property_name=property_name, stack_id=stack_id)
    return secret_value(arn, field_context=property_name, json_keys=json_keys, max_age=max_age)


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
    return tag_map(described)
