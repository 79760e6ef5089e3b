"""The fast path: SHACL Core shapes compiled once into Python predicates over a product snapshot.

Evaluation is three-valued (Kleene): True, False, or None (unknown). A property shape whose path has
no value and that does not demand one (no ``sh:minCount``) is unknown - missing data is never read
as "satisfied" nor as "violated". ``sh:and``/``sh:or``/``sh:not``/``sh:node`` follow Kleene logic.

``two_valued=True`` gives standard SHACL semantics (a constraint over no values holds vacuously,
``sh:hasValue`` fails): that is what pySHACL computes, and the conformance test compares the two.

Supported: ``sh:property`` with predicate paths, ``sh:minCount``, ``sh:maxCount``,
``sh:minInclusive``, ``sh:maxInclusive``, ``sh:minExclusive``, ``sh:maxExclusive``, ``sh:hasValue``,
``sh:in``, ``sh:pattern``, ``sh:datatype``, ``sh:node``, ``sh:and``, ``sh:or``, ``sh:not``. Anything
else in a rule shape is a :class:`RuleDataError` at compile time, never a silent pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from reasoner.errors import RuleDataError
from reasoner.namespaces import MS
from reasoner.rules.model import SH
from reasoner.rules.snapshot import IRI, Snapshot

TV = bool | None
"""A three-valued truth value: True, False, or None for unknown."""

XSD = "http://www.w3.org/2001/XMLSchema#"


def k_and(values: Iterable[TV]) -> TV:
    result: TV = True
    for v in values:
        if v is False:
            return False
        if v is None:
            result = None
    return result


def k_or(values: Iterable[TV]) -> TV:
    result: TV = False
    for v in values:
        if v is True:
            return True
        if v is None:
            result = None
    return result


def k_not(value: TV) -> TV:
    return None if value is None else not value


@dataclass
class Leaf:
    """One constraint's outcome, for explanations: what was required on which path, what was found."""

    path: str
    constraint: str
    expected: Any
    unit: str | None
    message: str | None
    actual: list[Any]
    tv: TV


@dataclass
class Outcome:
    tv: TV
    leaves: list[Leaf] = field(default_factory=list)


@dataclass
class Context:
    """Per-evaluation settings: semantics, and extra minimums for cumulative requirements."""

    two_valued: bool = False
    offsets: dict[str, tuple[Decimal, ...]] = field(default_factory=dict)


def _py(node: Node) -> Any:
    if isinstance(node, URIRef):
        return IRI(str(node))
    if isinstance(node, Literal):
        value = node.toPython()
        if isinstance(value, float):
            return Decimal(str(node))
        return value
    return IRI("_:" + str(node))


def comparable(a: Any, b: Any) -> bool:
    numeric = (int, Decimal, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    return (isinstance(a, numeric) and isinstance(b, numeric)) or (isinstance(a, date) and isinstance(b, date)) \
        or (isinstance(a, str) and isinstance(b, str) and not isinstance(a, IRI) and not isinstance(b, IRI))


RAISED_BOUNDS = frozenset({"minInclusive", "minExclusive"})
"""The bounds a cumulative requirement raises by the minimum of the rule it adds to."""

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "minInclusive": lambda v, x: v >= x,
    "maxInclusive": lambda v, x: v <= x,
    "minExclusive": lambda v, x: v > x,
    "maxExclusive": lambda v, x: v < x,
}

_DATATYPE_CHECK: dict[str, Callable[[Any], bool]] = {
    XSD + "boolean": lambda v: isinstance(v, bool),
    XSD + "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    XSD + "decimal": lambda v: isinstance(v, (int, Decimal)) and not isinstance(v, bool),
    XSD + "date": lambda v: isinstance(v, date),
    XSD + "string": lambda v: isinstance(v, str) and not isinstance(v, IRI),
}


def equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, IRI) != isinstance(b, IRI):
        return False
    return a == b


