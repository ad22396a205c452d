"""The per-container cache of values read from AWS (secrets, registry entries)."""

from __future__ import annotations

import time

from cbprovider.aws_reads import TimedCache


def test_a_kept_value_is_fresh_until_older_than_the_reader_accepts() -> None:
    cache: TimedCache[int] = TimedCache()
    assert cache.fresh("k", 300) is None, "nothing kept yet"
    cache.keep("k", 1, time.monotonic())
    assert cache.fresh("k", 300) == 1, "kept"
    assert cache.fresh("k", 0) is None, "max_age 0 reads again"
    cache.keep("k", 2, time.monotonic())
    assert cache.fresh("k", 300) == 2, "and keeps the fresh value"
    cache.keep("k", 3, time.monotonic() - 301)
    assert cache.fresh("k", 300) is None, "a value read before max_age is stale"
    cache.clear()
    assert cache.fresh("k", 300) is None
