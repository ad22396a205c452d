"""The per-run aggregates of a monitoring pass: what the run's metrics and its coverage line say.

A single-function pass makes them from its report; a fanned-out run adds up the totals of its units (the
worker that completes the run reads the sum from the run's ledger record, ``cbprovider.automation.ledger``).
"""

from __future__ import annotations

from typing import Any

import msgspec

from cbprovider.automation.report import MonitorReport, Status


class RunTotals(msgspec.Struct):
    items: int = 0
    """Monitored items: endpoints, replications, Capella endpoints and clusters."""
    not_ok: int = 0
    skipped: int = 0
    """Items whose turn came after the deadline (not checked in this run)."""
    endpoints: int = 0
    replications: int = 0
    replications_checked: int = 0
    clusters: int = 0
    clusters_checked: int = 0
    max_latency: float | None = None

    @property
    def coverage(self) -> float:
        """Percent of the monitored items that were checked (100 for an empty run)."""
        return 100.0 if not self.items else 100.0 * (self.items - self.skipped) / self.items

    @classmethod
    def of(cls, report: MonitorReport, *, count_endpoints: bool = True) -> RunTotals:
        """The totals of ``report``. ``count_endpoints=False`` leaves the CloudBasic endpoint items out
        (a later batch of a large endpoint: its first batch counts the endpoint)."""
        totals = cls()
        for endpoint in report.endpoints:
            if count_endpoints:
                totals.endpoints += 1
                totals._count(endpoint.status)
            for replication in endpoint.replications:
                totals._count(replication.status)
                totals.replications += 1
                totals.replications_checked += replication.status is not Status.SKIPPED
                if replication.latency_seconds is not None:
                    totals.max_latency = max(totals.max_latency or 0.0, replication.latency_seconds)
        for org in report.capella:
            totals.endpoints += 1
            totals._count(org.status)
            for cluster in org.clusters:
                totals._count(cluster.status)
                totals.clusters += 1
                totals.clusters_checked += cluster.status is not Status.SKIPPED
        return totals

    def _count(self, status: Status) -> None:
        self.items += 1
        self.not_ok += status is not Status.OK
        self.skipped += status is Status.SKIPPED

    def counters(self) -> dict[str, int]:
        """Every counter by field name (what the ledger adds up)."""
        return {name: int(getattr(self, name)) for name in self.__struct_fields__ if name != "max_latency"}

    @classmethod
    def from_counters(cls, values: dict[str, Any], max_latency: float | None) -> RunTotals:
        names = set(cls.__struct_fields__) - {"max_latency"}
        return cls(**{name: int(values.get(name, 0)) for name in names}, max_latency=max_latency)

    def coverage_line(self, seconds: float) -> str:
        return (
            f"monitor coverage {self.coverage:.1f}%: {self.replications_checked} of {self.replications} "
            f"replication(s) and {self.clusters_checked} of {self.clusters} cluster(s) checked on "
            f"{self.endpoints} endpoint(s) in {seconds:.1f}s; {self.not_ok} item(s) not ok, {self.skipped} "
            "skipped (rotated to the front of the next run)"
        )
