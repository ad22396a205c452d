"""Trusting a self-signed CloudBasic appliance: a PEM bundle read from Secrets Manager, kept in a file.

``requests`` verifies against a path, so the bundle (the ``SecretString`` of the secret, e.g. the
appliance's own certificate) is written once per content and container to a private temporary file
(``mkstemp``: mode 0600) and that path is handed to ``CloudBasicClient(ca_bundle=...)``. Verification
is never turned off. This module is light on purpose (no property models, no custom-resource runtime; boto3
only through Powertools, imported when a secret is read) so that the monitor and promotion functions
can use it as well as the resource types.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading

from cbprovider.errors import ProviderError

FIELD = "CaBundleSecretArn"
SECRET_MAX_AGE = 300
_PEM_MARKER = "-----BEGIN CERTIFICATE-----"

_bundles: dict[str, str] = {}
_bundles_lock = threading.Lock()


class CaBundleUnreadable(ProviderError):
    """The CA bundle secret is missing, unreadable or holds no PEM certificate (names field and ARN)."""


def ca_bundle_file(arn: str, *, field_context: str = FIELD) -> str:
    """The path of a private file holding the PEM bundle of secret ``arn`` (written once per content).

    Raises ``CaBundleUnreadable`` naming ``field_context`` and the ARN, never the secret's value.
    """
    pem = _read_secret_text(arn, field_context)
    if _PEM_MARKER not in pem:
        raise CaBundleUnreadable(f"{field_context}: secret {arn} does not hold a PEM certificate bundle")
    digest = hashlib.sha256(pem.encode()).hexdigest()
    with _bundles_lock:
        path = _bundles.get(digest)
        if path is None or not os.path.exists(path):
            fd, path = tempfile.mkstemp(prefix="cloudbasic-ca-", suffix=".pem")  # mode 0600
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(pem)
            _bundles[digest] = path
        return path


def _read_secret_text(arn: str, field_context: str) -> str:
    from aws_lambda_powertools.utilities.parameters import get_secret
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    try:
        value = get_secret(arn, max_age=SECRET_MAX_AGE)
    except GetParameterError as error:
        cause = error.__cause__ or error
        code = getattr(cause, "response", {}).get("Error", {}).get("Code") or type(cause).__name__
        raise CaBundleUnreadable(f"{field_context}: cannot read secret {arn} ({code})") from None
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)
