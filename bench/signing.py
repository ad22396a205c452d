"""Signing throughput: CloudBasic SigV4 through our signer next to botocore's signer alone,
and the Capella v3 HMAC bearer token.

``CloudBasicSigV4Auth`` is applied again and again to one prepared request (each call
hashes the body, builds a botocore ``AWSRequest`` and signs it); botocore's ``SigV4Auth.add_auth`` is
called again and again on one ``AWSRequest`` with the same headers and body, so the ratio is the cost of
the adapter around botocore. The signers' batches are interleaved (one batch of each in turn, a rotating
order per round), so that a change in machine load falls on all of them; each figure is the median of
its batches, with the quartiles as spread.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from bench.table import Table, ratio

URL = "https://cloudbasic.example.internal/api/CreateReplication"
BODY = (
    b'{"sourceConnectionString":"Data Source=src.example.internal;Initial Catalog=sales;User ID=repl",'
    b'"destinationConnectionString":"Data Source=dst.example.internal;Initial Catalog=sales;User ID=repl",'
    b'"replicateSchema":true,"replicateData":true,"parallelTablesLimit":4}'
)
ACCESS_KEY = "AKIDEXAMPLEBENCH0001"
SECRET_KEY = "bench-secret-key-not-a-real-one-0000000000"  # noqa: S105  # a made-up key for timing only


def batch_seconds(operation: Callable[[], object], batch: int) -> float:
    started = time.perf_counter()
    for _ in range(batch):
        operation()
    return time.perf_counter() - started


def interleaved(
    operations: dict[str, Callable[[], object]], *, batch: int = 500, batches: int = 9
) -> dict[str, list[float]]:
    """Seconds per call of each operation, one value per batch, batches interleaved across operations."""
    names = list(operations)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for index in range(batches):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            seconds[name].append(batch_seconds(operations[name], batch) / batch)
    return seconds


def summary(values: list[float]) -> tuple[float, str]:
    """(median seconds per call, ``p25-p75`` in µs)."""
    mid = statistics.median(values)
    if len(values) < 2:
        return mid, "-"
    low, _, high = statistics.quantiles(values, n=4)
    return mid, f"{low * 1e6:.0f}-{high * 1e6:.0f}"


def cloudbasic_auth_op(body: bytes = BODY) -> Callable[[], object]:
    from cbprovider.cloudbasic.signing import CloudBasicSigV4Auth
    from cbprovider.http_message import Request

    auth = CloudBasicSigV4Auth(ACCESS_KEY, SECRET_KEY)
    prepared = Request("POST", URL, headers={"Content-Type": "application/json"}, body=body).prepare()
    return lambda: auth(prepared)


def botocore_op(body: bytes = BODY) -> Callable[[], object]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    signer = SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "cloudbasic", "")
    request = AWSRequest(
        method="POST",
        url=URL,
        data=body,
        headers={"Content-Type": "application/json", "Content-Length": str(len(body))},
    )
    return lambda: signer.add_auth(request)


def capella_op() -> Callable[[], object]:
    from cbprovider.capella.signing import CapellaHmacAuth
    from cbprovider.http_message import Request

    auth = CapellaHmacAuth(ACCESS_KEY, SECRET_KEY)
    prepared = Request(
        "GET", "https://cloudapi.cloud.couchbase.com/v4/organizations/o/projects?page=1&perPage=100"
    ).prepare()
    return lambda: auth(prepared)


def measure(*, batch: int = 500, batches: int = 9) -> Table:
    table = Table(
        "Signing throughput",
        f"Signatures per second on one thread: {batches} batches of {batch} per signer, interleaved, "
        f"median and quartiles of the batches; a {len(BODY)}-byte JSON body for SigV4.",
        ["signer", "signatures/s", "µs each", "µs spread (p25-p75)", "time vs botocore alone"],
    )
    seconds = interleaved(
        {"ours": cloudbasic_auth_op(), "botocore": botocore_op(), "capella": capella_op()},
        batch=batch,
        batches=batches,
    )
    ours, ours_spread = summary(seconds["ours"])
    botocore, botocore_spread = summary(seconds["botocore"])
    capella, capella_spread = summary(seconds["capella"])
    table.add(
        "`CloudBasicSigV4Auth` on a prepared request",
        f"{1 / ours:,.0f}",
        f"{ours * 1e6:.0f}",
        ours_spread,
        ratio(ours, botocore),
    )
    table.add(
        "botocore `SigV4Auth.add_auth` alone",
        f"{1 / botocore:,.0f}",
        f"{botocore * 1e6:.0f}",
        botocore_spread,
        "1.0x",
    )
    table.add(
        "`CapellaHmacAuth` (v3 HMAC bearer)",
        f"{1 / capella:,.0f}",
        f"{capella * 1e6:.0f}",
        capella_spread,
        "-",
    )
    table.notes.append(
        "Both SigV4 figures are far below one round trip to an appliance. The adapter also builds an "
        "`AWSRequest` per call, but it hands botocore the body hash in `X-Amz-Content-Sha256` (botocore "
        "then uses it instead of hashing the body itself), so the two costs come out close."
    )
    return table
