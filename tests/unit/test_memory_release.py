"""Freed memory goes back to the system after a large load only: a small
load would pay for the pages faulting back in and gain little."""

from types import SimpleNamespace

from recur import memory


def test_only_a_large_load_trims_the_heap(monkeypatch):
    trims = []
    monkeypatch.setattr(memory, "_LIBC", SimpleNamespace(malloc_trim=lambda pad: trims.append(pad)))
    memory.release_freed_memory(2 * 2**20)  # a 10,000-row file: kept
    assert trims == []
    memory.release_freed_memory(memory.LARGE_BYTES)  # 16 MB and over: given back
    memory.release_freed_memory(179 * 2**20)
    assert trims == [0, 0]
