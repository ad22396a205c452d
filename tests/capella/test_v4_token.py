"""Reading the v4 API key token from a secret's text, without ever echoing it."""

from __future__ import annotations

import pytest
from cbprovider.capella.v4 import BearerAuth, TokenFormatError, api_key_token_from_secret

TOKEN = "dGhpcy1pcy1hLXRva2Vu.c2VjcmV0LXBhcnQ"


@pytest.mark.parametrize(
    "text",
    [TOKEN, f"  {TOKEN}\n", f'{{"ApiKeyToken": "{TOKEN}"}}', f'{{"ApiKeyToken": " {TOKEN} ", "Note": "x"}}'],
)
def test_plain_text_or_json(text):
    assert api_key_token_from_secret(text) == TOKEN


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ('{"ApiKeyToken": ""}', "empty"),
        ('{"Token": "abc-secret"}', "'ApiKeyToken'"),
        ('{"ApiKeyToken": 12}', "'ApiKeyToken'"),
        ('{"ApiKeyToken": "abc-secret"', "not valid JSON"),
        ("abc-secret with-space", "whitespace"),
        ("abc-secret\x00", "control"),
    ],
)
def test_bad_secrets_are_refused_without_echoing_them(text, reason):
    with pytest.raises(TokenFormatError, match=reason) as caught:
        api_key_token_from_secret(text)
    assert "abc-secret" not in str(caught.value)


def test_the_auth_object_does_not_show_the_token():
    assert TOKEN not in repr(BearerAuth(TOKEN))
