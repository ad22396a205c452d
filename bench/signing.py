"""Signing throughput: CloudBasic SigV4 through our ``requests`` auth next to botocore's signer alone,
and the Capella v3 HMAC bearer token.

``CloudBasicSigV4Auth`` is applied again and again to one prepared ``requests`` request (each call
hashes the body, builds a botocore ``AWSRequest`` and signs it); botocore's ``SigV4Auth.add_auth`` is
called again and again on one ``AWSRequest`` with the same headers and body, so the ratio is the cost of
the adapter around botocore. Each figure is the best of a few timed batches.
"""

from __future__ import annotations

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


def per_second(operation: Callable[[], object], *, batch: int = 500, batches: int = 5) -> float:
    """Operations per second: the best of ``batches`` timed batches of ``batch`` calls."""
    best = float("inf")
    for _ in range(batches):
        started = time.perf_counter()
        for _ in range(batch):
            operation()
        best = min(best, time.perf_counter() - started)
    return batch / best


def cloudbasic_auth_op(body: bytes = BODY) -> Callable[[], object]:
    import requests
    from cbprovider.cloudbasic.signing import CloudBasicSigV4Auth

    auth = CloudBasicSigV4Auth(ACCESS_KEY, SECRET_KEY)
    prepared = requests.Request(
        "POST", URL, data=body, headers={"Content-Type": "application/json"}
    ).prepare()
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
    import requests
    from cbprovider.capella.signing import CapellaHmacAuth

    auth = CapellaHmacAuth(ACCESS_KEY, SECRET_KEY)
    prepared = requests.Request(
        "GET", "https://cloudapi.cloud.couchbase.com/v4/organizations/o/projects?page=1&perPage=100"
    ).prepare()
    return lambda: auth(prepared)


def measure(*, batch: int = 500, batches: int = 5) -> Table:
    table = Table(
        "Signing throughput",
        f"Signatures per second on one thread (best of {batches} batches of {batch}); "
        f"a {len(BODY)}-byte JSON body for SigV4.",
        ["signer", "signatures/s", "µs each", "time vs botocore alone"],
    )
    ours = per_second(cloudbasic_auth_op(), batch=batch, batches=batches)
    botocore = per_second(botocore_op(), batch=batch, batches=batches)
    capella = per_second(capella_op(), batch=batch, batches=batches)
    table.add(
        "`CloudBasicSigV4Auth` on a prepared request",
        f"{ours:,.0f}",
        f"{1e6 / ours:.0f}",
        ratio(1 / ours, 1 / botocore),
    )
    table.add("botocore `SigV4Auth.add_auth` alone", f"{botocore:,.0f}", f"{1e6 / botocore:.0f}", "1.0x")
    table.add("`CapellaHmacAuth` (v3 HMAC bearer)", f"{capella:,.0f}", f"{1e6 / capella:.0f}", "-")
    table.notes.append(
        "Both SigV4 figures are far below one round trip to an appliance. The adapter also builds an "
        "`AWSRequest` per call, but it hands botocore the body hash in `X-Amz-Content-Sha256` (botocore "
        "then uses it instead of hashing the body itself), so the two costs come out close."
    )
    return table
