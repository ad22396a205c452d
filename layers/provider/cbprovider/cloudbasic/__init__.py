"""CloudBasic REST API client: SigV4 signing, JSON/XML codec, typed models and one method per action.

Names are exported lazily (PEP 562): ``import cbprovider.cloudbasic`` costs next to nothing at cold
start; ``from cbprovider.cloudbasic import CloudBasicClient`` imports requests and botocore only then.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cbprovider.cloudbasic.client import NON_IDEMPOTENT, CloudBasicClient, is_not_found
    from cbprovider.cloudbasic.models import (
        ActivateInstanceRequest,
        AlterReplicationRequest,
        ClusterRequest,
        CreateReplicationRequest,
        CreateUserRequest,
        Endpoint,
        IndexRebuildSchedule,
        JobStatus,
        KeyPair,
        Latency,
        Logs,
        ReplicationStatus,
        ReplicationSummary,
        ReseedingSchedule,
        ReseedTableStatus,
        ServiceStatus,
    )
    from cbprovider.cloudbasic.signing import CloudBasicSigV4Auth

_MODELS = (
    "ActivateInstanceRequest",
    "AlterReplicationRequest",
    "ClusterRequest",
    "CreateReplicationRequest",
    "CreateUserRequest",
    "Endpoint",
    "IndexRebuildSchedule",
    "JobStatus",
    "KeyPair",
    "Latency",
    "Logs",
    "ReplicationStatus",
    "ReplicationSummary",
    "ReseedTableStatus",
    "ReseedingSchedule",
    "ServiceStatus",
)
_EXPORTS: dict[str, str] = {
    "CloudBasicClient": "cbprovider.cloudbasic.client",
    "NON_IDEMPOTENT": "cbprovider.cloudbasic.client",
    "is_not_found": "cbprovider.cloudbasic.client",
    "CloudBasicSigV4Auth": "cbprovider.cloudbasic.signing",
    **{name: "cbprovider.cloudbasic.models" for name in _MODELS},
}

__all__ = [
    "NON_IDEMPOTENT",
    "ActivateInstanceRequest",
    "AlterReplicationRequest",
    "CloudBasicClient",
    "CloudBasicSigV4Auth",
    "ClusterRequest",
    "CreateReplicationRequest",
    "CreateUserRequest",
    "Endpoint",
    "IndexRebuildSchedule",
    "JobStatus",
    "KeyPair",
    "Latency",
    "Logs",
    "ReplicationStatus",
    "ReplicationSummary",
    "ReseedTableStatus",
    "ReseedingSchedule",
    "ServiceStatus",
    "is_not_found",
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
