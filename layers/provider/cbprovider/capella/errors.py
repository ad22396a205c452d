"""Errors specific to Capella: an asynchronous cluster operation that ended in a failure state."""

from __future__ import annotations

from cbprovider.errors import ProviderError


class ClusterFailedError(ProviderError):
    """A cluster reached a failure status (e.g. ``deploymentFailed``) while we waited for ``target``."""

    def __init__(self, *, cluster_id: str, status: str, target: str) -> None:
        self.cluster_id = cluster_id
        self.status = status
        self.target = target
        super().__init__(
            f"Capella cluster {cluster_id} reached status {status!r} while waiting for {target!r}"
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.cluster_id, self.status, self.target))


def _rebuild(cluster_id: str, status: str, target: str) -> ClusterFailedError:
    return ClusterFailedError(cluster_id=cluster_id, status=status, target=target)
