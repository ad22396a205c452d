"""Key pairs and API key tokens for the automation functions, read from the secrets the operator named.

The values are read with the one secret reader (``cbprovider.secrets.reader``: cached, errors name the
field and ARN, boto3 imported only when a secret is read), without importing the custom-resource runtime.
"""

from __future__ import annotations

from cbprovider.secrets.reader import secret_key_pair

CLOUDBASIC_FIELDS = ("AccessKeyId", "SecretAccessKey")
CAPELLA_FIELDS = ("AccessKey", "SecretKey")


def key_pair_from_secret(arn: str, fields: tuple[str, str], *, field_context: str) -> tuple[str, str]:
    """The ``fields`` pair (e.g. ``AccessKeyId``/``SecretAccessKey``) of the JSON secret ``arn``."""
    return secret_key_pair(arn, fields, field_context=field_context)
