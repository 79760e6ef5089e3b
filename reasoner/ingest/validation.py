"""Structural validation of incoming data: the SHACL shapes of ``shapes/ingest/`` compiled to checks.

Why compiled: pySHACL over a million rows takes far longer than the five minutes a load may take
(see ``bench/ingest-results.md``). The shapes are read once and each constraint becomes a small
Python check run on one node at a time as rows stream by; ``sh:class`` constraints are joined with
the reference data (the store, plus the nodes of the load itself) at the end.
``tests/test_ingest_validation.py`` proves on a sample that the compiled checks report the same
focus node, path, constraint and value as pySHACL on the same shapes.

Supported SHACL subset (anything else in ``shapes/ingest`` is refused when compiling, so a shape
can never be silently ignored): node shapes with ``sh:targetClass`` (with ``rdfs:subClassOf``
from the ontology) or ``sh:targetSubjectsOf``, node-level ``sh:class``; property shapes with a
predicate ``sh:path`` and ``sh:minCount``, ``sh:maxCount``, ``sh:datatype`` (ill-typed literals
fail), ``sh:nodeKind``, ``sh:pattern`` with ``sh:flags``, ``sh:minLength``, ``sh:maxLength``,
``sh:in``, ``sh:class``, ``sh:minInclusive``, ``sh:maxInclusive``, ``sh:minExclusive``,
``sh:maxExclusive``, ``sh:lessThanOrEquals``; ``sh:severity`` and ``sh:message``.

Difference from SHACL on whole graphs, documented and deliberate: for tables each row's node is
checked on its own (a node described by two rows is a duplicate or a conflict, reported by the
loader), and cardinalities count the values of the load only, not facts already in the store.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from reasoner.errors import RuleDataError, ValidationFailed
from reasoner.ingest.mapping import RDF_TYPE, XSD, XSD_STRING, Obj
from reasoner.namespaces import PREFIXES

SH = PREFIXES["sh"]
RDFS_SUBCLASS = PREFIXES["rdfs"] + "subClassOf"
MAX_LISTED = 1000
"""At most this many problems are listed in a rejection; the total is always given."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located so that a data steward can find and fix it."""

    message: str
    severity: str = "violation"  # violation | warning | info
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    triple: str | None = None
    focus: str | None = None
    path: str | None = None
    constraint: str | None = None
    shape: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def __str__(self) -> str:
        where = ", ".join(x for x in (self.file, f"row {self.row}" if self.row else None,
                                      f"column {self.column}" if self.column else None) if x)
        value = f" value {self.value!r}:" if self.value not in (None, "") else ""
        triple = f" triple {self.triple}:" if self.triple else ""
        return f"{where}:{value}{triple} {self.message}"


def rejected(problems: list[Problem], summary: str | None = None) -> ValidationFailed:
    """The error for a refused load: every problem listed (up to :data:`MAX_LISTED`), counted always."""
    problems = sorted(problems, key=lambda p: (p.file or "", p.row or 0))  # stable: file order, then row
    violations = [p for p in problems if p.severity == "violation"]
    first = violations[0] if violations else problems[0]
    total = len(violations) or len(problems)
    head = summary or "the data breaks the structural rules for loaded data"
    message = f"{head}: {total} problem{'s' if total != 1 else ''}; nothing was loaded. First: {first}"
    return ValidationFailed(message, where=first.file, details=[p.as_dict() for p in problems[:MAX_LISTED]])


@dataclass(frozen=True)
class Finding:
    """A constraint a node breaks, before it is located in a file."""

    focus: str
    path: str | None
    component: str
    value: Obj | None
    severity: str
    message: str
    shape: str


Check = Callable[[list[Obj], dict[str, list[Obj]]], list[Obj | None]]


@dataclass(eq=False)
class PropertyShape:
    iri: str
    path: str
    severity: str
    message: str
    checks: list[tuple[str, Check]]
    classes: list[str]  # sh:class, joined with the reference data later


