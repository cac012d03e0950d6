"""Give freed memory back to the system after a large load. glibc keeps freed
heap pages for reuse (its mmap threshold grows after large frees), so a
second upload of a big file can stack on the first one's leftovers; Arrow's
allocator keeps its pages too. Both are returned here, where it is cheap."""

from __future__ import annotations

import ctypes
import ctypes.util

import pyarrow as pa

_LIBC_NAME = ctypes.util.find_library("c")
_LIBC = ctypes.CDLL(_LIBC_NAME) if _LIBC_NAME else None


def release_freed_memory() -> None:
    """Return freed pages of Arrow's pool and of the C heap (glibc only)."""
    pa.default_memory_pool().release_unused()
    trim = getattr(_LIBC, "malloc_trim", None) if _LIBC is not None else None
    if trim is not None:
        trim(0)
