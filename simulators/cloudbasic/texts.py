"""The text formats CloudBasic answers with: long en-US timestamps, log lines, masked connection strings.

Timestamps are UTC everywhere (assumption C23 in docs/simulators.md).
"""

from __future__ import annotations

import re
from datetime import datetime

LINE_BREAK = "\r\n"
MASK = "******"


def long_timestamp(moment: datetime) -> str:
    """``Monday, December 4, 2017 10:41:36 PM`` (.NET ``dddd, MMMM d, yyyy h:mm:ss tt``)."""
    hour = moment.hour % 12 or 12
    meridiem = "AM" if moment.hour < 12 else "PM"
    return f"{moment:%A}, {moment:%B} {moment.day}, {moment.year} {hour}:{moment:%M:%S} {meridiem}"


def log_line(moment: datetime, text: str) -> str:
    """``5/23/2018 6:03:14 AM>>text``."""
    hour = moment.hour % 12 or 12
    meridiem = "AM" if moment.hour < 12 else "PM"
    return f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment:%M:%S} {meridiem}>>{text}"


def log_text(lines: list[str]) -> str:
    return LINE_BREAK.join(lines)


_PASSWORD = re.compile(r"(?i)\b(password|pwd)\s*=\s*[^;]*")


def masked(connection_string: str, *, encrypt: bool) -> str:
    """The connection string as GetReplicationsList shows it: password masked, encryption options appended."""
    text = _PASSWORD.sub(lambda m: f"{m.group(1)}={MASK}", connection_string).rstrip(";")
    if encrypt:
        text += ";Encrypt=True;TrustServerCertificate=True"
    return text


def connection_parts(connection_string: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for item in connection_string.split(";"):
        key, sep, value = item.partition("=")
        if sep:
            parts[" ".join(key.lower().split())] = value.strip()
    return parts


def database_of(connection_string: str) -> str | None:
    parts = connection_parts(connection_string)
    return parts.get("initial catalog") or parts.get("database") or None


def server_of(connection_string: str) -> str | None:
    parts = connection_parts(connection_string)
    for key in ("data source", "server", "address", "addr", "network address"):
        if parts.get(key):
            return parts[key]
    return None
