"""Trusting a self-signed CloudBasic appliance: a PEM bundle read from Secrets Manager, kept in a file.

The SSL context loads its roots from a path, so the bundle (the ``SecretString`` of the secret, e.g. the
appliance's own certificate) is written once per content and container to a private temporary file
(``mkstemp``: mode 0600) and that path is handed to ``CloudBasicClient(ca_bundle=...)``. Verification
is never turned off. This module is light on purpose (no property models, no custom-resource runtime;
the secret is read with ``cbprovider.secrets.reader``, which imports boto3 only when it reads) so that
the monitor and promotion functions can use it as well as the resource types.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading

from cbprovider.secrets.reader import SecretUnreadable, secret_text

FIELD = "CaBundleSecretArn"
_PEM_MARKER = "-----BEGIN CERTIFICATE-----"

_bundles: dict[str, str] = {}
_bundles_lock = threading.Lock()


def ca_bundle_file(arn: str, *, field_context: str = FIELD) -> str:
    """The path of a private file holding the PEM bundle of secret ``arn`` (written once per content).

    Raises ``SecretUnreadable`` naming ``field_context`` and the ARN, never the secret's value.
    """
    pem = secret_text(arn, field_context=field_context)
    if _PEM_MARKER not in pem:
        raise SecretUnreadable(f"{field_context}: secret {arn} does not hold a PEM certificate bundle")
    digest = hashlib.sha256(pem.encode()).hexdigest()
    with _bundles_lock:
        path = _bundles.get(digest)
        if path is None or not os.path.exists(path):
            fd, path = tempfile.mkstemp(prefix="cloudbasic-ca-", suffix=".pem")  # mode 0600
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(pem)
            _bundles[digest] = path
        return path
