"""Schedule, reseeding, index-rebuild, discovery and exclusion options of ``Custom::CloudBasicReplication``.

Every option here is a setting AlterReplication takes, so a change is made in place. A Create sends the
ones CreateReplication's samples show (``ReseedingSchedule``, ``IndexRebuildSchedule``,
``StoredProceduresToExclude``) with the create and the rest in one AlterReplication right after it.

Removing an option from the template sends the value that switches it off where one is documented or
evident (the documented ``false`` of the two drop switches, an empty list, continuous runs, a reseeding
schedule without tables, a disabled rebuild schedule); where the appliance's default is not documented
(the discovery switches, the change-tracking limits) the job keeps its current value and the Update's
reason says so.

Times of day are taken as ``10:00:00 PM`` (the vendor's form) or ``22:00`` / ``22:00:00`` and sent in the
vendor's form.
"""

from __future__ import annotations

import re
from datetime import time
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec
from msgspec import Meta

from cbprovider.resources.cloudbasic.connection import CloudBasicConnection
from cbprovider.runtime.properties import Check, PropertiesModel

if TYPE_CHECKING:
    from cbprovider.cloudbasic import IndexRebuildSchedule as IndexRebuildBody
    from cbprovider.cloudbasic import ReseedingSchedule as ReseedingBody

TABLE_NAME = re.compile(r"^\[(?:[^\]]|\]\])+\]\.\[(?:[^\]]|\]\])+\]$")
_TWELVE_HOUR = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})\s*([AaPp][Mm])$")
_TWENTY_FOUR_HOUR = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
WeekDay = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MAX_ITEMS = 1000
MAX_ITEM_LENGTH = 512


def time_of_day(value: str) -> str:
    """``value`` in the vendor's ``h:mm:ss AM`` form; ``ValueError`` when it is no time of day."""
    text = value.strip()
    twelve, twenty_four = _TWELVE_HOUR.match(text), _TWENTY_FOUR_HOUR.match(text)
    try:
        if twelve is not None:
            hour, minute, second = (int(twelve.group(i)) for i in (1, 2, 3))
            if not 1 <= hour <= 12:
                raise ValueError
            hour = hour % 12 + (12 if twelve.group(4).upper() == "PM" else 0)
            parsed = time(hour, minute, second)
        elif twenty_four is not None:
            parsed = time(
                int(twenty_four.group(1)), int(twenty_four.group(2)), int(twenty_four.group(3) or 0)
            )
        else:
            raise ValueError
    except ValueError:
        raise ValueError("must be a time of day such as 10:00:00 PM or 22:00") from None
    hour12 = parsed.hour % 12 or 12
    return f"{hour12}:{parsed.minute:02d}:{parsed.second:02d} {'PM' if parsed.hour >= 12 else 'AM'}"


def _table_names(value: list[str]) -> list[str]:
    names = [name.strip() for name in value]
    for name in names:
        if not TABLE_NAME.match(name):
            raise ValueError("each entry must be a [schema].[table] name")
    return names


def _plain_names(value: list[str]) -> list[str]:
    names = [name.strip() for name in value]
    for name in names:
        if not name or "," in name or len(name) > MAX_ITEM_LENGTH:
            raise ValueError(f"each entry must be a name without commas, 1 to {MAX_ITEM_LENGTH} characters")
    return names


def _exclusion_rules(value: list[str]) -> list[str]:
    rules = [rule.strip() for rule in value]
    for number, rule in enumerate(rules, start=1):
        if not rule or "," in rule or len(rule) > MAX_ITEM_LENGTH:
            raise ValueError(
                f"each rule must be a regular expression without commas, 1 to {MAX_ITEM_LENGTH} characters "
                "(the appliance takes the rules as one comma list)"
            )
        try:
            re.compile(rule)
        except re.error as error:
            raise ValueError(f"rule {number} is not a regular expression ({error.msg})") from None
    return rules


def _each_day_once(value: list[str]) -> list[str]:
    if len(set(value)) != len(value):
        raise ValueError("name each day once")
    return value


TimeOfDay = Annotated[str, Check(time_of_day)]
Minutes = Annotated[int, Meta(ge=1, le=10080)]
TableNames = Annotated[list[str], Meta(max_length=MAX_ITEMS), Check(_table_names)]
PlainNames = Annotated[list[str], Meta(max_length=MAX_ITEMS), Check(_plain_names)]
ExclusionRules = Annotated[list[str], Meta(max_length=MAX_ITEMS), Check(_exclusion_rules)]


