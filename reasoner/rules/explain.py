"""What an answer says: one record per rule with status, message, required/actual, basis and facts.

Messages are built from the shapes' own ``sh:message`` texts and the facts, so a rule's wording
lives beside its constraint in ``shapes/``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from reasoner.rules.evaluate import Leaf, Outcome
from reasoner.rules.snapshot import IRI, Snapshot, compact, graph_name

_SYMBOL = {"minInclusive": "≥", "maxInclusive": "≤", "minExclusive": ">", "maxExclusive": "<",
           "hasValue": "=", "in": "one of", "pattern": "matches", "minCount": "at least", "maxCount": "at most",
           "datatype": "of type", "node": "conforms"}


def jsonable(value: Any) -> Any:
    """A snapshot value as plain JSON."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 10**15 else float(value)
    if isinstance(value, IRI):
        return compact(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Snapshot):
        return {compact(p): (jsonable(v[0]) if len(v) == 1 else [jsonable(x) for x in v]) for p, v in value.facts.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def required_text(leaf: Leaf) -> str:
    expected = leaf.expected
    if isinstance(expected, tuple) and leaf.constraint.startswith("min"):
        return f"{_SYMBOL[leaf.constraint]} {jsonable(expected[-1])} (or {jsonable(expected[0])} if the base rule does not apply)"
    if isinstance(expected, list):
        return f"{_SYMBOL.get(leaf.constraint, leaf.constraint)} {', '.join(str(jsonable(x)) for x in expected)}"
    text = jsonable(expected)
    return f"{_SYMBOL.get(leaf.constraint, leaf.constraint)} {str(text).lower() if isinstance(text, bool) else text}"


def actual_value(leaf: Leaf) -> Any:
    values = [jsonable(v) for v in leaf.actual if not isinstance(v, Snapshot)]
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def primary_leaf(outcome: Outcome, wanted: Any) -> Leaf | None:
    """The constraint that explains an outcome: the first one whose value matches the outcome, numeric first."""
    candidates = [leaf for leaf in outcome.leaves if leaf.tv is wanted and leaf.constraint != "node"]
    numeric = [leaf for leaf in candidates if leaf.constraint in _SYMBOL and leaf.constraint.endswith(("Inclusive", "Exclusive"))]
    pool = numeric or candidates or [leaf for leaf in outcome.leaves if leaf.constraint != "node"]
    if not pool:
        return None
    # a violation inside sh:or fails every alternative: the last one is the most permissive, so name it
    return pool[-1] if wanted is False else pool[0]


def describe(leaf: Leaf | None) -> str:
    if leaf is None:
        return ""
    found = actual_value(leaf)
    found_text = "no value" if found is None else (str(found).lower() if isinstance(found, bool) else f"{found}")
    unit = f" {leaf.unit}" if leaf.unit and found is not None else ""
    what = leaf.message or compact(leaf.path)
    return f"{what} (required {required_text(leaf)}{' ' + leaf.unit if leaf.unit else ''}; found {found_text}{unit})"


def missing_paths(outcome: Outcome) -> list[str]:
    return sorted({compact(leaf.path) for leaf in outcome.leaves if leaf.tv is None and not leaf.actual})


def fact_records(snap: Snapshot, paths: set[str], synthetic_graphs: set[str]) -> list[dict[str, Any]]:
    """Every fact the rule could use, with the graph it came from and whether that graph is synthetic."""
    records = []
    for prop in sorted(paths & set(snap.facts)):
        for value, graph in zip(snap.facts[prop], snap.sources.get(prop, [])):
            records.append({"property": compact(prop), "value": jsonable(value),
                            "source_graph": graph_name(graph), "synthetic": graph in synthetic_graphs})
    nested_props = sorted(p for p in snap.facts if any(isinstance(v, Snapshot) for v in snap.facts[p]))
    for prop in nested_props:
        if prop in paths:
            continue
    return records
