"""Capella v4 authentication: ``Authorization: Bearer <API key token>``, nothing signed, no timestamp.

A v4 credentials secret holds the token as plain text or as ``{"ApiKeyToken": "..."}``
(``api_key_token_from_secret``; ``read_api_key_token`` reads the secret). The token never appears in
``repr``, messages or logs.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from cbprovider.capella.v4.errors import TokenFormatError
from cbprovider.http_message import PreparedRequest

TOKEN_FIELD = "ApiKeyToken"  # noqa: S105 (a JSON key, not a secret)


def api_key_token_from_secret(text: str) -> str:
    """The API key token held by a secret: the whole text, or the ``ApiKeyToken`` of a JSON object.

    Surrounding whitespace is dropped. ``TokenFormatError`` (never quoting the value) when the text is
    empty, is JSON without an ``ApiKeyToken`` string, or contains whitespace or control characters
    (which no token has and which would break the ``Authorization`` header).
    """
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except ValueError:
            raise TokenFormatError("the secret starts with '{' but is not valid JSON") from None
        value = data.get(TOKEN_FIELD) if isinstance(data, dict) else None
        if not isinstance(value, str):
            raise TokenFormatError(f"the secret is a JSON object without an {TOKEN_FIELD!r} string")
        stripped = value.strip()
    if not stripped:
        raise TokenFormatError("the secret holds an empty API key token")
    if any(ch.isspace() or not ch.isprintable() for ch in stripped):
        raise TokenFormatError("the API key token contains whitespace or control characters")
    return stripped


def read_api_key_token(arn: str, *, field_context: str, region: str | None = None) -> str:
    """The API key token in secret ``arn``; ``SecretUnreadable`` naming ``field_context`` and the ARN."""
    from cbprovider.redaction import remember_secret
    from cbprovider.secrets.reader import SecretUnreadable, secret_text

    try:
        token = api_key_token_from_secret(secret_text(arn, field_context=field_context, region=region))
    except TokenFormatError as error:
        raise SecretUnreadable(f"{field_context}: secret {arn}: {error}") from None
    remember_secret(token)
    return token


class BearerAuth:
    """Sets ``Authorization: Bearer <token>``; ``before_send`` runs first on every attempt (pacing)."""

    def __init__(self, token: str, before_send: Callable[[], None] | None = None) -> None:
        if not token or any(ch.isspace() for ch in token):
            raise TokenFormatError("the API key token is empty or contains whitespace")
        self._token = token
        self._before_send = before_send

    def __repr__(self) -> str:
        return "BearerAuth(token=<redacted>)"

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        if self._before_send is not None:
            self._before_send()
        r.headers["Authorization"] = f"Bearer {self._token}"
        return r
