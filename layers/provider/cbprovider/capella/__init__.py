"""Couchbase Capella Management API v3 client: signing, typed models, pagination and status waits.

Names are exported lazily (PEP 562): ``from cbprovider.capella import CapellaClient`` imports only the
modules that name needs, so importing the package itself costs next to nothing at cold start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cbprovider.capella.client import (
        DEFAULT_URL,
        HOSTED_FAILURE_STATES,
        VPC_FAILURE_STATES,
        CapellaClient,
    )
    from cbprovider.capella.errors import ClusterFailedError
    from cbprovider.capella.models import (
        BucketAccess,
        Cloud,
        Cluster,
        ClusterSummary,
        DatabaseUser,
        OrgUser,
        Project,
        ServerGroup,
        Storage,
        SupportPackage,
        VpcCluster,
    )
    from cbprovider.capella.signing import CapellaHmacAuth

_EXPORTS: dict[str, str] = {
    "CapellaClient": "cbprovider.capella.client",
    "DEFAULT_URL": "cbprovider.capella.client",
    "HOSTED_FAILURE_STATES": "cbprovider.capella.client",
    "VPC_FAILURE_STATES": "cbprovider.capella.client",
    "CapellaHmacAuth": "cbprovider.capella.signing",
    "ClusterFailedError": "cbprovider.capella.errors",
    "BucketAccess": "cbprovider.capella.models",
    "Cloud": "cbprovider.capella.models",
    "Cluster": "cbprovider.capella.models",
    "ClusterSummary": "cbprovider.capella.models",
    "DatabaseUser": "cbprovider.capella.models",
    "OrgUser": "cbprovider.capella.models",
    "Project": "cbprovider.capella.models",
    "ServerGroup": "cbprovider.capella.models",
    "Storage": "cbprovider.capella.models",
    "SupportPackage": "cbprovider.capella.models",
    "VpcCluster": "cbprovider.capella.models",
}

__all__ = [
    "DEFAULT_URL",
    "HOSTED_FAILURE_STATES",
    "VPC_FAILURE_STATES",
    "BucketAccess",
    "CapellaClient",
    "CapellaHmacAuth",
    "Cloud",
    "Cluster",
    "ClusterFailedError",
    "ClusterSummary",
    "DatabaseUser",
    "OrgUser",
    "Project",
    "ServerGroup",
    "Storage",
    "SupportPackage",
    "VpcCluster",
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