@dataclass
class PropertyShape:
    path: str
    unit: str | None
    message: str | None
    min_count: int | None = None
    max_count: int | None = None
    compares: list[tuple[str, Any]] = field(default_factory=list)
    has_value: list[Any] = field(default_factory=list)
    in_values: list[Any] | None = None
    patterns: list[re.Pattern[str]] = field(default_factory=list)
    datatypes: list[str] = field(default_factory=list)
    nodes: list[NodeShape] = field(default_factory=list)

    def paths(self) -> set[str]:
        found = {self.path}
        for n in self.nodes:
            found |= n.paths()
        return found

    def evaluate(self, snap: Snapshot, ctx: Context) -> Outcome:
        values = snap.values(self.path)
        leaves: list[Leaf] = []
        results: list[TV] = []

        def leaf(name: str, expected: Any, tv: TV) -> None:
            leaves.append(Leaf(self.path, name, expected, self.unit, self.message, values, tv))
            results.append(tv)

        if self.min_count is not None:
            leaf("minCount", self.min_count, len(values) >= self.min_count)
        if self.max_count is not None:
            leaf("maxCount", self.max_count, len(values) <= self.max_count)
        if not values:
            missing: TV = True if ctx.two_valued else (False if (self.min_count or 0) >= 1 else None)
            for name, expected in self.compares:
                leaf(name, self._shifted(name, expected, ctx), missing)
            for expected in self.has_value:
                leaf("hasValue", expected, False if ctx.two_valued else missing)
            if self.in_values is not None:
                leaf("in", self.in_values, missing)
            for pattern in self.patterns:
                leaf("pattern", pattern.pattern, missing)
            for datatype in self.datatypes:
                leaf("datatype", datatype, missing)
            for node in self.nodes:
                leaf("node", None, missing)
            return Outcome(k_and(results), leaves)
        for name, expected in self.compares:
            leaf(name, self._shifted(name, expected, ctx), self._compare(name, expected, values, ctx))
        for expected in self.has_value:
            leaf("hasValue", expected, any(equal(v, expected) for v in values))
        if self.in_values is not None:
            leaf("in", self.in_values, all(any(equal(v, x) for x in self.in_values) for v in values))
        for pattern in self.patterns:
            leaf("pattern", pattern.pattern,
                 all(not isinstance(v, (Snapshot, IRI)) and pattern.search(str(v)) is not None for v in values))
        for datatype in self.datatypes:
            check = _DATATYPE_CHECK.get(datatype, lambda v: not isinstance(v, (IRI, Snapshot)))
            leaf("datatype", datatype, all(check(v) for v in values))
        for node in self.nodes:
            nested = [node.evaluate(v, ctx) if isinstance(v, Snapshot) else Outcome(node.evaluate(Snapshot(str(v)), ctx).tv)
                      for v in values]
            for outcome in nested:
                leaves.extend(outcome.leaves)
            results.append(k_and(o.tv for o in nested))
        return Outcome(k_and(results), leaves)

    def _offsets(self, name: str, ctx: Context) -> tuple[Decimal, ...]:
        if name in RAISED_BOUNDS:
            return ctx.offsets.get(self.path, (Decimal(0),))
        return (Decimal(0),)

    def _shifted(self, name: str, expected: Any, ctx: Context) -> Any:
        offsets = self._offsets(name, ctx)
        shifted = sorted({expected + o for o in offsets}) if offsets != (Decimal(0),) else [expected]
        return shifted[0] if len(shifted) == 1 else tuple(shifted)

    def _compare(self, name: str, expected: Any, values: list[Any], ctx: Context) -> TV:
        compare = _COMPARE[name]
        outcomes = set()
        for offset in self._offsets(name, ctx):
            limit = expected + offset if offset else expected
            outcomes.add(all(comparable(v, limit) and compare(v, limit) for v in values))
        return outcomes.pop() if len(outcomes) == 1 else None


@dataclass
class NodeShape:
    iri: str
    properties: list[PropertyShape] = field(default_factory=list)
    and_: list[NodeShape] = field(default_factory=list)
    or_: list[list[NodeShape]] = field(default_factory=list)
    not_: list[NodeShape] = field(default_factory=list)
    node: list[NodeShape] = field(default_factory=list)

    def paths(self) -> set[str]:
        found: set[str] = set()
        for p in self.properties:
            found |= p.paths()
        for group in [self.and_, self.not_, self.node, *self.or_]:
            for n in group:
                found |= n.paths()
        return found

    def evaluate(self, snap: Snapshot, ctx: Context) -> Outcome:
        leaves: list[Leaf] = []
        results: list[TV] = []
        for prop in self.properties:
            outcome = prop.evaluate(snap, ctx)
            leaves.extend(outcome.leaves)
            results.append(outcome.tv)
        for shape in [*self.and_, *self.node]:
            outcome = shape.evaluate(snap, ctx)
            leaves.extend(outcome.leaves)
            results.append(outcome.tv)
        for alternatives in self.or_:
            outcomes = [shape.evaluate(snap, ctx) for shape in alternatives]
            for o in outcomes:
                leaves.extend(o.leaves)
            results.append(k_or(o.tv for o in outcomes))
        for shape in self.not_:
            outcome = shape.evaluate(snap, ctx)
            results.append(k_not(outcome.tv))
        return Outcome(k_and(results), leaves)

    def min_threshold(self, path: str) -> Decimal | None:
        """The sh:minInclusive this shape puts on ``path`` (top level), for cumulative requirements."""
        for prop in self.properties:
            if prop.path == path:
                for name, expected in prop.compares:
                    if name == "minInclusive":
                        return Decimal(str(expected))
        return None


