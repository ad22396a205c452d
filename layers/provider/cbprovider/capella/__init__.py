"""Couchbase Capella Management API v3 client: signing, typed models, pagination and status waits.

Names are exported lazily (PEP 562): ``from cbprovider.capella import CapellaClient`` imports only the
modules that name needs, so importing the package itself costs next to nothing at cold start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cbprovider.lazy import lazy_exports

if TYPE_CHECKING:
    from cbprovider.capella.client import *  # noqa: F403
    from cbprovider.capella.errors import *  # noqa: F403
    from cbprovider.capella.models import *  # noqa: F403
    from cbprovider.capella.signing import *  # noqa: F403
else:
    __all__, __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "cbprovider.capella.client": (
                "DEFAULT_URL",
                "HOSTED_FAILURE_STATES",
                "VPC_FAILURE_STATES",
                "CapellaClient",
            ),
            "cbprovider.capella.errors": ("ClusterFailedError",),
            "cbprovider.capella.models": (
                "BucketAccess",
                "Cloud",
                "Cluster",
                "ClusterSummary",
                "DatabaseUser",
                "OrgUser",
                "Project",
                "ServerGroup",
                "Storage",
                "SupportPackage",
                "VpcCluster",
            ),
            "cbprovider.capella.signing": ("CapellaHmacAuth",),
        },
    )
