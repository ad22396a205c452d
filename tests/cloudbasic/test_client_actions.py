"""Every CloudBasic action through the client against the simulator over HTTP, in JSON and in XML."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from cbprovider.cloudbasic import (
    ActivateInstanceRequest,
    CloudBasicClient,
    ClusterRequest,
    CreateReplicationRequest,
    CreateUserRequest,
    Endpoint,
    is_not_found,
)
from cbprovider.errors import ApiError

from simulators.cloudbasic import CloudBasicSimulator
from simulators.cloudbasic.versions import ApplianceVersion

SOURCE = "Data Source=src.example.internal;Initial Catalog=Sales;User ID=cb;Password=src-pass"
REPLICA = "Data Source=dst.example.internal;Initial Catalog=Sales;User ID=cb;Password=dst-pass"
STAGING = "Data Source=stage.example.internal;Initial Catalog=Staging;User ID=cb;Password=stage-pass"


def _new_replication(client: CloudBasicClient) -> str:
    request = CreateReplicationRequest(
        source=Endpoint(
            SOURCE, encrypt_data_in_transit=True, extra={"changeTrackingRetentionPeriod": "2 DAYS"}
        ),
        destination=Endpoint(REPLICA),
        replication_name="sales-dr",
        parallel_tables_limit=5,
        extra={"replicateTablesOnly": False},
    )
    return client.create_replication(request)


def _seeded(sim: CloudBasicSimulator) -> str:
    return sim.add_replications(1, seeded=True)[0]


def _wait(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.mark.parametrize("xml", [False, True], ids=["json", "xml"])
def test_activate_then_deactivate_instance(xml: bool, appliance_version: ApplianceVersion) -> None:
    with (
        CloudBasicSimulator(activated=False, appliance_version=appliance_version) as sim,
        CloudBasicClient(sim.url, None, xml=xml) as anonymous,
    ):
        keys = anonymous.activate_instance(
            ActivateInstanceRequest(
                email="admin@example.com",
                instance_id="i-0123456789abcdef0",
                password="P4ss!word",
                company="Ex",
            )
        )
        assert (keys.public_key, keys.private_key) == sim.admin_keys
        assert keys.private_key not in repr(keys)
        assert bool(keys.eula_url) is appliance_version.eula  # no EULA before 12.301
        admin_keys = (keys.public_key, keys.private_key)
        with CloudBasicClient(sim.url, admin_keys, xml=xml, region="us-east-1") as admin:
            admin.deactivate_instance()
            assert not sim.activated
            with pytest.raises(ApiError) as info:
                admin.deactivate_instance()
        assert info.value.status == 400
        assert "Instance is not activated" in info.value.messages


def test_replication_service_start_stop_and_status(
    client: CloudBasicClient, cloudbasic_sim: CloudBasicSimulator
) -> None:
    assert client.replication_service_status().status == "Running"
    client.stop_replication_service()
    assert not cloudbasic_sim.service_running
    assert client.replication_service_status().status == "Stopped"
    client.start_replication_service()
    status = client.replication_service_status()
    assert status.status == "Running"
    assert status.request_timestamp


def test_active_directory_and_certificate_calls(client: CloudBasicClient) -> None:
    client.activate_active_directory()
    assert client.active_directory_status().status == "Activated"
    client.deactivate_active_directory()
    assert client.active_directory_status().status == "Deactivated"
    with pytest.raises(ApiError, match="Failed to deactivate Active Directory"):
        client.deactivate_active_directory()
    client.create_and_bind_self_signed_certificate()
    client.unbind_and_delete_self_signed_certificate()
    with pytest.raises(ApiError) as info:
        client.unbind_and_delete_self_signed_certificate()
    assert info.value.status == 400


def test_create_user_gives_keys_that_sign(
    client: CloudBasicClient, cloudbasic_sim: CloudBasicSimulator
) -> None:
    keys = client.create_user(
        CreateUserRequest(
            email="ops@example.com",
            username="ops",
            first_name="Op",
            last_name="Erator",
            password="Pw-1234567",
        )
    )
    assert keys.user_name == "ops"
    assert any(u.user_name == "ops" for u in cloudbasic_sim.users.values())
    with CloudBasicClient(cloudbasic_sim.url, (keys.public_key, keys.private_key), xml=client.xml) as ops:
        assert ops.get_replications_list() == []


def test_replication_lifecycle(
    versioned_client: CloudBasicClient, versioned_sim: CloudBasicSimulator
) -> None:
    client, cloudbasic_sim = versioned_client, versioned_sim
    replication_id = _new_replication(client)
    assert replication_id in cloudbasic_sim.replications
    listed = client.get_replications_list()
    assert [r.replication_id for r in listed] == [replication_id]
    assert listed[0].is_enabled is True
    assert "src-pass" not in (listed[0].source or "")
    status = client.replication_status(replication_id, connection_test_timeout=5)
    assert status.replication_id == replication_id
    assert status.seeding_status in ("Running", "Success")
    _wait(lambda: client.replication_status(replication_id).seeding_status == "Success")
    assert client.replication_status(replication_id).seeding_progress == 100
    client.alter_replication(replication_id, {"dataReplication": False, "replicationName": "renamed"})
    report = client.analyze_replication(replication_id, {"tablesWithoutPkOnly": True})
    assert report["requestTimestamp"]
    client.delete_replication(replication_id)
    assert replication_id not in cloudbasic_sim.replications
    with pytest.raises(ApiError) as info:
        client.delete_replication(replication_id)
    assert is_not_found(info.value)
    assert info.value.request_id


def test_create_all_replication(client: CloudBasicClient) -> None:
    body = {"source": {"connectionString": SOURCE}, "destination": {"connectionString": REPLICA}}
    first = client.create_all_replication({**body, "skipExisting": True})
    assert len(first["replicationIds"]) == 1
    assert client.create_all_replication({**body, "skipExisting": True})["replicationIds"] in ([], "")


def test_redshift_and_s3_pipelines(client: CloudBasicClient, cloudbasic_sim: CloudBasicSimulator) -> None:
    common = {"source": {"connectionString": SOURCE}, "staging": {"connectionString": STAGING}}
    keys = {
        "accessType": "AccessKey",
        "accessKey": "AKIAEXAMPLE",
        "secretKey": "s3cret",
        "bucketName": "lake",
    }
    redshift = client.create_redshift_replication(
        {
            **common,
            "redshift": {
                **keys,
                "url": "rs.example.internal",
                "databaseName": "dw",
                "username": "u",
                "password": "p",
            },
        }
    )["replicationId"]
    s3 = client.create_s3_replication({**common, "s3DataLake": {**keys, "scdType": "Type1"}})["replicationId"]
    assert {redshift, s3} <= set(cloudbasic_sim.replications)
    client.alter_redshift_replication(redshift, {"replicationName": "dw-feed", "dataReplication": True})
    client.alter_s3_replication(s3, {"replicationName": "lake-feed"})
    client.delete_redshift_replication(redshift)
    client.delete_s3_replication(s3)
    assert not {redshift, s3} & set(cloudbasic_sim.replications)


def test_logs_and_latency(client: CloudBasicClient, cloudbasic_sim: CloudBasicSimulator) -> None:
    replication_id = _seeded(cloudbasic_sim)
    logs = client.get_logs(replication_id)
    assert logs.type
    assert logs.logs
    latency = client.get_latency(replication_id, 48)
    assert latency.replication_id == replication_id
    assert latency.average_latency
    assert latency.is_data_replication_on is True


def test_rebuild_indexes_and_reseed_table(
    client: CloudBasicClient, cloudbasic_sim: CloudBasicSimulator
) -> None:
    replication_id = _seeded(cloudbasic_sim)
    assert client.rebuild_db_replica_indexes_status(replication_id).status == "NotStarted"
    client.rebuild_db_replica_indexes(replication_id)
    assert client.rebuild_db_replica_indexes_status(replication_id).status in ("Running", "Success")
    client.reseed_table(replication_id, "[dbo].[Orders]")
    assert client.reseed_table_status(replication_id, "[dbo].[Orders]").is_running is True
    client.reseed_table(replication_id, "[dbo].[Orders]", "Cancel")
    assert client.reseed_table_status(replication_id, "[dbo].[Orders]").is_running is False
    with pytest.raises(ValueError, match="Initiate"):
        client.reseed_table(replication_id, "[dbo].[Orders]", "Restart")


def test_finalize(client: CloudBasicClient, cloudbasic_sim: CloudBasicSimulator) -> None:
    first, second = cloudbasic_sim.add_replications(2)
    client.finalize_replication(first)
    assert cloudbasic_sim.replications[first].finalized
    client.finalize_all_replications()
    assert cloudbasic_sim.replications[second].finalized


def test_cluster_lifecycle(versioned_client: CloudBasicClient, versioned_sim: CloudBasicSimulator) -> None:
    client, cloudbasic_sim = versioned_client, versioned_sim
    pair = ("AKIAREMOTEEXAMPLE000", "remote-secret-key")
    request = ClusterRequest(
        remote_server="10.0.2.10", local_server="10.0.1.10", port=81, public_key=pair[0], private_key=pair[1]
    )
    assert pair[1] not in repr(request)
    client.create_cluster(request)
    assert cloudbasic_sim.cluster is not None
    assert cloudbasic_sim.cluster.local_server == "10.0.1.10"
    assert client.replication_service_status().remote_status == "Running"
    client.alter_cluster(
        ClusterRequest(remote_server="10.0.2.10", port=444, public_key=pair[0], private_key=pair[1])
    )
    client.delete_cluster("10.0.1.10", pair)
    assert cloudbasic_sim.cluster is None


def test_promote_replica_to_primary(
    versioned_client: CloudBasicClient, versioned_sim: CloudBasicSimulator
) -> None:
    client, cloudbasic_sim = versioned_client, versioned_sim
    replication_id = _seeded(cloudbasic_sim)
    client.promote_db_replica_to_primary(
        replication_id, {"ignoreInaccessibleSourceConnection": True, "ignoreDbDiscrepancies": "true"}
    )
    _wait(lambda: client.promote_db_replica_to_primary_status(replication_id).status == "Success")
    status = client.promote_db_replica_to_primary_status(replication_id)
    assert status.progress == 100
    assert status.logs


def test_legacy_promote_to_primary(client: CloudBasicClient, cloudbasic_sim: CloudBasicSimulator) -> None:
    replication_id = _seeded(cloudbasic_sim)
    client.promote_to_primary(replication_id, {"ignoreDbDiscrepancies": True})
    assert client.promote_db_replica_to_primary_status(replication_id).status in ("Running", "Success")


def test_generic_call_returns_the_decoded_answer(
    client: CloudBasicClient, cloudbasic_sim: CloudBasicSimulator
) -> None:
    cloudbasic_sim.add_replications(2)
    answer = client.call("GetReplicationsList")
    assert len(answer["replications"]) == 2
    assert client.call("ReplicationServiceStatus", method="GET")["status"] == "Running"