_HANDLED_NODE = {SH.property, SH["and"], SH["or"], SH["not"], SH.node, RDF.type, SH.message, SH.name,
                 SH.description, SH.targetNode, SH.targetClass, SH.severity, SH.deactivated,
                 URIRef("http://www.w3.org/2000/01/rdf-schema#comment"), URIRef("http://www.w3.org/2000/01/rdf-schema#label")}
_HANDLED_PROPERTY = {SH.path, SH.minCount, SH.maxCount, SH.minInclusive, SH.maxInclusive, SH.minExclusive,
                     SH.maxExclusive, SH.hasValue, SH["in"], SH.pattern, SH.datatype, SH.node, SH.message,
                     SH.name, SH.description, SH.severity, URIRef(str(MS.unit))}


class Compiler:
    """Compiles shape nodes of one shapes graph, each once (shared nodes are compiled once too)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._cache: dict[Node, NodeShape] = {}

    def node(self, shape: Node) -> NodeShape:
        if shape in self._cache:
            return self._cache[shape]
        g = self.graph
        compiled = NodeShape(str(shape))
        self._cache[shape] = compiled
        for predicate in set(g.predicates(shape)):
            if predicate not in _HANDLED_NODE:
                raise RuleDataError(f"shape uses {predicate}, which the engine does not evaluate", where=str(shape))
        for prop in g.objects(shape, SH.property):
            compiled.properties.append(self.property(prop))
        for lst in g.objects(shape, SH["and"]):
            compiled.and_.extend(self.node(m) for m in Collection(g, lst))
        for lst in g.objects(shape, SH["or"]):
            compiled.or_.append([self.node(m) for m in Collection(g, lst)])
        for n in g.objects(shape, SH["not"]):
            compiled.not_.append(self.node(n))
        for n in g.objects(shape, SH.node):
            compiled.node.append(self.node(n))
        compiled.properties.sort(key=lambda p: p.path)
        return compiled

    def property(self, shape: Node) -> PropertyShape:
        g = self.graph
        for predicate in set(g.predicates(shape)):
            if predicate not in _HANDLED_PROPERTY:
                raise RuleDataError(f"property shape uses {predicate}, which the engine does not evaluate", where=str(shape))
        path = g.value(shape, SH.path)
        if not isinstance(path, URIRef):
            raise RuleDataError("only predicate paths are supported in rule shapes", where=str(shape))
        unit_node = g.value(shape, URIRef(str(MS.unit)))
        unit = None
        if isinstance(unit_node, URIRef):
            label = g.value(unit_node, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
            labels = [lab for lab in g.objects(unit_node, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
                      if isinstance(lab, Literal) and lab.language == "en"]
            unit = str(labels[0]) if labels else (str(label) if label else str(unit_node))
        elif unit_node is not None:
            unit = str(unit_node)
        messages = [m for m in g.objects(shape, SH.message) if isinstance(m, Literal) and m.language in (None, "en")]
        compiled = PropertyShape(str(path), unit, str(messages[0]) if messages else None)
        count = g.value(shape, SH.minCount)
        compiled.min_count = int(count) if count is not None else None
        count = g.value(shape, SH.maxCount)
        compiled.max_count = int(count) if count is not None else None
        for name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            for value in g.objects(shape, SH[name]):
                compiled.compares.append((name, _py(value)))
        compiled.has_value = [_py(v) for v in g.objects(shape, SH.hasValue)]
        lst = g.value(shape, SH["in"])
        if lst is not None:
            compiled.in_values = [_py(v) for v in Collection(g, lst)]
        compiled.patterns = [re.compile(str(p)) for p in g.objects(shape, SH.pattern)]
        compiled.datatypes = [str(d) for d in g.objects(shape, SH.datatype)]
        compiled.nodes = [self.node(n) for n in g.objects(shape, SH.node)]
        return compiled


def is_blank(node: Node) -> bool:
    return isinstance(node, BNode)
