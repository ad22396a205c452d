"""What HTTPS adds per request over HTTP, and what building TLS once per container saves.

The same Create, in-place Update and Delete of the overhead item go through one handler (one container)
in three variants, alternated within each round (the order rotates from round to round):

- **HTTP**: the appliance simulator over plain HTTP, the response PUT to a plain-HTTP receiver;
- **HTTPS**: the appliance over TLS with a self-signed certificate that its endpoint trusts through a CA
  bundle secret, the response PUT over TLS to a receiver whose certificate is added to the default
  roots (``SSL_CERT_FILE``: the system's roots plus it, so a default context loads the full store);
  sessions, their SSL contexts and the PUT context are the container's, as the provider keeps them;
- **HTTPS, rebuilt per request**: the same, with the shared sessions, their SSL contexts and the PUT
  context dropped before each request: what every request paid when they were built per request.

Times are the wall time of the request through the handler and the CPU time of the invoking thread
(the simulators and receivers run on other threads of this process and are not counted).
"""

from __future__ import annotations

import ssl
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.nodelay import simulators_without_nagle
from bench.overhead import OPERATIONS, RequestFailed, quiet_runtime_log
from bench.scenarios import Scenario, environment, replication
from bench.table import Table, ms

HTTP, HTTPS, REBUILT = "HTTP", "HTTPS", "HTTPS, rebuilt per request"
VARIANTS = (HTTP, HTTPS, REBUILT)


@dataclass
class Samples:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


@dataclass
class Variant:
    name: str
    local: Any
    """The ``LocalStack`` that sends this variant's requests (its receiver is plain or TLS)."""
    scenario: Scenario
    samples: dict[str, Samples] = field(default_factory=lambda: {op: Samples() for op in OPERATIONS})
    api_handshakes: int = 0
    put_connections: int = 0


def forget_tls() -> None:
    """Drop what the container keeps for TLS (https sessions, SSL contexts, the response PUT context)."""
    from cbprovider import sessions
    from cbprovider.runtime import response

    sessions.shared_sessions.close(scheme="https")
    with sessions._contexts_lock:
        sessions._contexts.clear()
    with response._put_context_lock:
        response._put_context = None


def default_roots() -> Path:
    """The file of trust roots a default SSL context loads here (OpenSSL's, else certifi's)."""
    paths = ssl.get_default_verify_paths()
    for candidate in (paths.cafile, paths.openssl_cafile):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    import certifi

    return Path(certifi.where())


def roots_with(certificate: Path, directory: Path) -> Path:
    """The default roots plus ``certificate``, as one PEM file."""
    bundle = directory / "roots-and-receiver.pem"
    bundle.write_text(default_roots().read_text() + "\n" + certificate.read_text())
    return bundle


def one_round(variant: Variant, index: int, *, rebuild: bool) -> None:
    physical_id: str | None = None
    sim, receiver = variant.scenario.simulator, variant.local.receiver
    for operation in OPERATIONS:
        props = variant.scenario.create if operation == "Create" else variant.scenario.update
        kwargs: dict[str, Any] = {}
        if physical_id is not None:
            kwargs["physical_id"] = physical_id
        if operation == "Update":
            kwargs["old_properties"] = variant.scenario.create
        if rebuild:
            forget_tls()
        accepted, put = sim.accepted, receiver.accepted
        wall, cpu = time.perf_counter(), time.thread_time()
        outcome = variant.local.send(operation, variant.scenario.type_name, "Bench", props, **kwargs)
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
        if outcome.status != "SUCCESS":
            raise RequestFailed(f"{variant.name} {operation}: {outcome.status} {outcome.reason}")
        physical_id = outcome.physical_id
        variant.api_handshakes += sim.accepted - accepted
        variant.put_connections += receiver.accepted - put
        if index == 0:
            continue  # the first round warms the container (imports, clients, secrets)
        variant.samples[operation].wall.append(wall)
        variant.samples[operation].cpu.append(cpu)


def context_cost(build: Callable[[], ssl.SSLContext], times: int = 15) -> float:
    """Median CPU seconds of ``build()`` (a new SSL context with its trust roots loaded)."""
    spent = []
    for _ in range(times):
        started = time.thread_time()
        build()
        spent.append(time.thread_time() - started)
    return statistics.median(spent)


def spread(values: list[float]) -> str:
    """Median with the interquartile range."""
    if len(values) < 4:
        return ms(statistics.median(values))
    low, _, high = statistics.quantiles(values, n=4)
    return f"{ms(statistics.median(values))} [{ms(low)}-{ms(high)}]"


