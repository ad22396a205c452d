"""Key pairs for the automation functions: given directly, or read from a Secrets Manager secret.

Secrets are read through ``cbprovider.runtime.secrets.read_secret_json`` (Powertools parameters, cached
for five minutes), imported only when a secret is actually needed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cbprovider.automation.errors import CredentialsError

SecretReader = Callable[[str, str], Mapping[str, Any]]
"""``(arn, field_context) -> JSON object``; errors name the field and ARN, never the value."""

CLOUDBASIC_FIELDS = ("AccessKeyId", "SecretAccessKey")
CAPELLA_FIELDS = ("AccessKey", "SecretKey")


def read_secret(arn: str, field_context: str) -> Mapping[str, Any]:
    from cbprovider.runtime.secrets import read_secret_json

    return read_secret_json(arn, field_context=field_context)


def key_pair_from_secret(
    arn: str, fields: tuple[str, str], *, field_context: str, reader: SecretReader = read_secret
) -> tuple[str, str]:
    """The ``fields`` pair (e.g. ``AccessKeyId``/``SecretAccessKey``) of the JSON secret ``arn``."""
    data = reader(arn, field_context)
    first, second = (data.get(name) for name in fields)
    if not isinstance(first, str) or not isinstance(second, str) or not first or not second:
        raise CredentialsError(
            f"{field_context}: secret {arn} must be a JSON object with {fields[0]} and {fields[1]} strings"
        )
    return first, second
