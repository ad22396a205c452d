"""Custom::CloudBasicHACluster through the real CloudBasic provider handler, over HTTP and moto."""

from __future__ import annotations

import json
import os
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cbprovider.runtime import is_placeholder
from cbprovider.secrets.sharing import sharing_tags

from simulators.cloudbasic import CloudBasicSimulator
from simulators.cloudbasic.state import Cluster
from simulators.stack import LocalStack, register_endpoint
from tests.evidence.killed import killed_create
from tests.resources.conftest import CloudBasicEnv
from tests.resources.sample_events import NAMES, check_sample_event, load_event
from tests.tls import self_signed_certificate

TYPE = "Custom::CloudBasicHACluster"
LOCAL = "10.0.1.10"
REMOTE = "10.0.2.10"
REMOTE_PUBLIC = "REMOTEPUBLICKEY00001"
REMOTE_PRIVATE = "Remote/Private+Key/0123456789abcdefghijk"
EVENTS = Path(__file__).resolve().parents[3] / "events"


def key_secret(cb: CloudBasicEnv, public: str = REMOTE_PUBLIC, private: str = REMOTE_PRIVATE) -> str:
    value = json.dumps({"AccessKeyId": public, "SecretAccessKey": private})
    return str(
        cb.sm.create_secret(
            Name=f"cloudbasic/remote/{public}/{uuid.uuid4().hex[:8]}", SecretString=value, Tags=sharing_tags()
        )["ARN"]
    )


def props(cb: CloudBasicEnv, **overrides: Any) -> dict[str, Any]:
    return {
        "LocalServer": LOCAL,
        "RemoteServer": REMOTE,
        "RemoteCredentialsSecretArn": key_secret(cb),
        **overrides,
    }


def no_leftovers() -> bool:
    return LocalStack.leftovers() == {"rules": [], "poll_state": []}


def action_calls(cb: CloudBasicEnv, action: str) -> int:
    return sum(1 for call in cb.sim.calls if call.path == f"/api/{action}")


def test_create_clusters_the_nodes_with_the_remote_key_pair(cb: CloudBasicEnv) -> None:
    created = cb.stack.send("Create", TYPE, "Cluster", props(cb))
    assert created.status == "SUCCESS", created.reason
    assert created.physical_id == f"hacluster:{LOCAL}:{REMOTE}"
    assert created.data == {"LocalServer": LOCAL, "RemoteServer": REMOTE, "Status": "Running"}
    cluster = cb.sim.cluster
    assert cluster is not None
    assert (cluster.local_server, cluster.remote_server, cluster.port) == (LOCAL, REMOTE, 81)
    assert (cluster.remote_public_key, cluster.remote_private_key) == (REMOTE_PUBLIC, REMOTE_PRIVATE)
    assert REMOTE_PRIVATE not in cb.everything_sent()
    assert no_leftovers()


def test_update_in_place_alters_the_cluster_and_keeps_the_id(cb: CloudBasicEnv) -> None:
    old = props(cb)
    created = cb.stack.send("Create", TYPE, "Cluster", old)
    new = {
        **old,
        "RemoteServer": "10.0.3.10",
        "Port": "444",
        "RemoteCredentialsSecretArn": key_secret(
            cb, "REMOTEPUBLICKEY00002", "Second/Private+Key/abcdefghijklmnopqrstu"
        ),
    }
    updated = cb.stack.send(
        "Update", TYPE, "Cluster", new, physical_id=created.physical_id, old_properties=old
    )
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id == created.physical_id
    assert updated.data["RemoteServer"] == "10.0.3.10"
    cluster = cb.sim.cluster
    assert cluster is not None
    assert (cluster.remote_server, cluster.port, cluster.remote_public_key) == (
        "10.0.3.10",
        444,
        "REMOTEPUBLICKEY00002",
    )
    assert action_calls(cb, "AlterCluster") == 1
    assert "Second/Private+Key" not in cb.everything_sent()


