"""Error types of the automation functions. Messages name fields and sources, never secret values."""

from __future__ import annotations

from cbprovider.errors import ProviderError


class InputError(ProviderError, ValueError):
    """An event or setting is invalid. ``field`` names the offending field (``Dns.Ttl``)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class UnsafePromotionError(InputError):
    """A flag combination the API documents as not allowed (checked before any call)."""


class CredentialsError(ProviderError):
    """A key pair could not be loaded. The message names the source, never key material."""


class DnsUpdateError(ProviderError):
    """Route 53 refused or failed the CNAME change (the promotion itself had succeeded)."""


class DnsAccessError(ProviderError):
    """Route 53 could not be used for the promotion's DNS change (checked before the promotion starts)."""
