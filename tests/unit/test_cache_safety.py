"""Caches: keyed by the exact source (bytes, name, format), bounded by bytes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recur.ui.cache import BoundedCache, estimate_bytes
from recur.ui.state import CohortSource


def test_source_key_separates_bytes_name_and_format():
    raw = b"patient_id,os_months,os_event\nA,5,1\n"
    keys = {CohortSource("a.csv", raw, False).key, CohortSource("b.csv", raw, False).key,
            CohortSource("a.xlsx", raw, False).key, CohortSource("a.csv", raw + b" ", False).key,
            CohortSource("a.csv", b"", False).key}
    assert len(keys) == 5
    assert CohortSource("a.csv", raw, False).key == CohortSource("a.csv", bytes(raw), True).key
    # length-prefixed: moving bytes between name and content cannot collide
    assert CohortSource("ab", b"c", False).key != CohortSource("a", b"bc", False).key


def test_estimate_counts_frames_arrays_and_shared_objects_once():
    frame = pd.DataFrame({"x": np.arange(100_000, dtype=np.float64)})
    assert 800_000 <= estimate_bytes(frame) <= 801_000  # 8 bytes a value, plus a small range index
    both = (frame, frame)
    assert estimate_bytes(both) - estimate_bytes(frame) < 200  # the tuple, not the frame twice
    assert estimate_bytes(np.zeros(1000)) == 8000


def test_bounded_cache_evicts_least_recently_used_by_bytes():
    cache = BoundedCache(max_bytes=2_500_000)
    calls = []

    def make(n):
        calls.append(n)
        return np.zeros(n // 8)  # n bytes

    cache.get_or_compute("a", lambda: make(1_000_000))
    cache.get_or_compute("b", lambda: make(1_000_000))
    cache.get_or_compute("a", lambda: make(1_000_000))  # hit: "a" is now the most recent
    cache.get_or_compute("c", lambda: make(1_000_000))  # 3 MB > 2.5 MB: "b" goes
    assert calls == [1_000_000] * 3 and len(cache) == 2 and cache.total_bytes == 2_000_000
    cache.get_or_compute("a", lambda: make(1_000_000))
    assert len(calls) == 3  # "a" kept
    cache.get_or_compute("b", lambda: make(1_000_000))
    assert len(calls) == 4  # "b" was evicted and computed again
    big = cache.get_or_compute("huge", lambda: make(3_000_000))
    assert big.nbytes == 3_000_000 and "huge" not in cache._entries  # larger than the bound: not kept
    assert cache.total_bytes <= cache.max_bytes