def test_a_local_server_change_replaces_the_cluster(cb: CloudBasicEnv) -> None:
    old = props(cb)
    created = cb.stack.send("Create", TYPE, "Cluster", old)
    with CloudBasicSimulator() as other:
        assert other.admin_keys is not None
        access, secret = other.admin_keys
        keys = cb.sm.create_secret(
            Name="cloudbasic/other",
            SecretString=json.dumps({"AccessKeyId": access, "SecretAccessKey": secret}),
            Tags=sharing_tags(),
        )["ARN"]
        register_endpoint("cloudbasic", "appliance-b", other.url, credentials_secret_arn=keys)
        new = {**old, "LocalServer": "10.0.1.20", "Endpoint": "appliance-b"}
        updated = cb.stack.send(
            "Update", TYPE, "Cluster", new, physical_id=created.physical_id, old_properties=old
        )
        assert updated.status == "SUCCESS", updated.reason
        assert updated.physical_id == f"hacluster:10.0.1.20:{REMOTE}"
        assert other.cluster is not None
        assert cb.sim.cluster is not None, "the old cluster is left for CloudFormation's Delete"
        cleanup = cb.stack.send("Delete", TYPE, "Cluster", old, physical_id=created.physical_id)
        assert cleanup.status == "SUCCESS", cleanup.reason
        assert cb.sim.cluster is None
        assert other.cluster is not None


def test_delete_keeps_the_local_node_standalone_without_sending_keys(cb: CloudBasicEnv) -> None:
    given = props(cb)
    created = cb.stack.send("Create", TYPE, "Cluster", given)
    deleted = cb.stack.send("Delete", TYPE, "Cluster", given, physical_id=created.physical_id)
    assert (deleted.status, deleted.physical_id) == ("SUCCESS", created.physical_id)
    assert cb.sim.cluster is None


def test_delete_keeping_the_remote_node_sends_its_key_pair(cb: CloudBasicEnv) -> None:
    given = props(cb, StandaloneServerOnDelete=REMOTE)
    created = cb.stack.send("Create", TYPE, "Cluster", given)
    deleted = cb.stack.send("Delete", TYPE, "Cluster", given, physical_id=created.physical_id)
    assert deleted.status == "SUCCESS", deleted.reason
    assert cb.sim.cluster is None


def test_delete_when_not_clustered_succeeds_without_calling_delete_cluster(cb: CloudBasicEnv) -> None:
    given = props(cb)
    cb.stack.own(TYPE, "Cluster", f"hacluster:{LOCAL}:{REMOTE}", given)
    deleted = cb.stack.send("Delete", TYPE, "Cluster", given, physical_id=f"hacluster:{LOCAL}:{REMOTE}")
    assert deleted.status == "SUCCESS", deleted.reason
    assert "not clustered" in deleted.reason
    assert action_calls(cb, "DeleteCluster") == 0


@pytest.mark.parametrize("physical_id", ["failed-create-Cluster-0123abcd", "Cluster-ABCDEF123456"])
def test_delete_of_an_id_this_type_never_made_touches_nothing(cb: CloudBasicEnv, physical_id: str) -> None:
    deleted = cb.stack.send("Delete", TYPE, "Cluster", props(cb), physical_id=physical_id)
    assert (deleted.status, deleted.physical_id) == ("SUCCESS", physical_id)
    assert cb.sim.calls == []


def test_create_on_an_appliance_already_clustered_fails_and_its_rollback_leaves_that_cluster(
    cb: CloudBasicEnv,
) -> None:
    first = cb.stack.send("Create", TYPE, "Cluster", props(cb))
    assert first.status == "SUCCESS"
    given = props(cb, RemoteServer="10.0.9.9")
    second = cb.stack.send("Create", TYPE, "Other", given)
    assert second.status == "FAILED"
    assert is_placeholder(second.physical_id)
    assert second.reason.startswith("[ApiError 400] CloudBasic CreateCluster failed with HTTP 400")
    assert "already part of a cluster" in second.reason
    assert "(RequestId " in second.reason
    rollback = cb.stack.send("Delete", TYPE, "Other", given, physical_id=second.physical_id)
    assert rollback.status == "SUCCESS"
    assert cb.sim.cluster is not None
    assert cb.sim.cluster.remote_server == REMOTE


