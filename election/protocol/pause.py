"""Pausing Python's cyclic garbage collector around bulk work (reading 100,000 records,
building papers). The collector runs every few hundred allocations and each run walks
every container still alive, so while a large bundle or roll is being built its walks
dominate; what is built there holds no cycles, so pausing it loses nothing."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC for the block (nesting-safe: only the outermost re-enables it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
