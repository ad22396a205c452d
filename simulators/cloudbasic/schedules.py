"""Schedules and exclusion lists of a replication job: checked, then kept as the job's settings.

Choices where the docs are silent (the field names come from the vendor's pages and samples, the rules
are the simulator's):
- times of day are the vendor samples' ``h:mm:ss AM`` (``12:20:00 AM``, ``11:59:59 PM``); anything else is
  a 400 naming the field;
- ``reseedingSchedule`` and ``RebuildDbReplicaIndexesSchedule`` are objects; their numbers must be
  positive, ``RebuildDbReplicaIndexesSchedule.recurrence`` is ``Weekly`` (the only value shown) and its
  ``weekDays`` a comma list of English day names;
- ``dynamicTablesExclusionRules`` is a comma list of regular expressions, each of which must compile;
- a reseeding schedule whose two table lists are empty reseeds nothing (how a schedule is switched off).
"""

from __future__ import annotations

import re
from typing import Any

from simulators.cloudbasic.errors import ApiFault
from simulators.cloudbasic.params import Params

TIME_OF_DAY = re.compile(r"^(1[0-2]|0?[1-9]):[0-5]\d:[0-5]\d (AM|PM)$")
WEEK_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
RESEEDING = "reseedingSchedule"
REBUILD = "RebuildDbReplicaIndexesSchedule"
SCHEDULE_MINUTES = (
    "repeatIntervalInMinutes",
    "processTimeoutInMinutes",
    "serializedProcessTimeoutInMinutes",
    "autoSerializedProcessTimeoutInMinutes",
)


def time_of_day(p: Params, path: str) -> None:
    value = p.text(path)
    if value is not None and value.strip() and not TIME_OF_DAY.match(value.strip()):
        raise ApiFault(f"{p.field_name(path)} must be a time of day such as 10:00:00 PM")


def positive(p: Params, path: str) -> None:
    value = p.number(path)
    if value is not None and value < 1:
        raise ApiFault(f"{p.field_name(path)} must be at least 1")


def _object(p: Params, path: str) -> dict[str, Any] | None:
    value = p.raw(path)
    if value is None or value == "":
        return None
    if not isinstance(value, dict):
        raise ApiFault(f"{p.field_name(path)} must be an object")
    return value


def reseeding_schedule(p: Params) -> dict[str, Any] | None:
    """The checked ``reseedingSchedule`` (keys lower-cased), or ``None`` when not given."""
    value = _object(p, RESEEDING)
    if value is None:
        return None
    for name in ("noPkTablesToInclude", "pkTablesToInclude"):
        p.text(f"{RESEEDING}.{name}")
    for name in ("fromTime", "toTime"):
        time_of_day(p, f"{RESEEDING}.{name}")
    for name in SCHEDULE_MINUTES:
        positive(p, f"{RESEEDING}.{name}")
    return dict(value)


def rebuild_schedule(p: Params) -> dict[str, Any] | None:
    """The checked ``RebuildDbReplicaIndexesSchedule`` (keys lower-cased), or ``None`` when not given."""
    value = _object(p, REBUILD)
    if value is None:
        return None
    enabled = p.flag(f"{REBUILD}.enabled")
    recurrence = p.text(f"{REBUILD}.recurrence")
    if recurrence is not None and recurrence.strip().lower() != "weekly":
        raise ApiFault(f"{p.field_name(REBUILD + '.recurrence')} must be Weekly")
    days = [day.strip().lower() for day in (p.text(f"{REBUILD}.weekDays") or "").split(",") if day.strip()]
    if any(day not in WEEK_DAYS for day in days):
        raise ApiFault(f"{p.field_name(REBUILD + '.weekDays')} must be a comma list of day names")
    if enabled and not days:
        raise ApiFault(f"{p.field_name(REBUILD + '.weekDays')} is required when the schedule is enabled")
    for name in ("fromTime", "toTime"):
        time_of_day(p, f"{REBUILD}.{name}")
    positive(p, f"{REBUILD}.parallelIndexesRebuildLimit")
    return dict(value)


def exclusion_rules(p: Params) -> None:
    path = "dynamicTablesExclusionRules"
    for rule in (p.text(path) or "").split(","):
        try:
            re.compile(rule.strip())
        except re.error:
            raise ApiFault(f"{p.field_name(path)} holds a rule that is not a regular expression") from None


def keep_schedules(p: Params, settings: dict[str, Any]) -> None:
    """Check both schedule objects and store the ones given in ``settings`` (lower-cased keys)."""
    for key, value in ((RESEEDING, reseeding_schedule(p)), (REBUILD, rebuild_schedule(p))):
        if value is not None:
            settings[key.lower()] = value
