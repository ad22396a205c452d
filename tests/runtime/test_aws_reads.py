"""The per-container cache of values read from AWS (secrets, registry entries)."""

from __future__ import annotations

from cbprovider.aws_reads import TimedCache


def test_a_cached_value_is_read_again_when_older_than_the_reader_accepts() -> None:
    cache: TimedCache[int] = TimedCache()
    reads: list[int] = []

    def read() -> int:
        reads.append(1)
        return len(reads)

    assert cache.get("k", 300, read) == 1
    assert cache.get("k", 300, read) == 1, "kept"
    assert cache.get("k", 0, read) == 2, "max_age 0 reads again"
    assert cache.get("k", 300, read) == 2, "and keeps the fresh value"
    cache.clear()
    assert cache.get("k", 300, read) == 3
