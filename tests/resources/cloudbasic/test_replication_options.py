"""Schedule, reseeding, index-rebuild, discovery and exclusion options of Custom::CloudBasicReplication,
through the real CloudBasic provider handler, the simulator over HTTP and moto."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from cbprovider.runtime import is_placeholder

from tests.resources.cloudbasic.test_replication import TYPE, action_calls, assert_no_secret_sent, props
from tests.resources.conftest import CloudBasicEnv

OPTIONS: dict[str, Any] = {
    "DynamicTablesDiscovery": "true",
    "DynamicViewsDiscovery": "false",
    "AddNewTablesToExclusionList": "true",
    "DynamicTablesExclusionRules": ["^\\[dbo\\]\\.\\[tmp_.*\\]$", "^\\[stage\\]\\..*$"],
    "DropTablesFoundOnReplicaOnly": "true",
    "DropLoginsUsersRolesFoundOnReplicaOnly": "false",
    "ParallelDetectionLimit": "6",
    "StoredProceduresToExclude": ["usp_Purge", "usp_Archive"],
    "IndexesToExclude": ["IX_Audit_Big"],
    "TablesToExcludeDisableCt": "true",
    "Schedule": {"RepeatIntervalInMinutes": "15", "FromTime": "06:00", "ToTime": "11:59:59 PM"},
    "ChangeTrackingProcess": {"BatchLimit": "50000", "TimeoutInMinutes": "60"},
    "ReseedingSchedule": {
        "NoPkTablesToInclude": ["[dbo].[AuditTrail]"],
        "FromTime": "22:00",
        "ToTime": "23:59:59",
        "RepeatIntervalInMinutes": "1440",
    },
    "IndexRebuildSchedule": {
        "WeekDays": ["Saturday", "Sunday"],
        "FromTime": "2:00:00 AM",
        "ToTime": "02:30",
        "ParallelIndexesRebuildLimit": "4",
    },
}


def test_create_sends_every_option_and_the_appliance_keeps_them(cb: CloudBasicEnv) -> None:
    created = cb.stack.send("Create", TYPE, "Replica", props(cb, **OPTIONS))
    assert created.status == "SUCCESS", created.reason
    settings = cb.sim.replications[created.physical_id].settings
    assert settings["reseedingschedule"] == {
        "nopktablestoinclude": "[dbo].[AuditTrail]",
        "pktablestoinclude": "",
        "fromtime": "10:00:00 PM",
        "totime": "11:59:59 PM",
        "repeatintervalinminutes": 1440,
    }
    assert settings["rebuilddbreplicaindexesschedule"] == {
        "enabled": True,
        "recurrence": "Weekly",
        "weekdays": "Saturday,Sunday",
        "fromtime": "2:00:00 AM",
        "totime": "2:30:00 AM",
        "parallelindexesrebuildlimit": 4,
    }
    assert settings["storedprocedurestoexclude"] == "usp_Purge,usp_Archive"
    assert settings["dynamictablesdiscovery"] == "true"
    assert settings["dynamicviewsdiscovery"] == "false"
    assert settings["addnewtablestoexcusionlist"] == "true"
    assert settings["dynamictablesexclusionrules"] == "^\\[dbo\\]\\.\\[tmp_.*\\]$, ^\\[stage\\]\\..*$"
    assert settings["droptablesfoundonreplicaonly"] == "true"
    assert settings["droploginsusersrolesfoundonreplicaonly"] == "false"
    assert settings["paralleldetectionlimit"] == 6
    assert settings["indexestoexclude"] == "IX_Audit_Big"
    assert settings["tablestoexcludedisablect"] == "true"
    assert settings["iscontinuous"] == "false"
    assert settings["repeatintervalinminutes"] == 15
    assert settings["scheduleintervaltimefrom"] == "6:00:00 AM"
    assert settings["scheduleintervaltimeto"] == "11:59:59 PM"
    assert (settings["changetrackingbatchlimit"], settings["ctprocesstimeoutinminutes"]) == (50000, 60)
    assert action_calls(cb, "CreateReplication") == 1
    assert action_calls(cb, "AlterReplication") == 1, "the Alter-only options follow in one call"
    assert_no_secret_sent(cb)


def test_create_without_options_sends_no_alteration(cb: CloudBasicEnv) -> None:
    created = cb.stack.send("Create", TYPE, "Replica", props(cb))
    assert created.status == "SUCCESS", created.reason
    assert action_calls(cb, "AlterReplication") == 0
    assert "reseedingschedule" not in cb.sim.replications[created.physical_id].settings


def test_changed_options_are_altered_in_place(cb: CloudBasicEnv) -> None:
    old = props(cb, **OPTIONS)
    created = cb.stack.send("Create", TYPE, "Replica", old)
    new = copy.deepcopy(old)
    new["DynamicTablesDiscovery"] = "false"
    new["DynamicTablesExclusionRules"] = ["^\\[dbo\\]\\.\\[old_.*\\]$"]
    new["ReseedingSchedule"]["PkTablesToInclude"] = ["[dbo].[Orders]"]
    new["IndexRebuildSchedule"]["Enabled"] = "false"
    new["Schedule"]["RepeatIntervalInMinutes"] = "30"
    updated = cb.stack.send(
        "Update", TYPE, "Replica", new, physical_id=created.physical_id, old_properties=old
    )
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id == created.physical_id
    assert updated.reason in (None, "")
    settings = cb.sim.replications[created.physical_id].settings
    assert settings["dynamictablesdiscovery"] == "false"
    assert settings["dynamictablesexclusionrules"] == "^\\[dbo\\]\\.\\[old_.*\\]$"
    assert settings["reseedingschedule"]["pktablestoinclude"] == "[dbo].[Orders]"
    assert settings["rebuilddbreplicaindexesschedule"]["enabled"] is False
    assert settings["repeatintervalinminutes"] == 30
    assert action_calls(cb, "CreateReplication") == 1
    assert len(cb.sim.replications) == 1


def test_removed_options_are_switched_off_or_reported_as_kept(cb: CloudBasicEnv) -> None:
    old = props(cb, **OPTIONS)
    created = cb.stack.send("Create", TYPE, "Replica", old)
    new = {key: value for key, value in old.items() if key not in OPTIONS}
    updated = cb.stack.send(
        "Update", TYPE, "Replica", new, physical_id=created.physical_id, old_properties=old
    )
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id == created.physical_id
    settings = cb.sim.replications[created.physical_id].settings
    assert settings["reseedingschedule"] == {"nopktablestoinclude": "", "pktablestoinclude": ""}
    assert settings["rebuilddbreplicaindexesschedule"] == {"enabled": False}
    assert settings["iscontinuous"] == "true"
    assert settings["droptablesfoundonreplicaonly"] == "false"
    assert settings["dynamictablesexclusionrules"] == ""
    assert settings["storedprocedurestoexclude"] == ""
    assert settings["indexestoexclude"] == ""
    assert settings["dynamictablesdiscovery"] == "true", "no documented default: kept"
    assert updated.reason.startswith(
        "AddNewTablesToExclusionList, ChangeTrackingProcess.BatchLimit, "
        "ChangeTrackingProcess.TimeoutInMinutes, DynamicTablesDiscovery, DynamicViewsDiscovery, "
        "ParallelDetectionLimit, TablesToExcludeDisableCt removed:"
    )
    assert "keeps its current setting" in updated.reason


def test_a_replacing_update_creates_the_new_job_with_the_options(cb: CloudBasicEnv) -> None:
    old = props(cb)
    created = cb.stack.send("Create", TYPE, "Replica", old)
    new = copy.deepcopy(old)
    new["Destination"]["Database"] = "SalesCopy"
    new.update(copy.deepcopy(OPTIONS))
    updated = cb.stack.send(
        "Update", TYPE, "Replica", new, physical_id=created.physical_id, old_properties=old
    )
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id != created.physical_id
    assert "reseedingschedule" not in cb.sim.replications[created.physical_id].settings
    settings = cb.sim.replications[updated.physical_id].settings
    assert settings["reseedingschedule"]["nopktablestoinclude"] == "[dbo].[AuditTrail]"
    assert settings["dynamictablesdiscovery"] == "true"


BAD_VALUES = [
    ({"ReseedingSchedule": {"FromTime": "22:00"}}, "ReseedingSchedule: value error, name at least one table"),
    (
        {"ReseedingSchedule": {"NoPkTablesToInclude": ["dbo.AuditTrail"]}},
        "ReseedingSchedule.NoPkTablesToInclude: value error, each entry must be a [schema].[table] name",
    ),
    (
        {"ReseedingSchedule": {"PkTablesToInclude": ["[dbo].[A]"], "FromTime": "25:00"}},
        "ReseedingSchedule.FromTime: value error, must be a time of day such as 10:00:00 PM or 22:00",
    ),
    (
        {"ReseedingSchedule": {"PkTablesToInclude": ["[dbo].[A]"], "RepeatIntervalInMinutes": "0"}},
        "ReseedingSchedule.RepeatIntervalInMinutes: input should be greater than or equal to 1",
    ),
    (
        {"IndexRebuildSchedule": {**OPTIONS["IndexRebuildSchedule"], "WeekDays": ["Funday"]}},
        "IndexRebuildSchedule.WeekDays[0]: input should be 'Monday'",
    ),
    (
        {"IndexRebuildSchedule": {**OPTIONS["IndexRebuildSchedule"], "WeekDays": ["Monday", "Monday"]}},
        "IndexRebuildSchedule.WeekDays: value error, name each day once",
    ),
    (
        {"IndexRebuildSchedule": {**OPTIONS["IndexRebuildSchedule"], "Recurrence": "Daily"}},
        "IndexRebuildSchedule.Recurrence: input should be 'Weekly'",
    ),
    ({"IndexRebuildSchedule": {"WeekDays": ["Monday"]}}, "IndexRebuildSchedule.FromTime: field required"),
    (
        {"DynamicTablesExclusionRules": ["^tmp_", "^\\[dbo\\].[tmp"]},
        "DynamicTablesExclusionRules: value error, rule 2 is not a regular expression (unterminated",
    ),
    (
        {"DynamicTablesExclusionRules": ["^tmp_\\d{1,3}$"]},
        "DynamicTablesExclusionRules: value error, each rule must be a regular expression without commas",
    ),
    (
        {"StoredProceduresToExclude": ["usp_A,usp_B"]},
        "StoredProceduresToExclude: value error, each entry must be a name without commas",
    ),
    ({"DynamicTablesDiscovery": "maybe"}, "DynamicTablesDiscovery: input should be a valid boolean"),
    ({"ParallelDetectionLimit": "0"}, "ParallelDetectionLimit: input should be greater than or equal to 1"),
    ({"Schedule": {"FromTime": "06:00"}}, "Schedule.RepeatIntervalInMinutes: field required"),
    (
        {"ChangeTrackingProcess": {"BatchLimit": "-5"}},
        "ChangeTrackingProcess.BatchLimit: input should be greater than or equal to 1",
    ),
    ({"ChangeTrackingProcess": {"Batch": "5"}}, "ChangeTrackingProcess.Batch: unknown property"),
]


@pytest.mark.parametrize(("change", "named"), BAD_VALUES)
def test_bad_option_values_are_refused_before_any_call(
    cb: CloudBasicEnv, change: dict[str, Any], named: str
) -> None:
    created = cb.stack.send("Create", TYPE, "Replica", {**props(cb), **change})
    assert created.status == "FAILED"
    assert is_placeholder(created.physical_id)
    assert named in created.reason
    assert cb.sim.calls == []


@pytest.mark.parametrize(("change", "named"), BAD_VALUES[:3])
def test_a_bad_option_in_an_update_fails_before_any_call(
    cb: CloudBasicEnv, change: dict[str, Any], named: str
) -> None:
    old = props(cb)
    created = cb.stack.send("Create", TYPE, "Replica", old)
    calls = len(cb.sim.calls)
    updated = cb.stack.send(
        "Update", TYPE, "Replica", {**old, **change}, physical_id=created.physical_id, old_properties=old
    )
    assert updated.status == "FAILED"
    assert updated.physical_id == created.physical_id
    assert named in updated.reason
    assert len(cb.sim.calls) == calls


def _resolved(value: Any) -> Any:
    """The template's values with every intrinsic function stood in for by a string, scalars as strings."""
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)).startswith(("!", "Fn::", "Ref")):
            return "stand-in"
        return {key: _resolved(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolved(item) for item in value]
    return str(value).lower() if isinstance(value, bool) else str(value)


def test_the_example_stacks_replication_options_parse() -> None:
    import yaml
    from cbprovider.resources.cloudbasic.replication import ReplicationProperties
    from cbprovider.runtime.properties import parse_properties

    from tests.resources.capella.test_samples import ROOT, _CfnLoader

    template = yaml.load((ROOT / "examples" / "cloudbasic-replication.yaml").read_text(), Loader=_CfnLoader)  # noqa: S506
    parsed = parse_properties(
        ReplicationProperties, _resolved(template["Resources"]["SalesReplica"]["Properties"])
    )
    assert parsed.reseeding_schedule is not None
    assert parsed.reseeding_schedule.from_time == "1:00:00 AM"
    assert parsed.dynamic_tables_exclusion_rules == ["^\\[dbo\\]\\.\\[tmp_.*\\]$"]


def test_every_alter_field_the_properties_set_has_a_removal_rule() -> None:
    from cbprovider.resources.cloudbasic.replication import ReplicationProperties, _alteration_request
    from cbprovider.resources.cloudbasic.replication_options import OPTIONS as ALTER_FIELDS
    from cbprovider.runtime.properties import parse_properties

    given = {
        "Source": {"SecretArn": "a"},
        "Destination": {"SecretArn": "b"},
        "ReplicationName": "n",
        "ReplicateTablesOnly": "true",
        "ReplicateLoginsUsersAndRoles": "true",
        "ParallelTablesLimit": "2",
        "StagingBufferType": "TempDb",
        "TablesToExclude": ["[dbo].[A]"],
        "ChangeTrackingProcess": {
            "BatchLimit": "1",
            "TimeoutInMinutes": "1",
            "SerializedTimeoutInMinutes": "1",
            "AutoSerializedTimeoutInMinutes": "1",
        },
        **{k: v for k, v in OPTIONS.items() if k != "ChangeTrackingProcess"},
        "TablesToExcludeDisableCdc": "true",
    }
    body = _alteration_request(parse_properties(ReplicationProperties, given)).to_body()
    assert set(body) == set(ALTER_FIELDS)
