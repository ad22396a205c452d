"""``cbctl demo``: the provider's resource lifecycles against the local simulators, as a transcript.

Starts the CloudBasic and Capella simulators and a local endpoint that receives CloudFormation
responses (all real HTTP servers on 127.0.0.1), provides AWS (Secrets Manager, DynamoDB, EventBridge)
with moto, and drives the real handlers in ``functions/`` through Create, in-place Update, replacing
Update and Delete of each resource type, following long operations across invocations as EventBridge
would. For each request it prints the request, the API calls it made and the response CloudFormation
gets. Nothing leaves this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("cloudbasic", "capella", "capella-v4", "monitor")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--only", choices=SCENARIOS, action="append", help="run only these parts (repeatable; default: all)"
    )
    parser.add_argument("--seeding-seconds", type=float, default=3.0, help="simulated seeding time")
    parser.add_argument("--deploy-seconds", type=float, default=3.0, help="simulated Capella deploy time")
    parser.add_argument("--verbose", action="store_true", help="show the provider's own (redacted) log lines")
    parser.set_defaults(func=run)


@dataclass
class Transcript:
    """Prints what happened, request by request."""

    out: TextIO = field(default_factory=lambda: sys.stdout)
    """``sys.stdout`` when the transcript is made (not when the module was imported)."""
    failures: list[str] = field(default_factory=list)

    def section(self, title: str) -> None:
        print(f"\n=== {title} " + "=" * max(0, 72 - len(title)), file=self.out)

    def line(self, text: str = "") -> None:
        print(text, file=self.out)


class Driver:
    """Runs one request through a LocalStack and prints it with the API calls it caused."""

    def __init__(self, transcript: Transcript, stack: Any, simulator: Any) -> None:
        self.t = transcript
        self.stack = stack
        self.sims = [simulator]

    def request(
        self,
        request_type: str,
        resource_type: str,
        logical_id: str,
        properties: Mapping[str, Any],
        *,
        expect: str = "SUCCESS",
        **kwargs: Any,
    ) -> Any:
        shown = {k: _short(v) for k, v in properties.items() if k != "ServiceToken"}
        physical = kwargs.get("physical_id")
        self.t.line(
            f"\n> {request_type} {resource_type} {logical_id}" + (f" [{physical}]" if physical else "")
        )
        self.t.line("  properties: " + json.dumps(shown, sort_keys=True))
        first_calls = [len(sim.calls) for sim in self.sims]
        kwargs.setdefault("poll_interval", 0.3)
        outcome = self.stack.send(request_type, resource_type, logical_id, properties, **kwargs)
        calls = [c for sim, first in zip(self.sims, first_calls, strict=True) for c in sim.calls_since(first)]
        calls.sort(key=lambda c: c.at)
        for call in _summarise(calls):
            self.t.line(f"  api: {call}")
        if outcome.invocations > 1:
            self.t.line(f"  (continued across {outcome.invocations} invocations, polled via EventBridge)")
        if len(outcome.responses) != 1:
            self.t.failures.append(f"{request_type} {logical_id}: {len(outcome.responses)} responses")
            self.t.line(f"  !! {len(outcome.responses)} responses")
            return outcome
        body = outcome.response
        self.t.line(f"  < {body['Status']} PhysicalResourceId={body['PhysicalResourceId']}")
        if body.get("Data"):
            self.t.line("    Data: " + json.dumps(body["Data"], sort_keys=True))
        if body.get("Reason"):
            self.t.line(f"    Reason: {body['Reason']}")
        if body["Status"] != expect:
            self.t.failures.append(f"{request_type} {logical_id}: {body['Status']} (expected {expect})")
        return outcome


def _short(value: Any) -> Any:
    """Secret ARNs shown by their name only, to keep the transcript readable."""
    if isinstance(value, str) and value.startswith("arn:aws:secretsmanager:"):
        return "secret:" + value.rsplit(":", 1)[-1]
    if isinstance(value, dict):
        return {k: _short(v) for k, v in value.items()}
    return value


def _summarise(calls: list[Any]) -> Iterator[str]:
    """Consecutive identical calls (status polls) folded into one line with a count."""
    previous: tuple[str, str, int] | None = None
    count = 0
    for call in calls:
        key = (call.method, call.path, call.status)
        if key == previous:
            count += 1
            continue
        if previous is not None:
            yield _call_text(previous, count)
        previous, count = key, 1
    if previous is not None:
        yield _call_text(previous, count)


def _call_text(call: tuple[str, str, int], count: int) -> str:
    method, path, status = call
    times = f"  x{count}" if count > 1 else ""
    return f"{method} {path} -> {status}{times}"


@contextmanager
def _quiet_logs(verbose: bool) -> Iterator[None]:
    level = "INFO" if verbose else "ERROR"
    saved = {name: os.environ.get(name) for name in ("LOG_LEVEL", "POWERTOOLS_LOG_LEVEL")}
    os.environ.update({"LOG_LEVEL": level, "POWERTOOLS_LOG_LEVEL": level})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def shared_secret(boto3: Any, name: str, value: Mapping[str, Any]) -> str:
    from cbprovider.secrets.sharing import sharing_tags

    arn: str = boto3.client("secretsmanager").create_secret(
        Name=name, SecretString=json.dumps(value), Tags=sharing_tags()
    )["ARN"]
    return arn


def cloudbasic_scenario(t: Transcript, boto3: Any, receiver: Any, seeding_seconds: float) -> None:
    from simulators.cloudbasic import CloudBasicSimulator
    from simulators.stack import LocalStack, load_handler, register_endpoint

    with CloudBasicSimulator(activated=False, seeding_seconds=seeding_seconds, promote_seconds=1.0) as sim:
        t.section(f"CloudBasic appliance (simulator at {sim.url})")
        handler = load_handler("cloudbasic_provider")
        drive = Driver(t, LocalStack(handler, receiver, stack_name="cloudbasic-demo"), sim)
        password = shared_secret(boto3, "demo/admin-password", {"password": "Adm1n-Passw0rd!"})
        t.line("  (the operator registers the appliance as endpoint 'default', without keys for now)")
        register_endpoint("cloudbasic", "default", sim.url)
        activation = {
            "Endpoint": "default",
            "InstanceId": "i-0123456789abcdef0",
            "Email": "dba@example.com",
            "PasswordSecretArn": password,
            "Company": "Example Corp",
            "ContactPerson": "On-call DBA",
            "IsProduction": "true",
            "AgreeToEula": "true",
        }
        activated = drive.request("Create", "Custom::CloudBasicActivation", "Appliance", activation)
        admin_keys = activated.data.get("AdminKeysSecretArn", "")
        t.line("  (the operator adds the admin keys the activation stored to the 'default' endpoint)")
        register_endpoint("cloudbasic", "default", sim.url, credentials_secret_arn=admin_keys)
        connection = {"Endpoint": "default"}

        user = {
            **connection,
            "Email": "reporting@example.com",
            "UserName": "reporting",
            "FirstName": "Report",
            "LastName": "Runner",
            "PasswordSecretArn": password,
            "IsAdmin": "false",
        }
        created_user = drive.request("Create", "Custom::CloudBasicUser", "ReportingUser", user)

        source = shared_secret(
            boto3,
            "demo/source-rds",
            {
                "username": "admin",
                "password": "S0urce-Passw0rd!",
                "host": "sales.abc.rds.amazonaws.com",
                "port": 1433,
                "dbname": "Sales",
            },
        )
        replica = shared_secret(
            boto3,
            "demo/replica-rds",
            {
                "username": "admin",
                "password": "Repl1ca-Passw0rd!",
                "host": "replica.def.rds.amazonaws.com",
                "port": 1433,
                "dbname": "Sales",
            },
        )
        replication = {
            **connection,
            "Source": {"SecretArn": source, "Database": "Sales"},
            "Destination": {"SecretArn": replica, "Database": "Sales"},
            "ReplicationName": "sales-dr",
            "ParallelTablesLimit": "5",
            "WaitFor": "Seeded",
        }
        created = drive.request("Create", "Custom::CloudBasicReplication", "SalesReplica", replication)
        renamed = {**replication, "ReplicationName": "sales-dr-renamed", "DataReplication": "false"}
        drive.request(
            "Update",
            "Custom::CloudBasicReplication",
            "SalesReplica",
            renamed,
            physical_id=created.physical_id,
            old_properties=replication,
        )
        moved = {**renamed, "Destination": {"SecretArn": replica, "Database": "SalesCopy"}}
        replaced = drive.request(
            "Update",
            "Custom::CloudBasicReplication",
            "SalesReplica",
            moved,
            physical_id=created.physical_id,
            old_properties=renamed,
        )
        t.line("  (CloudFormation now deletes the old replication)")
        drive.request(
            "Delete",
            "Custom::CloudBasicReplication",
            "SalesReplica",
            renamed,
            physical_id=created.physical_id,
        )
        drive.request(
            "Delete", "Custom::CloudBasicReplication", "SalesReplica", moved, physical_id=replaced.physical_id
        )

        remote_keys = shared_secret(
            boto3,
            "demo/remote-keys",
            {"AccessKeyId": "AKIDREMOTE0000000000", "SecretAccessKey": "remote-secret-key-example"},
        )
        cluster = {
            **connection,
            "LocalServer": "10.0.1.10",
            "RemoteServer": "10.0.2.10",
            "Port": "81",
            "RemoteCredentialsSecretArn": remote_keys,
            "WaitForRemote": "true",
        }
        made = drive.request("Create", "Custom::CloudBasicHACluster", "Cluster", cluster)
        tls = {**cluster, "Port": "444"}
        drive.request(
            "Update",
            "Custom::CloudBasicHACluster",
            "Cluster",
            tls,
            physical_id=made.physical_id,
            old_properties=cluster,
        )
        admin = sim.admin_keys
        assert admin is not None, "the appliance was activated above"
        with CloudBasicSimulator(admin_access_key_id=admin[0], admin_secret_access_key=admin[1]) as other:
            t.line(f"\n  (a second appliance at {other.url} takes over as LocalServer: a replacement)")
            drive.sims.append(other)
            register_endpoint("cloudbasic", "appliance-2", other.url, credentials_secret_arn=admin_keys)
            moved_local = {**tls, "Endpoint": "appliance-2", "LocalServer": "10.0.1.11"}
            new_cluster = drive.request(
                "Update",
                "Custom::CloudBasicHACluster",
                "Cluster",
                moved_local,
                physical_id=made.physical_id,
                old_properties=tls,
            )
            t.line("  (CloudFormation now deletes the old cluster)")
            drive.request(
                "Delete", "Custom::CloudBasicHACluster", "Cluster", tls, physical_id=made.physical_id
            )
            drive.request(
                "Delete",
                "Custom::CloudBasicHACluster",
                "Cluster",
                moved_local,
                physical_id=new_cluster.physical_id,
            )
            drive.sims.remove(other)

        drive.request(
            "Delete", "Custom::CloudBasicUser", "ReportingUser", user, physical_id=created_user.physical_id
        )
        drive.request(
            "Delete",
            "Custom::CloudBasicActivation",
            "Appliance",
            activation,
            physical_id=activated.physical_id,
        )
        drive.request(
            "Delete",
            "Custom::CloudBasicReplication",
            "Orphan",
            replication,
            physical_id="failed-create-Orphan-0badc0de",
        )


def capella_scenario(t: Transcript, boto3: Any, receiver: Any, deploy_seconds: float) -> None:
    from simulators.capella import CapellaSimulator
    from simulators.stack import LocalStack, load_handler, register_endpoint

    with CapellaSimulator(deploy_seconds=deploy_seconds, destroy_seconds=1.0, scale_seconds=1.0) as sim:
        t.section(f"Couchbase Capella (simulator at {sim.url})")
        keys = shared_secret(
            boto3, "demo/capella-keys", {"AccessKey": sim.access_key, "SecretKey": sim.secret_key}
        )
        handler = load_handler("capella_provider")
        drive = Driver(t, LocalStack(handler, receiver, stack_name="capella-demo"), sim)
        register_endpoint("capella", "default", sim.url, credentials_secret_arn=keys)
        connection = {"Endpoint": "default"}
        project = drive.request(
            "Create", "Custom::CapellaProject", "Project", {**connection, "Name": "orders"}
        )
        project_id = project.physical_id
        servers = [
            {
                "Size": "3",
                "Compute": "m5.xlarge",
                "Services": ["data", "index", "query"],
                "Storage": {"Type": "GP3", "Size": "100", "Iops": "3000"},
            }
        ]
        cluster = {
            **connection,
            "ProjectId": project_id,
            "Name": "orders-prod",
            "Description": "orders database",
            "Provider": "aws",
            "Region": "us-east-1",
            "Cidr": "10.10.0.0/23",
            "SingleAZ": "false",
            "Servers": servers,
            "SupportPackage": {"Type": "DeveloperPro", "Timezone": "GMT"},
        }
        made = drive.request("Create", "Custom::CapellaCluster", "Cluster", cluster, context_seconds=30)
        scaled = {
            **cluster,
            "Servers": [{**servers[0], "Size": "5"}],
            "Description": "orders database, scaled",
        }
        drive.request(
            "Update",
            "Custom::CapellaCluster",
            "Cluster",
            scaled,
            physical_id=made.physical_id,
            old_properties=cluster,
        )
        password = shared_secret(boto3, "demo/app-user-password", {"password": "App-Us3r-Passw0rd!"})
        user = {
            **connection,
            "ClusterId": made.physical_id,
            "UserName": "orders-app",
            "PasswordSecretArn": password,
            "AllBucketsAccess": "data_writer",
        }
        created_user = drive.request("Create", "Custom::CapellaDatabaseUser", "AppUser", user)
        reader = {**user, "AllBucketsAccess": "data_reader"}
        drive.request(
            "Update",
            "Custom::CapellaDatabaseUser",
            "AppUser",
            reader,
            physical_id=created_user.physical_id,
            old_properties=user,
        )
        drive.request(
            "Delete", "Custom::CapellaDatabaseUser", "AppUser", reader, physical_id=created_user.physical_id
        )
        drive.request("Delete", "Custom::CapellaCluster", "Cluster", scaled, physical_id=made.physical_id)
        drive.request(
            "Delete",
            "Custom::CapellaProject",
            "Project",
            {**connection, "Name": "orders"},
            physical_id=project_id,
        )


def monitor_scenario(t: Transcript) -> None:
    from cbprovider.automation.monitor import Monitor
    from cbprovider.automation.settings import CapellaTarget, CloudBasicTarget, MonitorSettings
    from cbprovider.deadline import Deadline

    from cbctl.monitor import render_table
    from simulators.capella import CapellaSimulator
    from simulators.cloudbasic import CloudBasicSimulator

    with CloudBasicSimulator(seeding_seconds=0.5) as cb, CapellaSimulator(deploy_seconds=0.5) as cap:
        t.section("Monitor pass (CloudBasic replications and Capella clusters)")
        cb.add_replications(12, seeded=True, name_prefix="sales")
        project = cap.add_project("monitoring")
        cap.add_clusters(project, 14)
        assert cb.admin_keys is not None
        settings = MonitorSettings(
            cloudbasic=(CloudBasicTarget(name="appliance-1", api_url=cb.url, credentials=cb.admin_keys),),
            capella=(CapellaTarget(api_url=cap.url, credentials=(cap.access_key, cap.secret_key)),),
            concurrency=8,
        )
        report = Monitor(settings).run(Deadline.after(60))
        t.line(render_table(report.to_dict()))
        t.line()
        t.line(report.summary_line())
        if not report.healthy:
            t.failures.append("the monitor found problems on healthy simulators")


def run(args: argparse.Namespace) -> int:
    from simulators.cloudformation import ResponseReceiver
    from simulators.stack import local_aws

    wanted = args.only or list(SCENARIOS)
    transcript = Transcript()
    with ExitStack() as stack:
        stack.enter_context(_quiet_logs(args.verbose))
        boto3 = stack.enter_context(local_aws())
        receiver = stack.enter_context(ResponseReceiver())
        transcript.line(
            f"CloudFormation responses are received at {receiver.url}; AWS services come from moto."
        )
        if "cloudbasic" in wanted:
            cloudbasic_scenario(transcript, boto3, receiver, args.seeding_seconds)
        if "capella" in wanted:
            capella_scenario(transcript, boto3, receiver, args.deploy_seconds)
        if "capella-v4" in wanted:
            from cbctl.demo_capella_v4 import capella_v4_scenario

            capella_v4_scenario(transcript, boto3, receiver, args.deploy_seconds)
        if "monitor" in wanted:
            monitor_scenario(transcript)
        from simulators.stack import LocalStack

        leftovers = LocalStack.leftovers()
    transcript.section("Result")
    transcript.line(
        f"poll rules left: {len(leftovers['rules'])}, poll state left: {len(leftovers['poll_state'])}"
    )
    if transcript.failures or any(leftovers.values()):
        for failure in transcript.failures:
            transcript.line(f"unexpected: {failure}")
        return 1
    transcript.line("every request got exactly one response, as expected")
    return 0
