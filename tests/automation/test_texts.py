"""Reading CloudBasic's long en-US timestamps and duration texts; the bounded pool on its own."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest
from cbprovider.automation.pool import run_bounded
from cbprovider.automation.texts import parse_duration_seconds, parse_long_timestamp
from cbprovider.deadline import Deadline


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wednesday, May 23, 2018 6:03:14 AM", datetime(2018, 5, 23, 6, 3, 14)),
        ("Monday, December 4, 2017 10:41:36 PM", datetime(2017, 12, 4, 22, 41, 36)),
        ("Wednesday, November 8, 2017 12:00:17 AM", datetime(2017, 11, 8, 0, 0, 17)),
        ("Sunday, July 1, 2018 12:30:00 PM", datetime(2018, 7, 1, 12, 30, 0)),
        ("May 23, 2018 18:03:14", datetime(2018, 5, 23, 18, 3, 14)),
    ],
)
def test_long_timestamps(text, expected):
    assert parse_long_timestamp(text) == expected


@pytest.mark.parametrize(
    "text", [None, "", "yesterday", "Monday, Smarch 4, 2017 10:41:36 PM", "May 32, 2018 1:00:00 AM"]
)
def test_unreadable_timestamps(text):
    assert parse_long_timestamp(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.2 secs", 0.2),
        ("1 min 5 secs", 65.0),
        ("Last 48 hour(s)", 172800.0),
        ("00:01:02", 62.0),
        ("1.00:00:01.5", 86401.5),
        ("250 ms", 0.25),
    ],
)
def test_durations(text, expected):
    assert parse_duration_seconds(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", [None, "", "N/A", "fast"])
def test_unreadable_durations(text):
    assert parse_duration_seconds(text) is None


def test_pool_keeps_order_and_bounds_concurrency():
    running = 0
    peak = 0
    lock = threading.Lock()

    def check(n: int) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.01)
        with lock:
            running -= 1
        if n == 3:
            raise ValueError("three")
        return n * 2

    outcomes = run_bounded(list(range(20)), check, concurrency=4, deadline=Deadline.after(10))

    assert [o.item for o in outcomes] == list(range(20))
    assert outcomes[3].error is not None
    assert [o.result for o in outcomes if o.error is None] == [n * 2 for n in range(20) if n != 3]
    assert 1 < peak <= 4


def test_pool_gives_up_on_items_past_the_deadline():
    release = threading.Event()

    def check(n: int) -> int:
        if n == 0:
            release.wait(5)
        return n

    started = time.monotonic()
    outcomes = run_bounded([0, 1, 2], check, concurrency=1, deadline=Deadline.after(0.2), grace=0.1)
    release.set()

    assert time.monotonic() - started < 2
    assert outcomes[0].timed_out
    assert all(o.skipped for o in outcomes[1:])
