"""Values that may be kept in poll state only encrypted: KMS Encrypt/Decrypt with the provider's key.

Used for the presigned ResponseURL of a long operation, and for a one-time key pair that an API handed
out but that could not be written to its secret yet: the poll state holds the ciphertext (base64), bound
by an encryption context to what it belongs to (the state key; the stack and the secret), and the next
poll decrypts it. The key is the template's ``StateKey`` (``STATE_KMS_KEY_ARN``); without it nothing can
be sealed.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from typing import Any

from cbprovider.errors import ProviderError

KEY_ENV = "STATE_KMS_KEY_ARN"


class SealingFailed(ProviderError):
    """The value could not be encrypted or decrypted (no key configured, or KMS refused)."""


def seal(value: Mapping[str, str], *, context: Mapping[str, str], client: Any = None) -> str:
    """``value`` (a JSON object of strings) encrypted under the provider's key, as base64 text."""
    key = os.environ.get(KEY_ENV, "").strip()
    if not key:
        raise SealingFailed(f"no KMS key to seal with ({KEY_ENV} is not set)")
    try:
        answer = (client or _client()).encrypt(
            KeyId=key, Plaintext=json.dumps(dict(value)).encode(), EncryptionContext=dict(context)
        )
    except Exception as error:
        raise SealingFailed(f"KMS Encrypt failed ({_code(error)})") from None
    return base64.b64encode(answer["CiphertextBlob"]).decode("ascii")


def unseal(token: str, *, context: Mapping[str, str], client: Any = None) -> dict[str, str]:
    """The value ``seal`` encrypted, given the same ``context``."""
    try:
        answer = (client or _client()).decrypt(
            CiphertextBlob=base64.b64decode(token), EncryptionContext=dict(context)
        )
        value = json.loads(answer["Plaintext"])
    except Exception as error:
        raise SealingFailed(f"KMS Decrypt failed ({_code(error)})") from None
    if not isinstance(value, dict):
        raise SealingFailed("the sealed value is not a JSON object")
    return {str(k): str(v) for k, v in value.items()}


def _code(error: BaseException) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code") or type(error).__name__)


def _client() -> Any:
    import boto3

    return boto3.client("kms")
