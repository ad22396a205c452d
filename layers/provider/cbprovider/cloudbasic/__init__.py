"""CloudBasic REST API client: SigV4 signing, JSON/XML codec, typed models and one method per action.

Names are exported lazily (PEP 562): ``import cbprovider.cloudbasic`` costs next to nothing at cold
start; ``from cbprovider.cloudbasic import CloudBasicClient`` imports urllib3 and botocore only then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cbprovider.lazy import lazy_exports

if TYPE_CHECKING:
    from cbprovider.cloudbasic.client import *  # noqa: F403
    from cbprovider.cloudbasic.models import *  # noqa: F403
    from cbprovider.cloudbasic.signing import *  # noqa: F403
else:
    __all__, __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "cbprovider.cloudbasic.client": (
                "NON_IDEMPOTENT",
                "CloudBasicClient",
                "is_not_found",
            ),
            "cbprovider.cloudbasic.models": (
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
            ),
            "cbprovider.cloudbasic.signing": ("CloudBasicSigV4Auth",),
        },
    )
