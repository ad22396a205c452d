"""Reading CloudBasic's human-oriented texts: en-US long timestamps and durations such as ``0.2 secs``.

Parsing is locale-independent (no ``strptime`` with ``%A``/``%B``/``%p``, which follow the process locale).
"""

from __future__ import annotations

import re
from datetime import datetime

MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}

# .NET "dddd, MMMM d, yyyy h:mm:ss tt", e.g. "Wednesday, May 23, 2018 6:03:14 AM" (weekday optional).
_LONG = re.compile(
    r"^\s*(?:[A-Za-z]+,\s*)?(?P<month>[A-Za-z]+)\s+(?P<day>\d{1,2}),\s*(?P<year>\d{4})\s+"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>[AaPp][Mm])?\s*$"
)

_UNIT_SECONDS = {
    "ms": 0.001,
    "msec": 0.001,
    "msecs": 0.001,
    "millisecond": 0.001,
    "milliseconds": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "second(s)": 1.0,
    "min": 60.0,
    "mins": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "minute(s)": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hrs": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "hour(s)": 3600.0,
    "day": 86400.0,
    "days": 86400.0,
    "day(s)": 86400.0,
}
_AMOUNT = re.compile(r"(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[A-Za-z]+(?:\(s\))?)")
# .NET TimeSpan "[d.]hh:mm:ss[.fffffff]"
_TIMESPAN = re.compile(r"^\s*(?:(?P<days>\d+)\.)?(?P<h>\d{1,2}):(?P<m>\d{2}):(?P<s>\d{2}(?:\.\d+)?)\s*$")


def parse_long_timestamp(text: str | None) -> datetime | None:
    """The naive wall-clock time of ``Wednesday, May 23, 2018 6:03:14 AM`` (``None`` if unreadable).

    The text carries no zone; the caller decides what clock it is on (see ``monitor``).
    """
    if not text:
        return None
    match = _LONG.match(text)
    if match is None:
        return None
    month = MONTHS.get(match["month"].lower())
    if month is None:
        return None
    hour = int(match["hour"])
    meridiem = (match["ampm"] or "").upper()
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "PM" else 0)
    try:
        year, day, minute = int(match["year"]), int(match["day"]), int(match["minute"])
        return datetime(year, month, day, hour, minute, int(match["second"] or 0))
    except ValueError:
        return None


def parse_duration_seconds(text: str | None) -> float | None:
    """Seconds in ``0.2 secs``, ``1 min 5 secs``, ``Last 48 hour(s)`` or ``00:01:02``.

    ``None`` if the text holds no amount with a known unit.
    """
    if not text:
        return None
    span = _TIMESPAN.match(text)
    if span is not None:
        hours = int(span["days"] or 0) * 24 + int(span["h"])
        return hours * 3600.0 + int(span["m"]) * 60.0 + float(span["s"])
    total = 0.0
    found = False
    for match in _AMOUNT.finditer(text):
        factor = _UNIT_SECONDS.get(match["unit"].lower())
        if factor is None:
            continue
        total += float(match["number"]) * factor
        found = True
    return total if found else None
