"""The one thread that fires the HTTP attempts' deadlines (``cbprovider.watchdog``)."""

from __future__ import annotations

import threading
import time

from cbprovider import watchdog


def test_an_alarm_fires_at_its_time_and_a_cancelled_one_never_does():
    fired: list[str] = []
    done = threading.Event()

    def late() -> None:
        fired.append("late")
        done.set()

    watchdog.arm(0.3, late)
    early = watchdog.arm(0.1, lambda: fired.append("early"))
    cancelled = watchdog.arm(0.05, lambda: fired.append("cancelled"))
    cancelled.cancel()
    started = time.monotonic()
    assert done.wait(5)
    assert time.monotonic() - started >= 0.25
    assert fired == ["early", "late"]
    early.cancel()  # already fired: nothing happens


def test_an_earlier_alarm_armed_while_the_thread_waits_for_a_later_one_is_not_delayed():
    done = threading.Event()
    later = watchdog.arm(30, lambda: None)
    time.sleep(0.05)  # the thread now waits for the 30 s alarm
    started = time.monotonic()
    watchdog.arm(0.05, done.set)
    try:
        assert done.wait(5)
        assert time.monotonic() - started < 2
    finally:
        later.cancel()


def test_cancelled_alarms_do_not_pile_up():
    """Attempts end long before their deadlines: their cancelled alarms are dropped, not kept until due."""
    for _ in range(5000):
        watchdog.arm(600, lambda: None).cancel()
    assert len(watchdog._watchdog._pending) < 100  # the heap is the point