def test_wait_for_remote_polls_until_the_remote_service_runs(cb: CloudBasicEnv) -> None:
    stopped = json.dumps({"status": "Running", "remoteStatus": "Stopped"})
    cb.sim.faults.add("ReplicationServiceStatus")  # read before the create (not clustered): answered
    cb.sim.faults.add("ReplicationServiceStatus", status=200, body=stopped, times=2)
    created = cb.stack.send("Create", TYPE, "Cluster", props(cb, WaitForRemote="true"))
    assert created.status == "SUCCESS", created.reason
    assert created.invocations == 3
    assert created.data["Status"] == "Running"
    assert no_leftovers()


def test_server_errors_on_the_status_call_are_retried(cb: CloudBasicEnv) -> None:
    cb.sim.faults.fail_times("ReplicationServiceStatus", 2, status=502)
    created = cb.stack.send("Create", TYPE, "Cluster", props(cb))
    assert created.status == "SUCCESS", created.reason
    assert action_calls(cb, "CreateCluster") == 1


def test_a_lost_create_answer_reports_the_id_so_the_rollback_can_dissolve_it(cb: CloudBasicEnv) -> None:
    cb.sim.faults.add("CreateCluster", malformed=True)
    given = props(cb)
    created = cb.stack.send("Create", TYPE, "Cluster", given)
    assert created.status == "FAILED"
    assert created.physical_id == f"hacluster:{LOCAL}:{REMOTE}"
    assert cb.sim.cluster is not None
    rollback = cb.stack.send("Delete", TYPE, "Cluster", given, physical_id=created.physical_id)
    assert rollback.status == "SUCCESS"
    assert cb.sim.cluster is None


def their_cluster(cb: CloudBasicEnv) -> Cluster:
    """The appliance joined to another node behind the stack's back."""
    theirs = Cluster(LOCAL, "10.0.9.10", 81, "THEIRPUBLICKEY000001", "Their/Private+Key/0123456789abcdefg")
    with cb.sim.state.lock:
        cb.sim.state.cluster = theirs
    return theirs


def test_a_create_killed_during_its_call_adopts_the_cluster_it_made(cb: CloudBasicEnv) -> None:
    """The process is killed right after the appliance made the cluster: the on-failure destination hands
    the in-flight create to the look-up, which finds the appliance clustered and not clustered before."""
    created = killed_create(
        cb.stack, TYPE, "Cluster", props(cb), function="cloudbasic_provider", operation="CreateCluster"
    )
    assert created.status == "SUCCESS", created.reason
    assert created.physical_id == f"hacluster:{LOCAL}:{REMOTE}"
    assert created.data == {"LocalServer": LOCAL, "RemoteServer": REMOTE, "Status": "Running"}
    assert action_calls(cb, "CreateCluster") == 1
    assert no_leftovers()


def test_a_cluster_there_before_a_killed_create_is_never_adopted(cb: CloudBasicEnv) -> None:
    theirs = their_cluster(cb)
    given = props(cb)
    failed = killed_create(
        cb.stack, TYPE, "Cluster", given, function="cloudbasic_provider", operation="CreateCluster"
    )
    assert failed.status == "FAILED", "a cluster the appliance was in before was adopted"
    assert is_placeholder(failed.physical_id)
    assert "the appliance was already in a cluster before the call" in failed.reason
    assert no_leftovers()
    rollback = cb.stack.send("Delete", TYPE, "Cluster", given, physical_id=failed.physical_id)
    assert rollback.status == "SUCCESS", rollback.reason
    assert cb.sim.cluster is theirs


