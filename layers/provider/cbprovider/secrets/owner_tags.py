"""Whose a secret is, by its tags: the tags a provider-owned secret carries and this deployment's id.

Apart from ``owned`` (which creates, writes and deletes those secrets) because the sharing check
(``sharing``) reads them on every secret a resource property names, and most requests never touch an
owned secret. Tags are read and written with the container's one Secrets Manager client
(``secrets_client``).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Any

OWNER_TAG = "cfn-replication-provider:owner"
STACK_TAG = "cfn-replication-provider:stack-id"
LOGICAL_TAG = "cfn-replication-provider:logical-id"
PROVIDER_ID_ENV = "PROVIDER_ID"
"""This provider deployment's id (template.yaml: the provider stack's name): the value of ``OWNER_TAG``."""
DEFAULT_PROVIDER_ID = "cfn-replication-provider"
"""The owner value where ``PROVIDER_ID`` is not set (tests, the demo, ``sam local invoke``)."""


def provider_id() -> str:
    """The value of ``OWNER_TAG`` on the secrets this deployment owns."""
    return os.environ.get(PROVIDER_ID_ENV, "").strip() or DEFAULT_PROVIDER_ID


def owned_by(tags: Mapping[str, str], stack_id: str) -> bool:
    """Whether ``tags`` mark a secret of this provider deployment owned by the stack ``stack_id``."""
    return tags.get(OWNER_TAG) == provider_id()[:256] and tags.get(STACK_TAG) == stack_id[:256]


def tag_map(described: Mapping[str, Any]) -> dict[str, str]:
    """The tags of a ``DescribeSecret`` answer as a mapping."""
    return {str(t.get("Key")): str(t.get("Value", "")) for t in described.get("Tags", [])}


@functools.cache
def secrets_client() -> Any:
    """One Secrets Manager client per container (the sharing check runs on every property-named secret)."""
    import boto3

    return boto3.client("secretsmanager")
