"""Values computed from a store are reused until the store is written to, and only then."""

from __future__ import annotations

import pyoxigraph as ox

from reasoner.revision_cache import cached
from reasoner.store import OxigraphStore


def _count_calls() -> tuple[list[int], object]:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)
    return calls, compute


def test_a_cached_value_is_computed_once_per_store_revision() -> None:
    store = OxigraphStore()
    calls, compute = _count_calls()
    assert cached(store, ("facts", 1), compute) == 1
    assert cached(store, ("facts", 1), compute) == 1
    assert len(calls) == 1
    store.add_quads([ox.Quad(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"),
                             ox.Literal("o"), ox.NamedNode("https://example.org/g"))])
    assert cached(store, ("facts", 1), compute) == 2
    store.flush()  # writes through the raw pyoxigraph store end with a flush, which also makes a revision
    assert cached(store, ("facts", 1), compute) == 3


def test_each_store_and_key_has_its_own_value_and_old_keys_are_dropped() -> None:
    one, two = OxigraphStore(), OxigraphStore()
    calls, compute = _count_calls()
    assert cached(one, ("facts", "2026-01-01"), compute) == 1
    assert cached(two, ("facts", "2026-01-01"), compute) == 2
    assert cached(one, ("facts", "2026-06-01"), compute, keep=1) == 3
    assert cached(one, ("facts", "2026-01-01"), compute, keep=1) == 4  # pushed out by the newer date


def test_a_cached_value_is_set_aside_from_the_cycle_collector() -> None:
    import gc
    value = cached(OxigraphStore(), ("facts", "set-aside"), lambda: [[i] for i in range(1000)])
    in_generations = {id(o) for generation in range(3) for o in gc.get_objects(generation)}
    assert gc.is_tracked(value) and id(value) not in in_generations  # in the permanent generation


def test_the_collector_is_paused_for_a_pass_and_back_as_it_was_after_the_last_nested_one() -> None:
    import gc
    from reasoner.memory import collector_paused
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # it was off before the pass: it stays off
    finally:
        gc.enable()
