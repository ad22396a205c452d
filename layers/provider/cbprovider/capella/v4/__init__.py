"""Couchbase Capella Management API v4 client: bearer token, paced requests, typed models, ETag updates.

Names are exported lazily (PEP 562), like ``cbprovider.capella``: importing the package costs nothing
until a name is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cbprovider.capella.v4.auth import BearerAuth, api_key_token_from_secret
    from cbprovider.capella.v4.client import FAILURE_STATES, CapellaV4Client
    from cbprovider.capella.v4.errors import ConcurrentChangeError, TokenFormatError
    from cbprovider.capella.v4.models import (
        Access,
        AllowedCidr,
        AllowedCidrSpec,
        Bucket,
        BucketSpec,
        BucketUpdate,
        CloudProvider,
        Cluster,
        ClusterSpec,
        ClusterUpdate,
        Compute,
        CreatedCredential,
        CredentialSpec,
        CredentialUpdate,
        DatabaseCredential,
        Disk,
        Organization,
        Project,
        ResourceBucket,
        ResourceScope,
        ServiceGroup,
        Support,
    )
    from cbprovider.capella.v4.ratelimit import RateLimiter

_EXPORTS: dict[str, str] = {
    "BearerAuth": "cbprovider.capella.v4.auth",
    "api_key_token_from_secret": "cbprovider.capella.v4.auth",
    "CapellaV4Client": "cbprovider.capella.v4.client",
    "FAILURE_STATES": "cbprovider.capella.v4.client",
    "ConcurrentChangeError": "cbprovider.capella.v4.errors",
    "TokenFormatError": "cbprovider.capella.v4.errors",
    "RateLimiter": "cbprovider.capella.v4.ratelimit",
    "Access": "cbprovider.capella.v4.models",
    "AllowedCidr": "cbprovider.capella.v4.models",
    "AllowedCidrSpec": "cbprovider.capella.v4.models",
    "Bucket": "cbprovider.capella.v4.models",
    "BucketSpec": "cbprovider.capella.v4.models",
    "BucketUpdate": "cbprovider.capella.v4.models",
    "CloudProvider": "cbprovider.capella.v4.models",
    "Cluster": "cbprovider.capella.v4.models",
    "ClusterSpec": "cbprovider.capella.v4.models",
    "ClusterUpdate": "cbprovider.capella.v4.models",
    "Compute": "cbprovider.capella.v4.models",
    "CreatedCredential": "cbprovider.capella.v4.models",
    "CredentialSpec": "cbprovider.capella.v4.models",
    "CredentialUpdate": "cbprovider.capella.v4.models",
    "DatabaseCredential": "cbprovider.capella.v4.models",
    "Disk": "cbprovider.capella.v4.models",
    "Organization": "cbprovider.capella.v4.models",
    "Project": "cbprovider.capella.v4.models",
    "ResourceBucket": "cbprovider.capella.v4.models",
    "ResourceScope": "cbprovider.capella.v4.models",
    "ServiceGroup": "cbprovider.capella.v4.models",
    "Support": "cbprovider.capella.v4.models",
}

__all__ = [
    "FAILURE_STATES",
    "Access",
    "AllowedCidr",
    "AllowedCidrSpec",
    "BearerAuth",
    "Bucket",
    "BucketSpec",
    "BucketUpdate",
    "CapellaV4Client",
    "CloudProvider",
    "Cluster",
    "ClusterSpec",
    "ClusterUpdate",
    "Compute",
    "ConcurrentChangeError",
    "CreatedCredential",
    "CredentialSpec",
    "CredentialUpdate",
    "DatabaseCredential",
    "Disk",
    "Organization",
    "Project",
    "RateLimiter",
    "ResourceBucket",
    "ResourceScope",
    "ServiceGroup",
    "Support",
    "TokenFormatError",
    "api_key_token_from_secret",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
