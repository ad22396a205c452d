"""The CloudBasic simulator keeps and checks a job's schedules, discovery and exclusion settings."""

from __future__ import annotations

from typing import Any

import pytest

from simulators.cloudbasic import CloudBasicSimulator
from tests.simulators.test_cloudbasic_simulator import NEW_REPLICATION, Client, errors_of

RESEEDING = {
    "noPkTablesToInclude": "[dbo].[AuditTrail]",
    "pkTablesToInclude": None,
    "fromTime": "1:00:00 AM",
    "toTime": "3:59:59 AM",
    "repeatIntervalInMinutes": "120",
    "processTimeoutInMinutes": "30",
}
REBUILD = {
    "enabled": True,
    "recurrence": "Weekly",
    "weekDays": "Saturday,Sunday",
    "fromTime": "2:00:00 AM",
    "toTime": "2:30:00 AM",
    "parallelIndexesRebuildLimit": 4,
}


@pytest.fixture
def client(cloudbasic_sim: CloudBasicSimulator) -> Client:
    return Client(cloudbasic_sim)


def test_create_keeps_both_schedules(client: Client) -> None:
    body = {**NEW_REPLICATION, "reseedingSchedule": RESEEDING, "RebuildDbReplicaIndexesSchedule": REBUILD}
    settings = client.sim.replications[client.create(body)].settings
    assert settings["reseedingschedule"]["nopktablestoinclude"] == "[dbo].[AuditTrail]"
    assert settings["reseedingschedule"]["repeatintervalinminutes"] == "120"
    assert settings["rebuilddbreplicaindexesschedule"]["weekdays"] == "Saturday,Sunday"


def test_alter_keeps_discovery_exclusion_and_schedule_settings(client: Client) -> None:
    replication_id = client.create()
    client.ok(
        "AlterReplication",
        {
            "replicationId": replication_id,
            "dynamicTablesDiscovery": "true",
            "dynamicViewsDiscovery": "false",
            "addNewTablesToExcusionList": "true",
            "dynamicTablesExclusionRules": "^\\[dbo\\].\\[tmp_.*\\]$, ^\\[stage\\]\\..*$",
            "dropTablesFoundOnReplicaOnly": "true",
            "isContinuous": "false",
            "repeatIntervalInMinutes": "15",
            "scheduleIntervalTimeFrom": "6:00:00 AM",
            "scheduleIntervalTimeTo": "11:59:59 PM",
            "changeTrackingBatchLimit": "50000",
            "indexesToExclude": "IX_Big,IX_Huge",
            "tablesToExcludeDisableCt": "true",
            "reseedingSchedule": RESEEDING,
            "RebuildDbReplicaIndexesSchedule": REBUILD,
        },
    )
    settings = client.sim.replications[replication_id].settings
    assert settings["dynamictablesdiscovery"] == "true"
    assert settings["addnewtablestoexcusionlist"] == "true"
    assert settings["dynamictablesexclusionrules"].startswith("^\\[dbo\\]")
    assert (settings["iscontinuous"], settings["repeatintervalinminutes"]) == ("false", "15")
    assert settings["scheduleintervaltimeto"] == "11:59:59 PM"
    assert settings["indexestoexclude"] == "IX_Big,IX_Huge"
    assert settings["reseedingschedule"]["fromtime"] == "1:00:00 AM"
    assert settings["rebuilddbreplicaindexesschedule"]["enabled"] is True


def test_schedules_in_xml_are_kept(client: Client) -> None:
    replication_id = client.create()
    body = (
        f"<AlterReplicationRequest><ReplicationId>{replication_id}</ReplicationId>"
        "<RebuildDbReplicaIndexesSchedule><Enabled>false</Enabled></RebuildDbReplicaIndexesSchedule>"
        "</AlterReplicationRequest>"
    )
    response = client.send("AlterReplication", body, xml=True)
    assert response.status_code == 200, response.text
    assert client.sim.replications[replication_id].settings["rebuilddbreplicaindexesschedule"] == {
        "enabled": "false"
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"scheduleIntervalTimeFrom": "25:00"}, "scheduleIntervalTimeFrom must be a time of day"),
        ({"repeatIntervalInMinutes": "0"}, "repeatIntervalInMinutes must be at least 1"),
        ({"changeTrackingBatchLimit": "many"}, "changeTrackingBatchLimit must be an integer"),
        ({"dynamicTablesDiscovery": "yes"}, "dynamicTablesDiscovery must be true or false"),
        ({"dynamicTablesExclusionRules": "^[dbo"}, "dynamicTablesExclusionRules holds a rule that is not"),
        ({"reseedingSchedule": "nightly"}, "reseedingSchedule must be an object"),
        ({"reseedingSchedule": {**RESEEDING, "toTime": "4 AM"}}, "reseedingSchedule.toTime must be a time"),
        (
            {"RebuildDbReplicaIndexesSchedule": {**REBUILD, "recurrence": "Daily"}},
            "RebuildDbReplicaIndexesSchedule.recurrence must be Weekly",
        ),
        (
            {"RebuildDbReplicaIndexesSchedule": {**REBUILD, "weekDays": "Funday"}},
            "RebuildDbReplicaIndexesSchedule.weekDays must be a comma list of day names",
        ),
        (
            {"RebuildDbReplicaIndexesSchedule": {**REBUILD, "weekDays": ""}},
            "RebuildDbReplicaIndexesSchedule.weekDays is required when the schedule is enabled",
        ),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(
    client: Client, fields: dict[str, Any], message: str
) -> None:
    replication_id = client.create()
    response = client.send(
        "AlterReplication", {"replicationId": replication_id, "replicationName": "renamed", **fields}
    )
    assert response.status_code == 400
    assert errors_of(response)[0][0].startswith(message)
    job = client.sim.replications[replication_id]
    assert job.name == "sales-dr"
    assert "reseedingschedule" not in job.settings
