"""Which project modules a provider's first Create really loads (``python -m bench.first_request NAME``).

The cold-start figures import a list of modules for "the first request" (``coldstart.FIRST_REQUEST``)
instead of sending one, because the deployed layer has no simulator or moto beside it. This child keeps
that list honest: it sets up the simulator of the function's vendor and moto, drops every ``cbprovider``
module the set-up loaded, loads the handler as a new container would and sends one Create of the type
the list names, then prints the ``cbprovider`` modules in ``sys.modules`` as JSON on its last line (the
provider's log lines come before it). The bench's tests compare it with what the list imports.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from bench.machine import REPO
from simulators.cloudformation import ResponseReceiver
from simulators.stack import LocalStack, load_handler, local_aws, register_endpoint

PROJECT_PACKAGE = "cbprovider"


def project_modules() -> list[str]:
    return sorted(m for m in sys.modules if m == PROJECT_PACKAGE or m.startswith(PROJECT_PACKAGE + "."))


def _forget_project_modules() -> None:
    for name in project_modules():
        del sys.modules[name]


@contextmanager
def _cloudbasic(aws: Any) -> Iterator[tuple[str, dict[str, object]]]:
    from simulators.cloudbasic import CloudBasicSimulator

    with CloudBasicSimulator(seeding_seconds=0.0) as sim:
        assert sim.admin_keys is not None
        sm = aws.client("secretsmanager")
        access, secret = sim.admin_keys
        keys = json.dumps({"AccessKeyId": access, "SecretAccessKey": secret})
        arn = sm.create_secret(Name="cloudbasic/admin", SecretString=keys)["ARN"]
        register_endpoint("cloudbasic", "default", sim.url, credentials_secret_arn=arn)

        def database(host: str) -> str:
            from cbprovider.secrets.sharing import sharing_tags

            value = {"engine": "sqlserver", "host": host, "port": 1433, "username": "admin"}
            value |= {"password": "Pa55-" + uuid.uuid4().hex, "dbname": "Sales"}
            name = f"rds/{host}"
            return str(
                sm.create_secret(Name=name, SecretString=json.dumps(value), Tags=sharing_tags())["ARN"]
            )

        yield (
            "Custom::CloudBasicReplication",
            {
                "Source": {"SecretArn": database("source.example.internal")},
                "Destination": {"SecretArn": database("replica.example.internal"), "Database": "Replica"},
                "ReplicationName": "first",
            },
        )


@contextmanager
def _capella(aws: Any) -> Iterator[tuple[str, dict[str, object]]]:
    from simulators.capella import CapellaSimulator

    with CapellaSimulator() as sim:
        sm = aws.client("secretsmanager")
        keys = json.dumps({"AccessKey": sim.access_key, "SecretKey": sim.secret_key})
        arn = sm.create_secret(Name="capella/keys", SecretString=keys)["ARN"]
        register_endpoint("capella", "default", sim.url, credentials_secret_arn=arn)
        yield "Custom::CapellaProject", {"Name": "first"}


WORLDS = {"cloudbasic_provider": _cloudbasic, "capella_provider": _capella}


def first_create(function: str) -> list[str]:
    """The ``cbprovider`` modules loaded once a new container of ``function`` has answered one Create."""
    with ExitStack() as stack:
        receiver = stack.enter_context(ResponseReceiver())
        aws = stack.enter_context(local_aws())
        type_name, properties = stack.enter_context(WORLDS[function](aws))
        _forget_project_modules()
        outcome = LocalStack(load_handler(function), receiver).send("Create", type_name, "First", properties)
        if outcome.status != "SUCCESS":
            raise SystemExit(f"the first Create of {type_name} failed: {outcome.reason}")
        return project_modules()


def in_a_new_interpreter(function: str) -> list[str]:
    """``first_create(function)`` run in a child interpreter (this module), as a new container would."""
    done = subprocess.run(  # noqa: S603  # this module, run by this interpreter
        [sys.executable, "-m", "bench.first_request", function],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    modules: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return modules


if __name__ == "__main__":
    print(json.dumps(first_create(sys.argv[1])))
