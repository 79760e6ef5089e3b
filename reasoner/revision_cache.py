"""Values computed from a store's content, kept until the store changes.

Reading the supply facts of a million products, or compiling the rules, takes seconds; the data
behind them changes only when something is loaded. Every write to an :class:`OxigraphStore`
makes a new ``revision``, so a value cached under (store, revision, key) is never stale: a load
turns every cached value of that store into a miss. Stores without a revision are never cached.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from reasoner.memory import set_aside

T = TypeVar("T")

_CACHES: weakref.WeakKeyDictionary[Any, tuple[int, OrderedDict[Hashable, Any]]] = weakref.WeakKeyDictionary()
_LOCKS: weakref.WeakKeyDictionary[Any, dict[Hashable, threading.Lock]] = weakref.WeakKeyDictionary()
_GUARD = threading.Lock()


def cached(store: Any, key: Hashable, compute: Callable[[], T], keep: int = 4) -> T:
    """``compute()`` once per (store, revision, key); at most ``keep`` values per store and kind of key.

    Concurrent callers with the same key wait for the first one instead of computing it again.
    A computed value is set aside from the cycle collector (:func:`reasoner.memory.set_aside`).
    """
    revision = getattr(store, "revision", None)
    if revision is None:
        return compute()
    with _GUARD:
        lock = _LOCKS.setdefault(store, {}).setdefault(key, threading.Lock())
    with lock:
        with _GUARD:
            entry = _CACHES.get(store)
            if entry is None or entry[0] != revision:
                entry = (revision, OrderedDict())
                _CACHES[store] = entry
            values = entry[1]
            if key in values:
                values.move_to_end(key)
                return values[key]  # type: ignore[no-any-return]
        value = compute()
        set_aside()
        with _GUARD:
            if _CACHES.get(store) is entry:
                values[key] = value
                kind = key[0] if isinstance(key, tuple) and key else key
                same_kind = [k for k in values if (k[0] if isinstance(k, tuple) and k else k) == kind]
                for old in same_kind[:-keep]:
                    del values[old]
        return value