def measure(*, rounds: int = 10) -> Table:
    from simulators.certificates import self_signed_certificate
    from simulators.cloudformation import ResponseReceiver
    from simulators.stack import LocalStack, load_handler, local_aws

    rounds = max(1, rounds)
    with ExitStack() as stack:
        stack.enter_context(simulators_without_nagle())
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cbbench-tls-")))
        cert, key = self_signed_certificate(directory)
        stack.enter_context(environment(SSL_CERT_FILE=str(roots_with(cert, directory))))
        stack.callback(forget_tls)  # nothing trusting the bench's certificate outlives the item
        forget_tls()
        boto3 = stack.enter_context(local_aws())
        plain_receiver = stack.enter_context(ResponseReceiver())
        tls_receiver = stack.enter_context(ResponseReceiver().with_tls(cert, key))
        plain = stack.enter_context(replication(boto3, seeding_seconds=0))
        secure = stack.enter_context(replication(boto3, seeding_seconds=0, tls=(cert, key), endpoint="tls"))
        handler = load_handler(plain.function)
        variants = {
            HTTP: Variant(HTTP, LocalStack(handler, plain_receiver), plain),
            HTTPS: Variant(HTTPS, LocalStack(handler, tls_receiver), secure),
            REBUILT: Variant(REBUILT, LocalStack(handler, tls_receiver), secure),
        }
        stack.enter_context(quiet_runtime_log())
        for index in range(rounds + 1):
            shift = index % len(VARIANTS)
            for name in VARIANTS[shift:] + VARIANTS[:shift]:
                one_round(variants[name], index, rebuild=name == REBUILT)
        certifi_cost = context_cost(_certifi_context)
        default_cost = context_cost(ssl.create_default_context)
        leftovers = LocalStack.leftovers()
    return _table(variants, rounds, certifi_cost, default_cost, leftovers)


def _certifi_context() -> ssl.SSLContext:
    import certifi
    from urllib3.util.ssl_ import create_urllib3_context

    context = create_urllib3_context()
    context.load_verify_locations(cafile=certifi.where())
    return context


def _table(
    variants: dict[str, Variant], rounds: int, certifi_cost: float, default_cost: float, leftovers: Any
) -> Table:
    plain, kept, rebuilt = (variants[name] for name in VARIANTS)
    table = Table(
        f"HTTPS overhead per request ({plain.scenario.type_name})",
        f"{rounds} rounds of Create, in-place Update and Delete through "
        f"`functions/{plain.scenario.function}/app.py` in one container, each round running three "
        "variants in rotating order: the appliance and the response URL over plain HTTP; both over TLS "
        "with the sessions and SSL contexts the container keeps (the appliance's self-signed certificate "
        "trusted through a CA bundle secret); and over TLS with them rebuilt before every request, as "
        "every request paid before they were kept. Cells are the median [interquartile range] of the "
        "wall time through the handler; *CPU* is the invoking thread's CPU time (simulators excluded). "
        "The first round warms the container and is not counted.",
        [
            "request",
            HTTP,
            HTTPS,
            "HTTPS added",
            "HTTPS added, CPU",
            REBUILT,
            "rebuilt added",
            "rebuilt added, CPU",
        ],
    )
    for operation in OPERATIONS:
        base, tls, again = (v.samples[operation] for v in (plain, kept, rebuilt))
        http_wall, http_cpu = statistics.median(base.wall), statistics.median(base.cpu)
        table.add(
            operation,
            spread(base.wall),
            spread(tls.wall),
            ms(statistics.median(tls.wall) - http_wall),
            ms(statistics.median(tls.cpu) - http_cpu),
            spread(again.wall),
            ms(statistics.median(again.wall) - http_wall),
            ms(statistics.median(again.cpu) - http_cpu),
        )
    requests = (rounds + 1) * len(OPERATIONS)
    table.notes.append(
        f"TLS handshakes with the appliance over the {requests} requests of each variant (warm-up "
        "included): "
        f"{kept.api_handshakes} with the sessions kept, {rebuilt.api_handshakes} rebuilt per request "
        f"(simulator's accepted connections). Response PUTs: {kept.put_connections} and "
        f"{rebuilt.put_connections} connections: each PUT goes to a new presigned URL on its own connection, "
        "so only its SSL context is kept."
    )
    table.notes.append(
        f"Building an SSL context with its roots loaded, CPU median: certifi's bundle (what a session "
        f"trusting the default roots loaded per connection) {ms(certifi_cost)}; a default context "
        f"(the response PUT's, the system roots) {ms(default_cost)}. The appliance's CA bundle here is "
        "its one certificate, so the rebuilt variant's bundle loads are cheap; a Capella endpoint on "
        "public roots paid the certifi figure per request."
    )
    table.notes.append(
        "Deployed, each handshake also costs network round trips to the appliance, and Lambda at 256 MB "
        "gives about 0.15 vCPU, so the CPU figures stretch several times in wall time."
    )
    table.notes.append(f"Poll rules and poll state left after the rounds: {leftovers}.")
    return table