def test_a_lost_answer_of_a_create_on_a_clustered_appliance_names_no_cluster(cb: CloudBasicEnv) -> None:
    """The appliance was in a cluster before the call (which refused the create): the lost answer must not
    lead a rollback Delete to dissolve that cluster."""
    theirs = their_cluster(cb)
    cb.sim.faults.add("CreateCluster", malformed=True)
    given = props(cb)
    failed = cb.stack.send("Create", TYPE, "Cluster", given)
    assert failed.status == "FAILED"
    assert is_placeholder(failed.physical_id)
    rollback = cb.stack.send("Delete", TYPE, "Cluster", given, physical_id=failed.physical_id)
    assert rollback.status == "SUCCESS", rollback.reason
    assert cb.sim.cluster is theirs


def test_a_status_that_cannot_be_read_fails_before_the_create(cb: CloudBasicEnv) -> None:
    cb.sim.faults.add("ReplicationServiceStatus", status=500, times=None)
    failed = cb.stack.send("Create", TYPE, "Cluster", props(cb))
    assert failed.status == "FAILED"
    assert is_placeholder(failed.physical_id)
    assert "[BeforeListUnavailable]" in failed.reason
    assert action_calls(cb, "CreateCluster") == 0
    assert no_leftovers()


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"Port": "abc"}, "Port: input should be a valid integer"),
        ({"Port": "70000"}, "Port"),
        ({"StandaloneServerOnDelete": "10.9.9.9"}, "StandaloneServerOnDelete must be the LocalServer"),
        ({"RemoteSrever": "x"}, "RemoteSrever: unknown property"),
        ({"SigningService": "cbr"}, "SigningService: no longer a property; name a registered endpoint"),
        ({"ApiUrl": "https://appliance"}, "ApiUrl: no longer a property; name a registered endpoint"),
        ({"Endpoint": "../capella/default"}, "Endpoint: string should match pattern"),
        ({"Endpoint": "elsewhere"}, "[UnknownEndpoint] Endpoint: no cloudbasic endpoint named 'elsewhere'"),
    ],
)
def test_bad_input_is_refused_naming_the_property(
    cb: CloudBasicEnv, change: dict[str, Any], named: str
) -> None:
    created = cb.stack.send("Create", TYPE, "Cluster", {**props(cb), **change})
    assert created.status == "FAILED"
    assert named in created.reason
    assert cb.sim.calls == []


def test_a_remote_key_secret_without_the_key_pair_names_its_property(cb: CloudBasicEnv) -> None:
    arn = cb.sm.create_secret(
        Name="cloudbasic/bad", SecretString=json.dumps({"publicKey": "x"}), Tags=sharing_tags()
    )["ARN"]
    created = cb.stack.send("Create", TYPE, "Cluster", props(cb, RemoteCredentialsSecretArn=arn))
    assert created.status == "FAILED"
    assert "RemoteCredentialsSecretArn: secret" in created.reason
    assert "AccessKeyId and SecretAccessKey" in created.reason
    assert cb.sim.calls == []


def test_the_endpoint_signing_settings_reach_the_appliance(cb: CloudBasicEnv) -> None:
    register_endpoint(
        "cloudbasic",
        "cbr",
        cb.sim.url,
        credentials_secret_arn=cb.keys_arn,
        SigningService="cbr",
        SigningRegion="",
    )
    created = cb.stack.send("Create", TYPE, "Cluster", props(cb, Endpoint="cbr"))
    assert created.status == "SUCCESS", created.reason


# -- connection overrides: TLS trust ------------------------------------------------------------------
@pytest.fixture
def tls_sim(tmp_path: Path) -> Iterator[tuple[CloudBasicSimulator, str]]:
    """A CloudBasic simulator behind TLS with a fresh self-signed certificate: ``(simulator, PEM)``."""
    cert, key = self_signed_certificate(tmp_path)
    with CloudBasicSimulator().with_tls(cert, key) as sim:
        yield sim, cert.read_text()


