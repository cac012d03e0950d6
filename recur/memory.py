"""Give freed memory back to the system after a large load. glibc keeps freed
heap pages for reuse (its mmap threshold grows after large frees), so a
second upload of a big file can stack on the first one's leftovers; Arrow's
allocator keeps its pages too. Both are returned here after a large load.
A small load skips it: it leaves little to return, and the pages returned
fault back in on the next allocations (about 30 ms on a 10,000-row file)."""

from __future__ import annotations

import ctypes
import ctypes.util

import pyarrow as pa

_LIBC_NAME = ctypes.util.find_library("c")
_LIBC = ctypes.CDLL(_LIBC_NAME) if _LIBC_NAME else None


LARGE_BYTES = 16 * 2**20  # a load this size (file or table) or larger gives its freed pages back


def release_freed_memory(size_bytes: int) -> None:
    """Return freed pages of Arrow's pool and of the C heap (glibc only), when
    the load that freed them was ``size_bytes`` >= LARGE_BYTES."""
    if size_bytes < LARGE_BYTES:
        return
    pa.default_memory_pool().release_unused()
    trim = getattr(_LIBC, "malloc_trim", None) if _LIBC is not None else None
    if trim is not None:
        trim(0)
