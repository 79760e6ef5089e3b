"""When two products must get the same statuses: what the rules can tell apart of a value.

The whole-graph check evaluates each distinct situation once. A rule's shapes never look at a
value itself, only at how it fares against the constants of their constraints: below, at or above
each ``sh:minInclusive``-like bound (raised by the base rule's minimum where a rule adds to one),
equal or not to each ``sh:hasValue`` / ``sh:in`` member, matching or not each ``sh:pattern``, and
its kind (``sh:datatype``, IRI or literal) and the number of values (``sh:minCount``). That
*signature* is what products are grouped by: a product priced 12.31 and one priced 9.80 are the
same to a rule whose only price bound is 15. Values under ``sh:node`` (nested records) are kept as
they are, and a product with a nested record is evaluated on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reasoner.rules.evaluate import RAISED_BOUNDS, NodeShape, PropertyShape, comparable, equal
from reasoner.rules.snapshot import IRI, Snapshot

RAW = None
"""A path whose values count as they are (read by a nested shape)."""


@dataclass(frozen=True)
class Tests:
    """What the shapes of a plan ask of one path's values."""

    bounds: tuple[Any, ...] = ()
    members: tuple[Any, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()

    def signature(self, value: Any) -> Any:
        """How one value fares against every test (with its kind), hashable."""
        order = tuple((value < b, value == b) if comparable(value, b) else None for b in self.bounds)
        members = tuple(equal(value, m) for m in self.members)
        text = None if isinstance(value, (Snapshot, IRI)) else str(value)
        patterns = tuple(text is not None and p.search(text) is not None for p in self.patterns)
        return (value.__class__, order, members, patterns)


Layout = tuple[tuple[str, "Tests | None"], ...]


def _collect(shape: NodeShape, found: dict[str, list[tuple[str, Any]] | None]) -> None:
    for prop in shape.properties:
        _collect_property(prop, found)
    for group in [shape.and_, shape.not_, shape.node, *shape.or_]:
        for nested in group:
            _collect(nested, found)


def _collect_property(prop: PropertyShape, found: dict[str, list[tuple[str, Any]] | None]) -> None:
    if prop.nodes:
        found[prop.path] = RAW
        for nested in prop.nodes:
            _collect(nested, found)
        return
    if prop.path in found and found[prop.path] is RAW:
        return
    tests = found.setdefault(prop.path, [])
    assert tests is not None
    tests.extend(prop.compares)
    tests.extend(("equal", v) for v in prop.has_value)
    tests.extend(("equal", v) for v in prop.in_values or ())
    tests.extend(("pattern", p) for p in prop.patterns)


def layout(shapes: Iterable[tuple[NodeShape, dict[str, Any]]]) -> Layout:
    """The tests on every path of these shapes; each shape comes with the base thresholds (per path)
    its rule's bounds may be raised by."""
    found: dict[str, list[tuple[str, Any]] | None] = {}
    raised: dict[str, set[Any]] = {}
    for shape, base_thresholds in shapes:
        local: dict[str, list[tuple[str, Any]] | None] = {}
        _collect(shape, local)
        for path, tests in local.items():
            if tests is RAW or found.get(path, []) is RAW:
                found[path] = RAW
                continue
            found.setdefault(path, []).extend(tests)  # type: ignore[union-attr]
            for name, constant in tests:
                if name in RAISED_BOUNDS and path in base_thresholds:
                    raised.setdefault(path, set()).add(constant + base_thresholds[path])
    result: list[tuple[str, Tests | None]] = []
    for path in sorted(found):
        tests = found[path]
        if tests is RAW:
            result.append((path, RAW))
            continue
        bounds = {c for name, c in tests if name not in ("equal", "pattern")} | raised.get(path, set())
        try:
            ordered = tuple(sorted(bounds))
        except TypeError:  # bounds of different kinds on one path: compare with each as given
            ordered = tuple(bounds)
        result.append((path, Tests(ordered, tuple(c for name, c in tests if name == "equal"),
                                   tuple(c for name, c in tests if name == "pattern"))))
    return tuple(result)


def signature(snap: Snapshot, paths: Layout, seen: dict[tuple[Any, ...], Any]) -> tuple[tuple[Any, ...], ...] | None:
    """The signatures of the product's values, path by path in ``paths`` order; None when one is a
    nested record. ``seen`` keeps each (path, value)'s signature: most values recur across products."""
    found: list[tuple[Any, ...]] = []
    facts = snap.facts
    for path, tests in paths:
        values = facts.get(path)
        if not values:
            found.append(())
            continue
        signatures = []
        for value in values:
            kind = value.__class__
            if kind is Snapshot:
                return None
            key = (path, kind, value)
            known = seen.get(key)
            if known is None:
                known = seen[key] = (kind, value) if tests is RAW else tests.signature(value)
            signatures.append(known)
        found.append(tuple(signatures))
    return tuple(found)
