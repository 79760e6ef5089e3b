"""Python's cyclic garbage collector, held off while a pass builds millions of acyclic objects.

A whole-graph check, a report or a scenario creates one small object after another (snapshots,
tuples, outcomes) while millions of long-lived ones (the supply facts, the cached snapshots) sit in
memory. Every so many allocations the collector walks the oldest generation — all of them — to
find cycles these passes never make; measured at 100k products, a third of a scenario's time went
to those walks. Reference counting still frees everything as usual; only the cycle search waits
until the pass is over.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_DEPTH = 0
_WAS_ENABLED = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector for the block (nested and concurrent blocks: until the last ends,
    when it is back as it was before the first began)."""
    global _DEPTH, _WAS_ENABLED
    with _LOCK:
        if _DEPTH == 0:
            _WAS_ENABLED = gc.isenabled()
        _DEPTH += 1
        gc.disable()
    try:
        yield
    finally:
        with _LOCK:
            _DEPTH -= 1
            if _DEPTH == 0 and _WAS_ENABLED:
                gc.enable()


def set_aside() -> None:
    """Move every object now alive out of the collector's sight (``gc.freeze``), after one last
    collection: for values that live as long as a store revision (the cached supply facts, compiled
    rules), which the collector would otherwise walk again on every full collection — the walk that
    ends each paused pass. Reference counting still frees them when the cache lets go; only a cycle
    among them would then stay (the cached values are plain trees of tuples, dicts and dataclasses).
    """
    gc.collect()
    gc.freeze()