class Schedule(PropertiesModel):
    """Scheduled instead of continuous change-tracking runs (``isContinuous: false``)."""

    repeat_interval_in_minutes: Minutes
    from_time: TimeOfDay | None = None
    to_time: TimeOfDay | None = None


class ChangeTrackingProcess(PropertiesModel):
    """Batch limit and timeouts of the change-tracking process."""

    batch_limit: Annotated[int, Meta(ge=1)] | None = None
    timeout_in_minutes: Minutes | None = None
    serialized_timeout_in_minutes: Minutes | None = None
    auto_serialized_timeout_in_minutes: Minutes | None = None


class ReseedingSchedule(PropertiesModel):
    """Tables reseeded periodically inside a daily window (tables without a primary key above all)."""

    no_pk_tables_to_include: TableNames | None = msgspec.field(default=None, name="NoPkTablesToInclude")
    pk_tables_to_include: TableNames | None = msgspec.field(default=None, name="PkTablesToInclude")
    from_time: TimeOfDay | None = None
    to_time: TimeOfDay | None = None
    repeat_interval_in_minutes: Minutes | None = None
    process_timeout_in_minutes: Minutes | None = None
    serialized_process_timeout_in_minutes: Minutes | None = None
    auto_serialized_process_timeout_in_minutes: Minutes | None = None

    def validate(self) -> None:
        if not (self.no_pk_tables_to_include or self.pk_tables_to_include):
            raise ValueError("name at least one table in NoPkTablesToInclude or PkTablesToInclude")

    def to_request(self) -> ReseedingBody:
        from cbprovider.cloudbasic import ReseedingSchedule as Body

        return Body(
            no_pk_tables_to_include=tuple(self.no_pk_tables_to_include or ()),
            pk_tables_to_include=tuple(self.pk_tables_to_include or ()),
            from_time=self.from_time,
            to_time=self.to_time,
            repeat_interval_in_minutes=self.repeat_interval_in_minutes,
            process_timeout_in_minutes=self.process_timeout_in_minutes,
            serialized_process_timeout_in_minutes=self.serialized_process_timeout_in_minutes,
            auto_serialized_process_timeout_in_minutes=self.auto_serialized_process_timeout_in_minutes,
        )


class IndexRebuildSchedule(PropertiesModel):
    """A recurring rebuild of the replica's indexes (``RebuildDbReplicaIndexesSchedule``)."""

    enabled: bool = True
    recurrence: Literal["Weekly"] = "Weekly"
    week_days: Annotated[list[WeekDay], Meta(min_length=1, max_length=7), Check(_each_day_once)]
    from_time: TimeOfDay
    to_time: TimeOfDay
    parallel_indexes_rebuild_limit: Annotated[int, Meta(ge=1, le=1000)] | None = None

    def to_request(self) -> IndexRebuildBody:
        from cbprovider.cloudbasic import IndexRebuildSchedule as Body

        return Body(
            enabled=self.enabled,
            recurrence=self.recurrence,
            week_days=tuple(self.week_days),
            from_time=self.from_time,
            to_time=self.to_time,
            parallel_indexes_rebuild_limit=self.parallel_indexes_rebuild_limit,
        )


class ReplicationOptions(CloudBasicConnection):
    """The option properties (the base of the replication's properties model)."""

    dynamic_tables_discovery: bool | None = None
    dynamic_views_discovery: bool | None = None
    add_new_tables_to_exclusion_list: bool | None = None
    dynamic_tables_exclusion_rules: ExclusionRules | None = None
    drop_tables_found_on_replica_only: bool | None = None
    drop_logins_users_roles_found_on_replica_only: bool | None = None
    parallel_detection_limit: Annotated[int, Meta(ge=1)] | None = None
    stored_procedures_to_exclude: PlainNames | None = None
    indexes_to_exclude: PlainNames | None = None
    tables_to_exclude_disable_ct: bool | None = msgspec.field(default=None, name="TablesToExcludeDisableCt")
    tables_to_exclude_disable_cdc: bool | None = msgspec.field(default=None, name="TablesToExcludeDisableCdc")
    schedule: Schedule | None = None
    change_tracking_process: ChangeTrackingProcess | None = None
    reseeding_schedule: ReseedingSchedule | None = None
    index_rebuild_schedule: IndexRebuildSchedule | None = None