@dataclass(eq=False)
class NodeShape:
    iri: str
    target_classes: list[str]
    target_subjects_of: list[str]
    node_classes: list[str]
    severity: str
    message: str
    properties: list[PropertyShape]


_SEVERITY = {SH + "Violation": "violation", SH + "Warning": "warning", SH + "Info": "info"}
_HANDLED = {
    "targetClass", "targetSubjectsOf", "property", "path", "minCount", "maxCount", "datatype", "nodeKind",
    "pattern", "flags", "minLength", "maxLength", "in", "class", "minInclusive", "maxInclusive",
    "minExclusive", "maxExclusive", "lessThanOrEquals", "severity", "message", "name", "description", "order",
}


def shapes_dir(home: Path) -> Path:
    return home / "shapes" / "ingest"


def _lexical_ok(datatype: str) -> Callable[[str], bool]:
    if datatype == XSD + "boolean":
        return lambda s: s in ("true", "false", "1", "0")
    if datatype in (XSD + "integer", XSD + "int", XSD + "long", XSD + "nonNegativeInteger"):
        pattern = re.compile(r"[+-]?\d+")
        return lambda s: pattern.fullmatch(s) is not None
    if datatype == XSD + "decimal":
        pattern = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
        return lambda s: pattern.fullmatch(s) is not None
    if datatype == XSD + "date":
        return lambda s: _date(s) is not None
    return lambda s: True


def _date(text: str) -> dt.date | None:
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?", text)
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


_NUMERIC = {XSD + t for t in ("decimal", "integer", "int", "long", "double", "float", "nonNegativeInteger")}


def comparable(obj: Obj | None) -> tuple[str, Any] | None:
    """A literal as a value that orders like SHACL's comparisons; None when it cannot be compared."""
    if not isinstance(obj, tuple):
        return None
    lexical, datatype = obj
    if datatype in _NUMERIC:
        if not _lexical_ok(datatype)(lexical) and datatype not in (XSD + "double", XSD + "float"):
            return None
        try:
            return ("number", Decimal(lexical))
        except InvalidOperation:
            return None
    if datatype == XSD + "date":
        day = _date(lexical)
        return ("date", day) if day else None
    if datatype == XSD_STRING:
        return ("string", lexical)
    return None


def _compare(a: Obj | None, b: Obj | None, ok: Callable[[Any, Any], bool]) -> bool:
    x, y = comparable(a), comparable(b)
    return x is not None and y is not None and x[0] == y[0] and ok(x[1], y[1])


