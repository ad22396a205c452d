"""Couchbase Capella Management API v4 client: bearer token, paced requests, typed models, ETag updates.

Names are exported lazily (PEP 562), like ``cbprovider.capella``: importing the package costs nothing
until a name is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cbprovider.lazy import lazy_exports

if TYPE_CHECKING:
    from cbprovider.capella.v4.auth import *  # noqa: F403
    from cbprovider.capella.v4.client import *  # noqa: F403
    from cbprovider.capella.v4.errors import *  # noqa: F403
    from cbprovider.capella.v4.models import *  # noqa: F403
    from cbprovider.capella.v4.ratelimit import *  # noqa: F403
else:
    __all__, __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "cbprovider.capella.v4.auth": (
                "BearerAuth",
                "api_key_token_from_secret",
            ),
            "cbprovider.capella.v4.client": (
                "FAILURE_STATES",
                "CapellaV4Client",
            ),
            "cbprovider.capella.v4.errors": (
                "ConcurrentChangeError",
                "TokenFormatError",
            ),
            "cbprovider.capella.v4.models": (
                "Access",
                "AllowedCidr",
                "AllowedCidrSpec",
                "Bucket",
                "BucketSpec",
                "BucketUpdate",
                "CloudProvider",
                "Cluster",
                "ClusterSpec",
                "ClusterUpdate",
                "Compute",
                "CreatedCredential",
                "CredentialSpec",
                "CredentialUpdate",
                "DatabaseCredential",
                "Disk",
                "Organization",
                "Project",
                "ResourceBucket",
                "ResourceScope",
                "ServiceGroup",
                "Support",
            ),
            "cbprovider.capella.v4.ratelimit": ("RateLimiter",),
        },
    )