class Option(msgspec.Struct, frozen=True):
    """How one AlterReplication field follows the properties."""

    prop: str
    """The property that sets it (PascalCase, dotted when nested), named in reasons."""
    off: Any = None
    """What to send when the property is removed; ``None``: the job keeps its value."""


def _cleared_reseeding() -> dict[str, Any]:
    from cbprovider.cloudbasic import ReseedingSchedule as Body

    return Body.cleared().to_body()


def _disabled_rebuild() -> dict[str, Any]:
    from cbprovider.cloudbasic import IndexRebuildSchedule as Body

    return Body.disabled().to_body()


OPTIONS: dict[str, Option] = {
    "replicationName": Option("ReplicationName"),
    "replicateTablesOnly": Option("ReplicateTablesOnly", "false"),
    "replicateLoginsUsersRoles": Option("ReplicateLoginsUsersAndRoles"),
    "parallelReplicationLimit": Option("ParallelTablesLimit"),
    "stagingBufferType": Option("StagingBufferType"),
    "tablesToExclude": Option("TablesToExclude", ""),
    "dynamicTablesDiscovery": Option("DynamicTablesDiscovery"),
    "dynamicViewsDiscovery": Option("DynamicViewsDiscovery"),
    "addNewTablesToExcusionList": Option("AddNewTablesToExclusionList"),
    "dynamicTablesExclusionRules": Option("DynamicTablesExclusionRules", ""),
    "dropTablesFoundOnReplicaOnly": Option("DropTablesFoundOnReplicaOnly", "false"),
    "dropLoginsUsersRolesFoundOnReplicaOnly": Option("DropLoginsUsersRolesFoundOnReplicaOnly", "false"),
    "parallelDetectionLimit": Option("ParallelDetectionLimit"),
    "storedProceduresToExclude": Option("StoredProceduresToExclude", ""),
    "indexesToExclude": Option("IndexesToExclude", ""),
    "tablesToExcludeDisableCt": Option("TablesToExcludeDisableCt"),
    "tablesToExcludeDisableCdc": Option("TablesToExcludeDisableCdc"),
    "isContinuous": Option("Schedule", "true"),
    "repeatIntervalInMinutes": Option("Schedule.RepeatIntervalInMinutes"),
    "scheduleIntervalTimeFrom": Option("Schedule.FromTime"),
    "scheduleIntervalTimeTo": Option("Schedule.ToTime"),
    "changeTrackingBatchLimit": Option("ChangeTrackingProcess.BatchLimit"),
    "ctProcessTimeoutInMinutes": Option("ChangeTrackingProcess.TimeoutInMinutes"),
    "serializedCtProcessTimeoutInMinutes": Option("ChangeTrackingProcess.SerializedTimeoutInMinutes"),
    "autoSerializedCtProcessTimeoutInMinutes": Option("ChangeTrackingProcess.AutoSerializedTimeoutInMinutes"),
    "reseedingSchedule": Option("ReseedingSchedule", _cleared_reseeding),
    "RebuildDbReplicaIndexesSchedule": Option("IndexRebuildSchedule", _disabled_rebuild),
    "dataReplication": Option("DataReplication"),
    "schemaReplication": Option("SchemaReplication"),
}
"""Every AlterReplication field the properties can set (the API's names), except the connection strings."""


def removal_value(key: str) -> Any:
    """What AlterReplication gets when the property behind ``key`` is removed (``None``: nothing)."""
    off = OPTIONS[key].off
    return off() if callable(off) else off


AFTER_CREATE = (
    "dynamicTablesDiscovery",
    "dynamicViewsDiscovery",
    "addNewTablesToExcusionList",
    "dynamicTablesExclusionRules",
    "dropTablesFoundOnReplicaOnly",
    "dropLoginsUsersRolesFoundOnReplicaOnly",
    "parallelDetectionLimit",
    "indexesToExclude",
    "tablesToExcludeDisableCt",
    "tablesToExcludeDisableCdc",
    "isContinuous",
    "repeatIntervalInMinutes",
    "scheduleIntervalTimeFrom",
    "scheduleIntervalTimeTo",
    "changeTrackingBatchLimit",
    "ctProcessTimeoutInMinutes",
    "serializedCtProcessTimeoutInMinutes",
    "autoSerializedCtProcessTimeoutInMinutes",
)
"""Fields only AlterReplication documents: a Create sends them in one AlterReplication after the create."""