def _term(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> Obj:
    if isinstance(term, ox.Literal):
        return (term.value, "@" + term.language) if term.language else (term.value, term.datatype.value)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


class CompiledShapes:
    """The shapes of one folder, compiled. Build with :func:`compiled_shapes`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        graph = ox.Store()
        for path in sorted(folder.glob("*.ttl")):
            graph.load(path=str(path), format=ox.RdfFormat.TURTLE)
        self.graph = graph
        self.node_shapes = [self._node_shape(s) for s in self._subjects(RDF_TYPE, SH + "NodeShape")]

    # -- reading the shapes graph ---------------------------------------------------------------

    def _subjects(self, predicate: str, obj: str) -> list[str]:
        return sorted(q.subject.value for q in self.graph.quads_for_pattern(None, ox.NamedNode(predicate), ox.NamedNode(obj)))

    def _values(self, subject: str, local: str) -> list[Any]:
        return [q.object for q in self.graph.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(SH + local), None)]

    def _one(self, subject: str, local: str) -> Any:
        values = self._values(subject, local)
        return values[0] if values else None

    def _list(self, head: Any) -> list[Any]:
        items = []
        rdf = PREFIXES["rdf"]
        while not (isinstance(head, ox.NamedNode) and head.value == rdf + "nil"):
            items.append(next(self.graph.quads_for_pattern(head, ox.NamedNode(rdf + "first"), None)).object)
            head = next(self.graph.quads_for_pattern(head, ox.NamedNode(rdf + "rest"), None)).object
        return items

    def _refuse_unknown(self, subject: str) -> None:
        for quad in self.graph.quads_for_pattern(ox.NamedNode(subject), None, None):
            p = quad.predicate.value
            if p.startswith(SH) and p[len(SH):] not in _HANDLED:
                raise RuleDataError(f"shape {subject} uses sh:{p[len(SH):]}, which the ingest validator does not "
                                    "support; use the supported subset listed in reasoner/ingest/validation.py")

    def _node_shape(self, iri: str) -> NodeShape:
        self._refuse_unknown(iri)
        severity = _SEVERITY.get(getattr(self._one(iri, "severity"), "value", ""), "violation")
        message = getattr(self._one(iri, "message"), "value", "") or "breaks shape " + iri
        props = [self._property_shape(p.value) for p in self._values(iri, "property")]
        return NodeShape(
            iri=iri, target_classes=[t.value for t in self._values(iri, "targetClass")],
            target_subjects_of=[t.value for t in self._values(iri, "targetSubjectsOf")],
            node_classes=[t.value for t in self._values(iri, "class")], severity=severity, message=message,
            properties=sorted(props, key=lambda p: p.iri),
        )

    def _property_shape(self, iri: str) -> PropertyShape:
        self._refuse_unknown(iri)
        path = self._one(iri, "path")
        if not isinstance(path, ox.NamedNode):
            raise RuleDataError(f"shape {iri}: only a predicate is supported as sh:path")
        severity = _SEVERITY.get(getattr(self._one(iri, "severity"), "value", ""), "violation")
        message = getattr(self._one(iri, "message"), "value", "") or f"breaks shape {iri}"
        checks: list[tuple[str, Check]] = []

        def add(component: str, check: Check) -> None:
            checks.append((SH + component, check))

        if (n := self._one(iri, "minCount")) is not None:
            low = int(n.value)
            add("MinCountConstraintComponent", lambda vs, _n: [None] if len(vs) < low else [])
        if (n := self._one(iri, "maxCount")) is not None:
            high = int(n.value)
            add("MaxCountConstraintComponent", lambda vs, _n: [None] if len(vs) > high else [])
        if (d := self._one(iri, "datatype")) is not None:
            datatype, lexical_ok = d.value, _lexical_ok(d.value)
            add("DatatypeConstraintComponent",
                lambda vs, _n: [v for v in vs if not (isinstance(v, tuple) and v[1] == datatype and lexical_ok(v[0]))])
        if (k := self._one(iri, "nodeKind")) is not None:
            kind = k.value[len(SH):]
            accepts: dict[str, Callable[[Obj], bool]] = {
                "IRI": lambda v: isinstance(v, str) and not v.startswith("_:"),
                "Literal": lambda v: isinstance(v, tuple),
                "BlankNode": lambda v: isinstance(v, str) and v.startswith("_:"),
                "BlankNodeOrIRI": lambda v: isinstance(v, str),
                "IRIOrLiteral": lambda v: isinstance(v, tuple) or not v.startswith("_:"),
                "BlankNodeOrLiteral": lambda v: isinstance(v, tuple) or v.startswith("_:"),
            }
            accept = accepts[kind]
            add("NodeKindConstraintComponent", lambda vs, _n: [v for v in vs if not accept(v)])
        if (p := self._one(iri, "pattern")) is not None:
            flags = getattr(self._one(iri, "flags"), "value", "")
            regex = re.compile(p.value, re.IGNORECASE if "i" in flags else 0)
            add("PatternConstraintComponent", lambda vs, _n: [
                v for v in vs if (isinstance(v, str) and v.startswith("_:"))
                or not regex.search(v[0] if isinstance(v, tuple) else v)])
        if (n := self._one(iri, "minLength")) is not None:
            low_len = int(n.value)
            add("MinLengthConstraintComponent", lambda vs, _n: [
                v for v in vs if (isinstance(v, str) and v.startswith("_:"))
                or len(v[0] if isinstance(v, tuple) else v) < low_len])
        if (n := self._one(iri, "maxLength")) is not None:
            high_len = int(n.value)
            add("MaxLengthConstraintComponent", lambda vs, _n: [
                v for v in vs if (isinstance(v, str) and v.startswith("_:"))
                or len(v[0] if isinstance(v, tuple) else v) > high_len])
        if (head := self._one(iri, "in")) is not None:
            allowed = {_term(t) for t in self._list(head)}
            add("InConstraintComponent", lambda vs, _n: [v for v in vs if v not in allowed])
        for local, ok in (("minInclusive", lambda v, b: v >= b), ("maxInclusive", lambda v, b: v <= b),
                          ("minExclusive", lambda v, b: v > b), ("maxExclusive", lambda v, b: v < b)):
            if (b := self._one(iri, local)) is not None:
                bound, test = _term(b), ok
                add(local[0].upper() + local[1:] + "ConstraintComponent",
                    lambda vs, _n, bound=bound, test=test: [v for v in vs if not _compare(v, bound, test)])
        if (other := self._one(iri, "lessThanOrEquals")) is not None:
            other_path = other.value
            add("LessThanOrEqualsConstraintComponent", lambda vs, n: [
                v for v in vs for w in n.get(other_path, []) if not _compare(v, w, lambda a, b: a <= b)])
        return PropertyShape(iri=iri, path=path.value, severity=severity, message=message, checks=checks,
                             classes=[c.value for c in self._values(iri, "class")])


@lru_cache(maxsize=4)
def compiled_shapes(folder: Path) -> CompiledShapes:
    """The compiled shapes of ``folder`` (cached: shapes are data files that change with a release)."""
    return CompiledShapes(folder)


@dataclass
class _Pending:
    findings: list[tuple[Finding, Any]] = field(default_factory=list)
    count: int = 0


class Checker:
    """Checks nodes against compiled shapes; joins ``sh:class`` with the store and the load's own nodes.

    ``lookup_types(iri)`` answers the classes the store already knows for a node (reference data).
    """

    def __init__(self, shapes: CompiledShapes, lookup_types: Callable[[str], set[str]],
                 subclass_pairs: Iterable[tuple[str, str]], keep_per_reference: int = 50) -> None:
        self.shapes = shapes
        self._lookup_types = lookup_types
        supers: dict[str, set[str]] = {}
        for sub, sup in subclass_pairs:
            supers.setdefault(sub, set()).add(sup)
        self._supers = supers
        self._incoming: dict[str, frozenset[str]] = {}
        self._store_cache: dict[str, frozenset[str]] = {}
        self._pending: dict[tuple[str, str, str], _Pending] = {}
        self._keep = keep_per_reference
        self._by_types: dict[frozenset[str], list[NodeShape]] = {}
        self._subject_shapes = {p: [s for s in shapes.node_shapes if p in s.target_subjects_of]
                                for s in shapes.node_shapes for p in s.target_subjects_of}

    @lru_cache(maxsize=4096)
    def superclasses(self, cls: str) -> frozenset[str]:
        """``cls`` and every class above it."""
        seen, todo = {cls}, [cls]
        while todo:
            for sup in self._supers.get(todo.pop(), ()):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        return frozenset(seen)

    def _closure(self, types: Iterable[str]) -> frozenset[str]:
        out: set[str] = set()
        for t in types:
            out |= self.superclasses(t)
        return frozenset(out)

    def add_incoming(self, subject: str, types: frozenset[str]) -> None:
        """Record a node of the load, so that references to it satisfy ``sh:class``."""
        if types:
            known = self._incoming.get(subject)
            self._incoming[subject] = types if known is None or known == types else known | types

    def shapes_for(self, types: frozenset[str], predicates: Iterable[str]) -> list[NodeShape]:
        found = self._by_types.get(types)
        if found is None:
            closure = self._closure(types)
            found = [s for s in self.shapes.node_shapes if closure.intersection(s.target_classes)]
            self._by_types[types] = found
        extra = [s for p in predicates if p in self._subject_shapes for s in self._subject_shapes[p] if s not in found]
        return found + list(dict.fromkeys(extra)) if extra else found

    def check(self, subject: str, types: frozenset[str], values: dict[str, list[Obj]], context: Any = None) -> list[Finding]:
        """Findings for one node now; ``sh:class`` misses not settled by the store wait for :meth:`resolve`."""
        findings: list[Finding] = []
        for shape in self.shapes_for(types, values):
            for cls in shape.node_classes:
                self._class(subject, None, subject, cls, shape.severity, shape.message, shape.iri,
                            context, findings)
            for prop in shape.properties:
                vs = values.get(prop.path, [])
                for component, check in prop.checks:
                    for bad in check(vs, values):
                        findings.append(Finding(subject, prop.path, component, bad, prop.severity, prop.message, prop.iri))
                for cls in prop.classes:
                    for v in vs:
                        self._class(subject, prop.path, v, cls, prop.severity, prop.message, prop.iri, context, findings)
        return findings

    def _class(self, focus: str, path: str | None, value: Obj, cls: str, severity: str, message: str,
               shape: str, context: Any, findings: list[Finding]) -> None:
        finding = Finding(focus, path, SH + "ClassConstraintComponent", value, severity, message, shape)
        if isinstance(value, tuple):
            findings.append(finding)
            return
        if self._has_class(self._store_types(value), cls) or self._has_class(self._incoming.get(value, ()), cls):
            return
        pending = self._pending.setdefault((value, cls, shape), _Pending())
        pending.count += 1
        if len(pending.findings) < self._keep:
            pending.findings.append((finding, context))

    def _has_class(self, types: Iterable[str], cls: str) -> bool:
        return any(cls in self.superclasses(t) for t in types)

    def _store_types(self, iri: str) -> frozenset[str]:
        known = self._store_cache.get(iri)
        if known is None:
            known = frozenset(self._lookup_types(iri))
            if len(self._store_cache) < 1_000_000:
                self._store_cache[iri] = known
        return known

    def resolve(self) -> list[tuple[Finding, Any, int]]:
        """``sh:class`` misses that neither the store nor the load settle: (finding, context, how many)."""
        out = []
        for (value, cls, _shape), pending in self._pending.items():
            if self._has_class(self._incoming.get(value, ()), cls):
                continue
            for finding, context in pending.findings:
                out.append((finding, context, pending.count))
        self._pending.clear()
        return out


def store_type_lookup(store: Any) -> Callable[[str], set[str]]:
    """Classes a node has anywhere in a pyoxigraph store (the reference data)."""
    rdf_type = ox.NamedNode(RDF_TYPE)

    def lookup(iri: str) -> set[str]:
        if iri.startswith("_:"):
            return set()
        return {q.object.value for q in store.quads_for_pattern(ox.NamedNode(iri), rdf_type, None)
                if isinstance(q.object, ox.NamedNode)}

    return lookup


def subclass_pairs(store: Any) -> list[tuple[str, str]]:
    """Every ``rdfs:subClassOf`` between named classes in a pyoxigraph store."""
    return [(q.subject.value, q.object.value)
            for q in store.quads_for_pattern(None, ox.NamedNode(RDFS_SUBCLASS), None)
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)]


def short(iri: str) -> str:
    """An IRI with the project prefixes, for messages."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


def obj_text(obj: Obj | None) -> str | None:
    if obj is None:
        return None
    if isinstance(obj, tuple):
        return obj[0]
    return obj


_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def obj_nt(obj: Obj) -> str:
    """An object in N-Triples syntax (called once per staged triple: kept lean)."""
    if obj.__class__ is tuple:
        lexical, datatype = obj
        escaped = lexical.translate(_NT_ESCAPES)
        if datatype == XSD_STRING:
            return f'"{escaped}"'
        if datatype[0] == "@":
            return f'"{escaped}"{datatype}'
        return f'"{escaped}"^^<{datatype}>'
    return obj if obj.startswith("_:") else f"<{obj}>"