def test_a_ca_bundle_secret_lets_the_provider_trust_a_self_signed_appliance(
    cb: CloudBasicEnv, tls_sim: tuple[CloudBasicSimulator, str]
) -> None:
    sim, pem = tls_sim
    assert sim.admin_keys is not None
    access, secret = sim.admin_keys
    keys = cb.sm.create_secret(
        Name="cloudbasic/tls-admin",
        SecretString=json.dumps({"AccessKeyId": access, "SecretAccessKey": secret}),
        Tags=sharing_tags(),
    )["ARN"]
    bundle = cb.sm.create_secret(Name="cloudbasic/ca", SecretString=pem)["ARN"]
    register_endpoint("cloudbasic", "tls", f"https://127.0.0.1:{sim.port}", credentials_secret_arn=keys)
    given = props(cb, Endpoint="tls")
    untrusted = cb.stack.send("Create", TYPE, "Cluster", given)
    assert untrusted.status == "FAILED"
    assert "could not reach the API" in untrusted.reason
    assert sim.cluster is None
    url = f"https://127.0.0.1:{sim.port}"
    register_endpoint("cloudbasic", "tls", url, credentials_secret_arn=keys, CaBundleSecretArn=bundle)
    trusted = cb.stack.send("Create", TYPE, "Cluster", given)
    assert trusted.status == "SUCCESS", trusted.reason
    assert sim.cluster is not None


def test_a_ca_bundle_is_written_once_to_a_private_file(cb: CloudBasicEnv) -> None:
    from cbprovider.cloudbasic.ca_bundle import ca_bundle_file

    pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ0E=\n-----END CERTIFICATE-----\n"
    arn = cb.sm.create_secret(Name="cloudbasic/ca-file", SecretString=pem)["ARN"]
    path = ca_bundle_file(arn)
    assert Path(path).read_text() == pem
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert ca_bundle_file(arn) == path


def test_a_ca_bundle_secret_without_a_certificate_names_its_property(cb: CloudBasicEnv) -> None:
    arn = cb.sm.create_secret(Name="cloudbasic/not-a-ca", SecretString="hello")["ARN"]
    register_endpoint(
        "cloudbasic", "bad-ca", cb.sim.url, credentials_secret_arn=cb.keys_arn, CaBundleSecretArn=arn
    )
    created = cb.stack.send("Create", TYPE, "Cluster", props(cb, Endpoint="bad-ca"))
    assert created.status == "FAILED"
    assert "endpoint bad-ca CaBundleSecretArn: secret" in created.reason
    assert "PEM" in created.reason
    assert cb.sim.calls == []


@pytest.mark.parametrize("name", NAMES)
def test_sample_events_parse_and_classify(name: str) -> None:
    from cbprovider.resources.cloudbasic.ha_cluster import HACluster

    check_sample_event(HACluster(), load_event("cloudbasic-ha-cluster", name), name)


def test_a_local_server_change_on_the_same_appliance_fails_with_an_explanation(cb: CloudBasicEnv) -> None:
    old = props(cb)
    created = cb.stack.send("Create", TYPE, "Cluster", old)
    new = {**old, "LocalServer": "appliance-a.example.internal"}
    updated = cb.stack.send(
        "Update", TYPE, "Cluster", new, physical_id=created.physical_id, old_properties=old
    )
    assert updated.status == "FAILED"
    assert updated.physical_id == created.physical_id
    assert "[ReplacementRefused]" in updated.reason
    assert "already part of a cluster" in updated.reason
    assert "name the registered Endpoint of another appliance" in updated.reason
    assert cb.sim.cluster is not None
    assert cb.sim.cluster.local_server == LOCAL
