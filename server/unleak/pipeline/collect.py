"""Garbage collection in batches, for work that analyses one module again and again.

An analysis builds a large graph of objects, most of it cyclic garbage once its report is
out. Left to the automatic collector, a fix loop on a large file runs many full collections,
each walking every object alive, and their cost grows with the square of the file (at
20,000 lines they took more than half of `--fix`). Instead the automatic collector is
paused and one collection runs whenever enough new objects piled up: each collection frees
at least that many, so the cost stays linear while memory stays bounded.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Objects allocated (and not freed) since the last collection before collecting again: about
# what one analysis of a 6,000-line module leaves behind.
BATCH = 1_000_000


@contextmanager
def batched_collection() -> Iterator[None]:
    """Pause the automatic collector for the block (call `collect_if_due` between analyses)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def collect_if_due() -> None:
    if not gc.isenabled() and gc.get_count()[0] >= BATCH:
        gc.collect()
