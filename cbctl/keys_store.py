"""Where ``cbctl`` keeps a key pair that an API hands out once (ActivateInstance, CreateUser).

``check_access`` runs BEFORE the call: AWS credentials and a region must be there and work (STS
GetCallerIdentity), and the secret name must be free, or the call is not sent. ``store`` then creates the
secret; if that fails anyway, the pair goes to a new file readable only by the user (created with
O_CREAT|O_EXCL and mode 0600, never overwriting anything) and the caller says where. The private key is
never printed.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cbprovider.errors import ProviderError

_FILE_CHARS = re.compile(r"[^A-Za-z0-9_.-]")


class KeysStoreUnavailable(ProviderError):
    """Secrets Manager cannot take the key pair; the API was not called."""


@dataclass(frozen=True)
class Stored:
    """Where the key pair went: a secret, or (when that failed) a private file and why."""

    secret_arn: str | None = None
    file: Path | None = None
    failure: str | None = None


def check_access(secret_name: str) -> None:
    """Raise ``KeysStoreUnavailable`` unless a secret named ``secret_name`` can be created now."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    unsent = "nothing was sent"
    session = boto3.session.Session()
    if not session.region_name:
        raise KeysStoreUnavailable(
            f"--keys-secret-name needs an AWS region (set AWS_REGION or a profile's region); {unsent}"
        )
    try:
        if session.get_credentials() is None:
            raise KeysStoreUnavailable(
                f"--keys-secret-name needs AWS credentials, and none were found; {unsent}"
            )
        session.client("sts").get_caller_identity()
        session.client("secretsmanager").describe_secret(SecretId=secret_name)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        if code == "ResourceNotFoundException":
            return
        if code in ("AccessDeniedException", "AccessDenied") and error.operation_name == "DescribeSecret":
            return  # allowed to create but not to describe: the name cannot be checked
        raise KeysStoreUnavailable(
            f"--keys-secret-name: AWS refused the access check ({code}); {unsent}"
        ) from None
    except BotoCoreError as error:
        raise KeysStoreUnavailable(
            f"--keys-secret-name: AWS cannot be reached ({type(error).__name__}); {unsent}"
        ) from None
    raise KeysStoreUnavailable(f"--keys-secret-name: a secret named {secret_name!r} already exists; {unsent}")


def store(secret_name: str, value: dict[str, Any]) -> Stored:
    """Create the secret holding ``value``; on failure write a new private file in the current folder."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        arn = boto3.client("secretsmanager").create_secret(Name=secret_name, SecretString=json.dumps(value))[
            "ARN"
        ]
        return Stored(secret_arn=str(arn))
    except ClientError as error:
        failure = str(error.response.get("Error", {}).get("Code", "error"))
    except BotoCoreError as error:
        failure = type(error).__name__
    return Stored(file=write_private_file(secret_name, value), failure=failure)


def write_private_file(name: str, value: dict[str, Any], folder: Path | None = None) -> Path:
    """A NEW file ``<name>.keys.json`` (or ``<name>.keys-2.json``, ...) with mode 0600 holding ``value``."""
    base = _FILE_CHARS.sub("-", name)[:100] or "keys"
    folder = folder or Path.cwd()
    for n in range(1, 1000):
        path = folder / (f"{base}.keys.json" if n == 1 else f"{base}.keys-{n}.json")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w") as file:
            json.dump(value, file)
        return path.resolve()
    raise KeysStoreUnavailable(f"no free file name for the key pair in {folder}")
