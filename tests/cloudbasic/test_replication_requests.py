"""The client's replication request models: the API's field names, and the simulator keeping them."""

from __future__ import annotations

import json

from cbprovider.cloudbasic import (
    AlterReplicationRequest,
    CloudBasicClient,
    CreateReplicationRequest,
    Endpoint,
    IndexRebuildSchedule,
    ReseedingSchedule,
)
from cbprovider.cloudbasic.codec import encode_request
from defusedxml.ElementTree import fromstring

from simulators.cloudbasic import CloudBasicSimulator

SOURCE = "Data Source=src.example.internal;Initial Catalog=Sales;User ID=cb;Password=src-pass"
REPLICA = "Data Source=dst.example.internal;Initial Catalog=Sales;User ID=cb;Password=dst-pass"
RESEEDING = ReseedingSchedule(
    no_pk_tables_to_include=("[dbo].[Log]",), from_time="1:00:00 AM", to_time="2:00:00 AM"
)
REBUILD = IndexRebuildSchedule(recurrence="Weekly", week_days=("Saturday",), parallel_indexes_rebuild_limit=2)
ALTER = AlterReplicationRequest(
    dynamic_tables_discovery=True,
    add_new_tables_to_exclusion_list=False,
    dynamic_tables_exclusion_rules=("^tmp_", "^old_"),
    is_continuous=False,
    repeat_interval_in_minutes=10,
    indexes_to_exclude=(),
    reseeding_schedule=RESEEDING,
    rebuild_db_replica_indexes_schedule=REBUILD,
)


def test_alter_body_uses_the_api_names_and_string_switches() -> None:
    body = json.loads(encode_request("AlterReplication", ALTER.to_body(), xml=False)[0])
    assert body == {
        "dynamicTablesDiscovery": "true",
        "addNewTablesToExcusionList": "false",
        "dynamicTablesExclusionRules": "^tmp_, ^old_",
        "isContinuous": "false",
        "repeatIntervalInMinutes": 10,
        "indexesToExclude": "",
        "reseedingSchedule": {
            "noPkTablesToInclude": "[dbo].[Log]",
            "pkTablesToInclude": "",
            "fromTime": "1:00:00 AM",
            "toTime": "2:00:00 AM",
        },
        "RebuildDbReplicaIndexesSchedule": {
            "enabled": True,
            "recurrence": "Weekly",
            "weekDays": "Saturday",
            "parallelIndexesRebuildLimit": 2,
        },
    }


def test_schedules_in_xml_are_nested_elements() -> None:
    root = fromstring(encode_request("AlterReplication", ALTER.to_body(), xml=True)[0])
    assert root.findtext("ReseedingSchedule/NoPkTablesToInclude") == "[dbo].[Log]"
    assert root.findtext("RebuildDbReplicaIndexesSchedule/WeekDays") == "Saturday"
    assert root.findtext("AddNewTablesToExcusionList") == "false"


def test_connection_strings_stay_out_of_the_repr() -> None:
    text = repr(
        AlterReplicationRequest(source_connection_string=SOURCE, destination_connection_string=REPLICA)
    )
    assert "src-pass" not in text
    assert "dst-pass" not in text


def test_the_simulator_keeps_what_create_and_alter_send(
    client: CloudBasicClient, cloudbasic_sim: CloudBasicSimulator
) -> None:
    replication_id = client.create_replication(
        CreateReplicationRequest(
            source=Endpoint(SOURCE),
            destination=Endpoint(REPLICA),
            stored_procedures_to_exclude=("usp_Purge",),
            reseeding_schedule=RESEEDING,
        )
    )
    settings = cloudbasic_sim.replications[replication_id].settings
    assert settings["storedprocedurestoexclude"] == "usp_Purge"
    assert settings["reseedingschedule"]["nopktablestoinclude"] == "[dbo].[Log]"
    client.alter_replication(replication_id, ALTER)
    assert settings["dynamictablesexclusionrules"] == "^tmp_, ^old_"
    assert str(settings["rebuilddbreplicaindexesschedule"]["weekdays"]) == "Saturday"
    client.alter_replication(
        replication_id, AlterReplicationRequest(reseeding_schedule=ReseedingSchedule.cleared())
    )
    assert settings["reseedingschedule"]["nopktablestoinclude"] in ("", None)
