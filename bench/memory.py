"""Peak memory of one invocation of each handler, in a fresh interpreter per handler, against 128 MB.

The simulators and the CloudFormation response receiver run in this process; the child
(``bench.memory_child``) holds moto, the handler and nothing else. *After import* is the peak RSS
of a clean interpreter that only imported the handler (the cold-start census child, no moto). The
invocation is measured in two children: the ``tracemalloc`` peak (Python-level allocations during the
call, moto's in-process answers to the handler's AWS calls included) and, without tracemalloc, the
growth of the peak RSS (``VmHWM``, else ``ru_maxrss``): the whole process, C-level allocations such as
OpenSSL and msgspec too, but only above the high-water mark moto's import already set. The
estimate for Lambda is *after import* plus the larger of the two.
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from typing import Any

from bench import coldstart
from bench.children import run_python
from bench.layer import Deployed
from bench.nodelay import simulators_without_nagle
from bench.table import Table, mib

LAMBDA_MB = 128
MONITORED_REPLICATIONS = 100
RDS_SECRET = {"engine": "sqlserver", "port": 1433, "username": "admin", "password": "Bench-Pa55w0rd-1"}


def provider_spec(function: str, receiver: Any, cloudbasic: Any, capella: Any) -> tuple[str, dict[str, Any]]:
    """A Create of the type the first request of ``function`` serves; (request id, spec)."""
    from simulators.cloudformation_api import CloudFormationApi
    from simulators.stack import LocalStack

    # Only builds the event: a stand-in that is never started is enough (no local_aws() runs here).
    local = LocalStack(lambda event, context: None, receiver, cloudformation=CloudFormationApi())
    if function == "cloudbasic_provider":
        type_name = "Custom::CloudBasicReplication"
        props: dict[str, Any] = {
            "Source": {"SecretArn": "secret:source"},
            "Destination": {"SecretArn": "secret:replica", "Database": "SalesReplica"},
        }
        env: dict[str, str] = {}
        endpoints = {"cloudbasic": {"url": cloudbasic.url, "credentials_secret_arn": "secret:admin"}}
    else:
        type_name = "Custom::CapellaProject"
        props = {"Name": "bench"}
        env = {}
        endpoints = {"capella": {"url": capella.url, "credentials_secret_arn": "secret:capella"}}
    event = local.event("Create", type_name, "Bench", props)
    spec = {"function": function, "event": event, "env": env, "endpoints": endpoints, "type": type_name}
    return event["RequestId"], spec


def monitor_unit_event() -> dict[str, Any]:
    """An SQS event of one monitor unit: every replication of the endpoint registered as "default"."""
    from cbprovider.automation.units import WorkUnit

    body = WorkUnit("bench", 0, "cloudbasic", "default").to_body()
    return {"Records": [{"messageId": "bench-unit", "body": body, "eventSource": "aws:sqs"}]}


def secrets(cloudbasic: Any, capella: Any) -> dict[str, Any]:
    access, secret = cloudbasic.admin_keys
    return {
        "admin": {"AccessKeyId": access, "SecretAccessKey": secret},
        "capella": {"AccessKey": capella.access_key, "SecretKey": capella.secret_key},
        "source": {**RDS_SECRET, "host": "sales-db.example.internal", "dbname": "Sales"},
        "replica": {**RDS_SECRET, "host": "replica-db.example.internal"},
    }


def measure(deployed: Deployed) -> Table:
    from simulators.capella import CapellaSimulator
    from simulators.cloudbasic import CloudBasicSimulator
    from simulators.cloudformation import ResponseReceiver

    table = Table(
        "Peak memory per invocation",
        f"One invocation per handler, each in a fresh interpreter, against a {LAMBDA_MB} MB Lambda. "
        "*After import*: peak RSS of a clean interpreter that imported the handler and its first request's "
        "modules from the deployed layer (see cold start). During the "
        "invocation (two separate children, outcomes shown): the tracemalloc peak (Python allocations, "
        "moto's in-process answers included) and the growth of peak RSS (`VmHWM`) without tracemalloc (whole "
        "process, above the mark moto's import set). *Estimate* = after import + the larger of the two.",
        [
            "handler",
            "invocation",
            "after import",
            "tracemalloc peak",
            "peak RSS growth",
            "estimate",
            "of 128 MB",
        ],
    )
    with ExitStack() as stack:
        stack.enter_context(simulators_without_nagle())
        receiver = stack.enter_context(ResponseReceiver())
        cloudbasic = stack.enter_context(CloudBasicSimulator(promote_seconds=0.3))
        capella = stack.enter_context(CapellaSimulator())
        replication_ids = cloudbasic.add_replications(MONITORED_REPLICATIONS)
        shared_secrets = secrets(cloudbasic, capella)
        cloudbasic_env: dict[str, str] = {}
        cloudbasic_endpoint = {
            "cloudbasic": {"url": cloudbasic.url, "credentials_secret_arn": "secret:admin"}
        }
        runs: list[tuple[str, str, dict[str, Any], str | None]] = []
        for function in ("cloudbasic_provider", "capella_provider"):
            create_id, spec = provider_spec(function, receiver, cloudbasic, capella)
            runs.append((function, f"Create {spec.pop('type')}", spec, create_id))
        runs.append(
            (
                "monitor_worker",
                f"one unit: {MONITORED_REPLICATIONS} replications",
                {
                    "function": "monitor_worker",
                    "event": monitor_unit_event(),
                    "env": cloudbasic_env,
                    "endpoints": cloudbasic_endpoint,
                },
                None,
            )
        )
        runs.append(
            (
                "promote",
                "promotion of one replica",
                {
                    "function": "promote",
                    "event": {"ReplicationId": replication_ids[0], "PollIntervalSeconds": 0.1},
                    "env": cloudbasic_env,
                    "endpoints": cloudbasic_endpoint,
                },
                None,
            )
        )
        for function, what, spec, first_request_id in runs:
            request_id: str | None = first_request_id
            spec["secrets"] = shared_secrets
            traced = run_python(["-m", "bench.memory_child"], stdin=json.dumps({**spec, "trace": True}))
            outcome = _outcome(traced.data, receiver, request_id)
            if request_id is not None:
                second_request_id, again = provider_spec(function, receiver, cloudbasic, capella)
                request_id, spec["event"] = second_request_id, again["event"]
            plain = run_python(["-m", "bench.memory_child"], stdin=json.dumps(spec)).data
            outcome = f"{outcome}, {_outcome(plain, receiver, request_id)}"
            census = coldstart.census(coldstart.handler_target(function), deployed)
            after_import = float(census["maxrss_kb"]) * 1024
            peak = float(traced.data["peak"])
            growth = float(plain["maxrss_after"]) - float(plain["maxrss_before"])
            estimate = after_import + max(peak, growth)
            table.add(
                function,
                f"{what} ({outcome})",
                mib(after_import),
                mib(peak),
                mib(growth),
                mib(estimate),
                f"{estimate / (LAMBDA_MB * 1024 * 1024):.0%}",
            )
    table.notes.append(
        "Lambda's own runtime interface client adds a few MiB on top; the invocation figures cover the "
        "first request of a container, which is also where boto3 loads its service models."
    )
    return table


def _outcome(data: dict[str, Any], receiver: Any, request_id: str | None) -> str:
    if request_id is not None:
        statuses = [r.body.get("Status") for r in receiver.responses_for(request_id)]
        return "/".join(str(s) for s in statuses) or "no response"
    if data.get("healthy") is not None:
        return "healthy" if data["healthy"] else "unhealthy"
    if data.get("failures") is not None:
        return "unit done" if not data["failures"] else "unit failed"
    return str(data.get("status"))
