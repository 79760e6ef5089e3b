"""A product's facts as of a date: a small graph of flattened properties, each with its source graph.

Two ways in, one way out:

- from the store: the fact families ``queries/engine/facts-*.rq`` (one product, or every product at
  once), which also derive what SHACL Core cannot compute;
- from request JSON: the declarative mapping ``shapes/context/product-request.yaml``, with the
  facts the request leaves out looked up by ATC code where the mapping says so.

Requests then run ``queries/engine/derive-facts.rq`` (whole months of notice, price ratios, whether an
exemption is in force on the date), so the shapes stay SHACL Core. Missing facts stay missing:
the evaluator treats them as unknown.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from reasoner.errors import InputError, NotFound, RuleDataError
from reasoner.inference import RDF_TYPE
from reasoner.namespaces import GRAPH, ID, PREFIXES, graph_iri
from reasoner.queries import NamedQuery, all_queries, named_query

XSD = "http://www.w3.org/2001/XMLSchema#"
REQUEST_GRAPH = graph_iri("request")
"""Facts stated in a request JSON sit in this pseudo graph, so answers can say where they came from."""


class IRI(str):
    """An IRI value in a snapshot (as opposed to a string literal)."""


@dataclass
class Snapshot:
    """The facts of one node (a product, or an interruption/exemption record under it)."""

    focus: str
    facts: dict[str, list[Any]] = field(default_factory=dict)
    sources: dict[str, list[str | None]] = field(default_factory=dict)

    def values(self, prop: str) -> list[Any]:
        return self.facts.get(prop, [])

    def add(self, prop: str, value: Any, graph: str | None) -> None:
        values = self.facts.setdefault(prop, [])
        if value in values and not isinstance(value, Snapshot):
            return
        values.append(value)
        self.sources.setdefault(prop, []).append(graph)


# ---------------------------------------------------------------- RDF terms <-> Python values

def to_python(term: Any) -> Any:
    """A pyoxigraph term as the Python value the evaluator compares."""
    if isinstance(term, ox.NamedNode):
        return IRI(term.value)
    if isinstance(term, ox.BlankNode):
        return IRI("_:" + term.value)
    if not isinstance(term, ox.Literal):
        return str(term)
    return literal_value(term.value, term.datatype.value)


def literal_value(text: str, dt: str) -> Any:
    """A literal's Python value from its lexical form and datatype IRI (the text itself when the
    datatype is not one the evaluator compares, or the form is not valid for it)."""
    try:
        if dt == XSD + "boolean":
            return text in ("true", "1")
        if dt in (XSD + "integer", XSD + "int", XSD + "long", XSD + "nonNegativeInteger", XSD + "positiveInteger"):
            return int(text)
        if dt in (XSD + "decimal", XSD + "double", XSD + "float"):
            return Decimal(text)
        if dt == XSD + "date":
            return date.fromisoformat(text[:10])
    except (ValueError, InvalidOperation):
        return text
    return text


def to_term(value: Any) -> ox.NamedNode | ox.Literal:
    """A Python value as a pyoxigraph term (inverse of :func:`to_python`)."""
    if isinstance(value, IRI):
        return ox.NamedNode(value)
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, (Decimal, float)):
        return ox.Literal(format(Decimal(str(value)), "f"), datatype=ox.NamedNode(XSD + "decimal"))
    if isinstance(value, date):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    return ox.Literal(str(value))


def expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    if prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return curie


def compact(iri: str) -> str:
    for prefix, base in PREFIXES.items():
        if iri.startswith(base) and len(iri) > len(base):
            return f"{prefix}:{iri[len(base):]}"
    return iri


def graph_name(graph: str | None) -> str | None:
    """The short name of a source graph (``msg:ulcm`` → ``ulcm``)."""
    if graph is None:
        return None
    return graph[len(str(GRAPH)):] if graph.startswith(str(GRAPH)) else graph


# ---------------------------------------------------------------- quads -> snapshots

def snapshots_from_quads(quads: Iterable[ox.Quad], kind_property: str) -> dict[str, Snapshot]:
    """Group snapshot quads by subject; products are the subjects with a ``kind`` fact; records nest."""
    nodes: dict[str, Snapshot] = {}
    links: list[tuple[str, str, str, str | None]] = []
    for quad in quads:
        subject = quad.subject.value if isinstance(quad.subject, ox.NamedNode) else "_:" + quad.subject.value
        graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else None
        node = nodes.setdefault(subject, Snapshot(subject))
        value = to_python(quad.object)
        if isinstance(value, IRI):
            links.append((subject, quad.predicate.value, value, graph))
        else:
            node.add(quad.predicate.value, value, graph)
    for subject, prop, target, graph in links:
        nested = nodes.get(target)
        if nested is not None and nested is not nodes[subject] and prop != kind_property:
            nodes[subject].add(prop, nested, graph)
        else:
            nodes[subject].add(prop, target, graph)
    return {s: n for s, n in nodes.items() if kind_property in n.facts}


def derive(quads: list[ox.Quad], on: date, queries_dir: Path) -> list[ox.Quad]:
    """Add the derived facts of ``derive-facts.rq`` to the raw snapshot quads."""
    scratch = ox.Store()
    scratch.extend(quads)
    sparql = named_query(queries_dir, "engine/derive-facts").sparql
    result = scratch.query(sparql, prefixes=dict(PREFIXES), use_default_graph_as_union=True,
                           substitutions={ox.Variable("on"): to_term(on)})
    derived = [ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in result
               if row["o"] is not None and row["g"] is not None]
    return quads + derived


# ---------------------------------------------------------------- from the store

def resolve_product(store: Any, product_id: str) -> str:
    """The product IRI for a registration number as the graph holds it ("RVG 12345") or an IRI."""
    from reasoner.namespaces import MS

    # index lookups rather than SPARQL: parsing a query costs more than answering this one
    text = product_id.strip()
    if text.startswith("http://") or text.startswith("https://") or text.startswith("msid:"):
        iri = expand(text)
        if next(iter(store.raw.quads_for_pattern(ox.NamedNode(iri), RDF_TYPE, None, None)), None) is not None:
            return iri
        raise NotFound(f"no product <{iri}> in the store", where="product")
    found = next(iter(store.raw.quads_for_pattern(None, ox.NamedNode(str(MS.registrationNumber)), ox.Literal(text), None)),
                 None)
    if found is None:
        raise NotFound(f"no product with registration number {text!r} in the store", where="product")
    return found.subject.value


STORE_FACTS = "engine/facts-"
"""The store snapshot is the union of the named queries ``queries/engine/facts-*.rq``, one per fact family.

Each selects ``?product ?s ?p ?o ?g`` (product, subject - the product or a record under it;
a family that leaves ``?s`` out speaks of the product itself -, snapshot property, value, source graph) for one product (``?product`` bound) or for every product
(unbound), as of ``?on`` where the family declares it; or ``?product ?record``, a fact record
worked out at load (``queries/derive/``) that packs such rows as text (:func:`record_rows`).
Families are small single-purpose SELECTs rather than one big UNION so that a bound product reaches
every part, and so that the whole graph streams family by family."""

RECORD_FIELDS = 6
"""A fact record line: property, datatype (empty: the value is an IRI), source graph, valid from,
valid before (ISO dates; empty: unbounded), value (last, so it may hold a tab). IRIs may be written
as CURIEs of the project's prefixes (``ms:kind``)."""


WHOLE_GRAPH_FORMS = "engine/whole-graph/"
"""A family may have a second form for every product at once, ``queries/engine/whole-graph/<family>.rq``:
the same rows, planned the other way round (per contract rather than per product, say). pyoxigraph
evaluates a sub-SELECT in full whatever is bound outside it, so the plan that is fastest for one
product is a scan per product over the whole graph, and the reverse; the conformance tests hold the
two forms to the same rows."""


@lru_cache(maxsize=8)
def fact_queries(queries_dir: Path) -> tuple[NamedQuery, ...]:
    """The store-snapshot fact families, in name order (read once per folder: they are the program)."""
    return tuple(q for q in all_queries(queries_dir, "engine") if q.name.startswith(STORE_FACTS))


@lru_cache(maxsize=8)
def whole_graph_queries(queries_dir: Path) -> tuple[NamedQuery, ...]:
    """The families as run over every product: each one's whole-graph form where it has one."""
    forms = {q.name[len(WHOLE_GRAPH_FORMS):]: q for q in all_queries(queries_dir, WHOLE_GRAPH_FORMS.rstrip("/"))}
    unknown = set(forms) - {q.name.split("/", 1)[1] for q in fact_queries(queries_dir)}
    if unknown:
        raise RuleDataError(f"whole-graph forms without a fact family: {sorted(unknown)}", where=WHOLE_GRAPH_FORMS)
    return tuple(forms.get(q.name.split("/", 1)[1], q) for q in fact_queries(queries_dir))


class TermCache:
    """pyoxigraph terms as Python values, each distinct term converted once (graphs, properties and
    common values repeat across millions of rows)."""

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}
        self._iris: dict[str, str] = {}

    def value(self, term: Any) -> Any:
        try:
            return self._values[term]
        except KeyError:
            value = to_python(term)
            if len(self._values) < 2_000_000:
                self._values[term] = value
            return value

    def lexical(self, text: str, datatype: str) -> Any:
        """The value of a term written as its lexical form and datatype (empty: an IRI; either may be a CURIE)."""
        key = (text, datatype)
        try:
            return self._values[key]
        except KeyError:
            value = IRI(expand(text)) if not datatype else literal_value(text, expand(datatype))
            if len(self._values) < 2_000_000:
                self._values[key] = value
            return value

    def iri(self, text: str) -> str:
        """An IRI written in full or as a CURIE of the project's prefixes, in full."""
        try:
            return self._iris[text]
        except KeyError:
            value = self._iris[text] = expand(text)
            return value

    def text(self, term: Any) -> str:
        """An IRI or blank node as text: the same :class:`IRI` value as :meth:`value` (one table for
        both, so a node first met as a subject is still an IRI when met again as a value, which is
        how a record's rows find the fact that links to it)."""
        return self.value(term)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Otherwise:
    """What a whole-graph form leaves unsaid: the facts of every product it gives no row for.

    Declared in the form's header, for example::

        # otherwise: ms:supplyInterruptionCount 0
        # otherwise for: ms:kind
        # otherwise cites: graph of ms:kind

    ``for`` names the fact a product must have (``ms:kind``, or ``ms:kind ms:MedicinalProduct`` for
    one value of it); ``cites`` names the graph the facts cite (a graph, or ``graph of`` a fact). So a
    form can return rows only for the products with something to say (those covered by an exemption,
    say) rather than one "none" row per product of a million.
    """

    facts: tuple[tuple[str, Any], ...]
    anchor: str
    anchor_value: Any
    cites: str
    cites_graph_of: bool

    @staticmethod
    def of(query: NamedQuery) -> Otherwise | None:
        stated = query.meta.get("otherwise")
        if not stated:
            return None
        try:
            facts = tuple((expand(prop), _header_value(value))
                          for prop, value in (part.split() for part in stated.split(";")))
            anchor, *value = query.meta["otherwise for"].split()
            cites = query.meta["otherwise cites"].split()
            if not cites:
                raise ValueError("nothing cited")
        except (KeyError, ValueError):
            raise RuleDataError("'otherwise' needs facts as 'property value; ...', 'otherwise for: property [value]' "
                                "and 'otherwise cites: graph' or 'graph of property'", where=query.name) from None
        graph_of = cites[:2] == ["graph", "of"]
        return Otherwise(facts, expand(anchor), _header_value(value[0]) if value else None,
                         expand(cites[-1]), graph_of)

    def rows(self, focus: str, anchor_value: Any, anchor_graph: str | None, covered: set[str],
             wanted: frozenset[str] | None) -> Iterator[tuple[str, str, str, Any, str | None]]:
        """The facts of one product whose anchor fact is ``anchor_value``, unless the form covered it."""
        if focus in covered or (self.anchor_value is not None and anchor_value != self.anchor_value):
            return
        cites = anchor_graph if self.cites_graph_of else self.cites
        for prop, fact in self.facts:
            if wanted is None or prop in wanted:
                yield focus, focus, prop, fact, cites


def _header_value(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return IRI(expand(text)) if ":" in text else text


def declared_facts(query: NamedQuery) -> frozenset[str] | None:
    """The properties a family says it gives (``# facts: ms:a ms:b``), or None when it does not say."""
    stated = query.meta.get("facts")
    return frozenset(expand(curie) for curie in stated.split()) if stated else None


def _family_results(store: Any, on: date, queries_dir: Path, product: str | None,
                    progress: Callable[[str], None], needed: frozenset[str] | None = None) -> Iterator[tuple[NamedQuery, Any | None]]:
    """Each fact family's solutions (for one product, or the whole-graph forms for every product),
    and a word to ``progress`` on how long each took once its consumer has read it. With ``needed``
    (the properties the rules in play read), a family that declares its facts and gives none of
    them is not run: under the in-force regime no rule reads the procurement facts, for example.
    For one product, a family whose guard does not hold (:func:`_holds`) gives None."""
    given: dict[str, Any] = {"on": to_term(on)}
    if product is not None:
        given["product"] = ox.NamedNode(product)
    families = fact_queries(queries_dir) if product is not None else whole_graph_queries(queries_dir)
    if needed is not None:
        families = tuple(q for q in families if (declared_facts(q) is None or declared_facts(q) & needed))
    substitutions: dict[str, dict[str, Any]] = {}
    for query in families:
        declared = {p.name for p in query.parameters}
        substitutions[query.name] = {k: v for k, v in given.items() if k in declared}
        if product is not None and "product" not in declared:
            raise RuleDataError(f"fact query {query.name} does not declare the parameter product", where=query.name)
    with ThreadPoolExecutor(max_workers=1) as background:
        ahead = {} if product is not None else _evaluate_ahead(store, families, substitutions, background)
        for query in sorted(families, key=lambda q: q.name in ahead):
            started = time.perf_counter()
            if query.name in ahead:
                solutions = ox.parse_query_results(ahead[query.name].result(), format=ox.QueryResultsFormat.TSV)
            elif product is not None and not _holds(store, product, query):
                solutions = None
            else:
                solutions = store.query(query.sparql, substitutions=substitutions[query.name])
            yield query, solutions
            progress(f"read {query.name} in {time.perf_counter() - started:.1f} s")


def _holds(store: Any, product: str, query: NamedQuery) -> bool:
    """Whether a family's guard (``# when: ms:p``, the product has a ``ms:p``; ``# when: ^ms:p``,
    something has the product as its ``ms:p``) holds for the product; true for a family without one.

    A family with a guard has rows for a product only when it holds; otherwise the product gets what
    the family's whole-graph form says of products it leaves out (:class:`Otherwise`). The guard is
    one index lookup, where the query costs its parsing and planning (0.3-0.9 ms at any size)."""
    guard = query.meta.get("when")
    if not guard:
        return True
    inverse = guard.startswith("^")
    predicate = ox.NamedNode(expand(guard.lstrip("^")))
    node = ox.NamedNode(product)
    pattern = (None, predicate, node, None) if inverse else (node, predicate, None, None)
    return next(iter(store.raw.quads_for_pattern(*pattern)), None) is not None


def store_rows(store: Any, on: date, queries_dir: Path, product: str | None = None,
               cache: TermCache | None = None, progress: Callable[[str], None] | None = None,
               wanted: frozenset[str] | None = None,
               needed: frozenset[str] | None = None) -> Iterator[tuple[str, str, str, Any, str | None]]:
    """(product, subject, property, value, graph) rows of every fact family, streamed; only those of
    the ``wanted`` properties when given; families giving none of the ``needed`` ones skipped
    (:func:`_family_results`). Over every product, the rows whole-graph forms leave unsaid
    (:class:`Otherwise`) come last."""
    cache = cache or TermCache()
    unsaid: list[tuple[Otherwise, set[str]]] = []
    otherwise_of = otherwise_by_family(queries_dir)
    anchors: dict[str, dict[str, tuple[Any, str | None]]] = {o.anchor: {} for o in otherwise_of.values()}
    for query, solutions in _family_results(store, on, queries_dir, product, progress or (lambda _m: None), needed):
        if solutions is None:  # the family's guard does not hold for the product
            if query.name in otherwise_of:
                unsaid.append((otherwise_of[query.name], set()))
            continue
        rows = (family_rows(solutions, on, cache, query.name, wanted) if product is not None
                else rows_noting_cover(otherwise_of.get(query.name), query.name, solutions, on, cache, wanted, unsaid))
        for row in rows:
            if row[2] in anchors and row[0] == row[1]:
                anchors[row[2]].setdefault(row[0], (row[3], row[4]))
            yield row
    for otherwise, covered in unsaid:
        for focus, (value, graph) in anchors[otherwise.anchor].items():
            yield from otherwise.rows(focus, value, graph, covered, wanted)


@lru_cache(maxsize=8)
def otherwise_by_family(queries_dir: Path) -> dict[str, Otherwise]:
    """What each family's whole-graph form says of the products it leaves out, by family name."""
    found = {}
    for family, form in zip(fact_queries(queries_dir), whole_graph_queries(queries_dir)):
        otherwise = Otherwise.of(form)
        if otherwise is not None:
            found[family.name] = found[form.name] = otherwise
    return found


def rows_noting_cover(otherwise: Otherwise | None, where: str, solutions: Any, on: date, cache: TermCache,
                       wanted: frozenset[str] | None,
                       unsaid: list[tuple[Otherwise, set[str]]]) -> Iterator[tuple[str, str, str, Any, str | None]]:
    """A whole-graph form's rows; when it states what it leaves unsaid (``otherwise``), the products
    it covered are noted in ``unsaid`` beside that statement."""
    if otherwise is None:
        yield from family_rows(solutions, on, cache, where, wanted)
        return
    covered: set[str] = set()
    unsaid.append((otherwise, covered))
    for row in family_rows(solutions, on, cache, where, wanted):
        covered.add(row[0])
        yield row


def _evaluate_ahead(store: Any, families: Iterable[NamedQuery], substitutions: dict[str, dict[str, Any]],
                    background: ThreadPoolExecutor) -> dict[str, Future[bytes]]:
    """Start the families that return rows (not records) on the other core: pyoxigraph evaluates a
    query and writes its results as TSV without holding the GIL, so their joins run while this
    thread unpacks the records; their rows are then read from the TSV."""
    ahead: dict[str, Future[bytes]] = {}
    for query in families:
        if "record" in {v.value for v in store.query(query.sparql, substitutions=substitutions[query.name]).variables}:
            continue
        ahead[query.name] = background.submit(
            lambda q=query: store.query(q.sparql, substitutions=substitutions[q.name]).serialize(
                format=ox.QueryResultsFormat.TSV))
    return ahead


def family_rows(solutions: Any, on: date, cache: TermCache, where: str,
                 wanted: frozenset[str] | None) -> Iterator[tuple[str, str, str, Any, str | None]]:
    """The rows of one family's solutions: unpacked records, or ``?product ?s ?p ?o ?g`` rows."""
    if "record" in {v.value for v in solutions.variables}:
        for row in solutions:
            product_term, record = row["product"], row["record"]
            if product_term is not None and record is not None:
                yield from record_rows(cache.text(product_term), record.value, on, cache, where, wanted)
        return
    subject = "s" in {v.value for v in solutions.variables}
    for row in solutions:
        product_term, p, o, g = row["product"], row["p"], row["o"], row["g"]
        s = row["s"] if subject else product_term
        if product_term is None or s is None or p is None or o is None:
            continue
        if wanted is not None and p.value not in wanted:
            continue
        yield (cache.text(product_term), cache.text(s), cache.text(p), cache.value(o),
               cache.text(g) if g is not None else None)


def record_rows(product: str, record: str, on: date, cache: TermCache, where: str,
                wanted: frozenset[str] | None = None) -> Iterator[tuple[str, str, str, Any, str | None]]:
    """The fact rows a packed record holds for ``product`` on ``on`` (lines valid on another date, or
    of a property not ``wanted``, are skipped)."""
    day = on.isoformat()
    for line in record.split("\n"):
        fact = record_line(product, line, day, cache, where, wanted)
        if fact is not None:
            yield product, product, *fact


def record_line(product: str, line: str, day: str, cache: TermCache, where: str,
                wanted: frozenset[str] | None) -> tuple[str, Any, str | None] | None:
    """(property, value, graph) of one record line valid on ``day`` (ISO) and wanted, else None."""
    fields = line.split("\t", RECORD_FIELDS - 1)
    if len(fields) != RECORD_FIELDS:
        raise RuleDataError(f"malformed fact record of <{product}>: {line[:120]!r} (expected {RECORD_FIELDS} "
                            "tab-separated fields)", where=where)
    prop, datatype, graph, valid_from, valid_before, lexical = fields
    if (valid_from and day < valid_from) or (valid_before and day >= valid_before):
        return None
    prop = cache.iri(prop)
    if wanted is not None and prop not in wanted:
        return None
    return prop, cache.lexical(lexical, datatype), cache.iri(graph) if graph else None


def snapshots_from_rows(rows: Iterable[tuple[str, str, str, Any, str | None]], kind_property: str) -> dict[str, Snapshot]:
    """Group fact rows by product; a record's rows (subject is not the product) nest under the fact that links to it."""
    return group_rows(rows, {}, kind_property)


def group_rows(rows: Iterable[tuple[str, str, str, Any, str | None]], snaps: dict[str, Snapshot],
           kind_property: str) -> dict[str, Snapshot]:
    """Add fact rows to the products' snapshots (``snaps``, created as needed); keep the products.

    A record (an exemption, a notification) nests under each product whose rows name it: one
    exemption covering many products is a record under each of them."""
    records: dict[tuple[str, str], Snapshot] = {}
    for product, subject, prop, value, graph in rows:
        node = snaps.get(product)
        if node is None:
            node = snaps[product] = Snapshot(product)
        if subject != product:
            node = records.get((product, subject))  # type: ignore[assignment]
            if node is None:
                node = records[(product, subject)] = Snapshot(subject)
        node.add(prop, value, graph)
    for (product, subject), record in records.items():
        facts = snaps[product].facts
        for prop, values in facts.items():
            for i, value in enumerate(values):
                if isinstance(value, IRI) and value == subject:
                    values[i] = record
    return {s: n for s, n in snaps.items() if kind_property in n.facts}


def from_store(store: Any, product_iri: str, on: date, queries_dir: Path, kind_property: str,
               needed: frozenset[str] | None = None) -> Snapshot:
    """One product's snapshot; with ``needed``, without the families that give none of those facts."""
    snaps = snapshots_from_rows(store_rows(store, on, queries_dir, product_iri, needed=needed), kind_property)
    if product_iri not in snaps:
        raise NotFound(f"<{product_iri}> is not a medicinal product or medical device in the store", where="product")
    return snaps[product_iri]


# ---------------------------------------------------------------- from request JSON

@lru_cache(maxsize=4)
def load_mapping(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _check_date(value: Any, where: str) -> date:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise InputError(f"expected a date as YYYY-MM-DD, got {value!r}", where=where)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"impossible date {value!r}", where=where) from None


def _scalar(spec: dict[str, Any], value: Any, where: str) -> Any:
    kind = spec["type"]
    if kind == "boolean":
        if not isinstance(value, bool):
            raise InputError(f"expected true or false, got {value!r}", where=where)
        return value
    if kind in ("decimal", "integer"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(f"expected a number, got {value!r}", where=where)
        if kind == "integer" and not float(value).is_integer():
            raise InputError(f"expected a whole number, got {value!r}", where=where)
        if "minimum" in spec and value < spec["minimum"]:
            raise InputError(f"must be at least {spec['minimum']}, got {value!r}", where=where)
        return int(value) if kind == "integer" else Decimal(str(value))
    if kind == "date":
        return _check_date(value, where)
    if kind == "string":
        if not isinstance(value, str):
            raise InputError(f"expected a string, got {value!r}", where=where)
        if "pattern" in spec and not re.fullmatch(spec["pattern"], value):
            raise InputError(f"{value!r} is not a valid value here (pattern {spec['pattern']})", where=where)
        return value
    if kind == "enum":
        if value not in spec["values"]:
            raise InputError(f"unknown value {value!r}; use one of {sorted(spec['values'])}", where=where)
        return IRI(expand(spec["values"][value]))
    raise InputError(f"mapping error: unknown field type {kind!r}", where=where)


def _on_null(spec: dict[str, Any], node: Snapshot) -> None:
    for prop, value in (spec.get("on_null") or {}).items():
        node.add(expand(prop), IRI(expand(value)) if isinstance(value, str) and ":" in value else value, REQUEST_GRAPH)


def _fields(fields: dict[str, Any], data: Any, node: Snapshot, where: str, lookups: list[str]) -> None:
    if not isinstance(data, dict):
        raise InputError(f"expected an object, got {type(data).__name__}", where=where)
    for name in data:
        if name not in fields:
            raise InputError(f"unknown field {name!r}; known fields: {', '.join(sorted(fields))}", where=f"{where}.{name}")
    for name, spec in fields.items():
        here = f"{where}.{name}"
        if name not in data:
            if spec.get("required"):
                raise InputError("this field is required", where=here)
            if spec.get("on_absent") == "lookup":
                lookups.append(expand(spec["property"]))
            continue
        value = data[name]
        kind = spec["type"]
        if value is None:
            if spec.get("required"):
                raise InputError("this field is required", where=here)
            if "count" in spec:
                node.add(expand(spec["count"]), 0, REQUEST_GRAPH)
            _on_null(spec, node)
            continue
        if kind == "object" and "property" not in spec:
            _fields(spec["fields"], value, node, here, lookups)
            continue
        if kind in ("object", "list") and "fields" in spec:
            items = value if kind == "list" else [value]
            if kind == "list" and not isinstance(value, list):
                raise InputError(f"expected a list, got {type(value).__name__}", where=here)
            for i, item in enumerate(items):
                child = Snapshot(f"{node.focus}/{name}/{i}")
                _fields(spec["fields"], item, child, f"{here}[{i}]" if kind == "list" else here, lookups)
                node.add(expand(spec["property"]), child, REQUEST_GRAPH)
            if "count" in spec:
                node.add(expand(spec["count"]), len(items), REQUEST_GRAPH)
            continue
        if kind == "list":
            if not isinstance(value, list):
                raise InputError(f"expected a list, got {type(value).__name__}", where=here)
            for i, item in enumerate(value):
                node.add(expand(spec["property"]), _scalar({"type": spec.get("item_type", "string")}, item, f"{here}[{i}]"),
                         REQUEST_GRAPH)
            continue
        node.add(expand(spec["property"]), _scalar(spec, value, here), REQUEST_GRAPH)
        for prop, extra in (spec.get("also") or {}).items():
            node.add(expand(prop), extra, REQUEST_GRAPH)


def snapshot_to_quads(node: Snapshot) -> list[ox.Quad]:
    """A snapshot as quads (nested records become blank-node-free IRIs under the focus)."""
    quads: list[ox.Quad] = []
    subject = ox.NamedNode(node.focus)
    for prop, values in node.facts.items():
        for value, graph in zip(values, node.sources.get(prop, [])):
            g = ox.NamedNode(graph or REQUEST_GRAPH)
            if isinstance(value, Snapshot):
                quads.append(ox.Quad(subject, ox.NamedNode(prop), ox.NamedNode(value.focus), g))
                quads.extend(snapshot_to_quads(value))
            else:
                quads.append(ox.Quad(subject, ox.NamedNode(prop), to_term(value), g))
    return quads


def request_focus(product: dict[str, Any]) -> str:
    ident = product.get("id")
    slug = re.sub(r"[^a-z0-9]+", "-", str(ident).lower()).strip("-") if isinstance(ident, str) and ident else "request"
    return str(ID[f"product/{slug}"])


def from_request(request: dict[str, Any], store: Any, on: date, mapping_path: Path, queries_dir: Path,
                 kind_property: str) -> Snapshot:
    """Validate and map a request JSON ({"product": {...}} or the product object) to a snapshot."""
    mapping = load_mapping(mapping_path)
    root = mapping["root"]
    if not isinstance(request, dict):
        raise InputError("expected a JSON object", where="request")
    product = request.get(root) if root in request else request
    if root in request and len(request) > 1:
        extra = sorted(k for k in request if k != root)
        raise InputError(f"unknown field(s) {extra}; the request holds {root!r} only", where=extra[0])
    node = Snapshot(request_focus(product if isinstance(product, dict) else {}))
    lookups: list[str] = []
    _fields(mapping["fields"], product, node, root, lookups)
    if lookups:
        _lookup_by_atc(node, lookups, store, queries_dir)
    quads = derive(snapshot_to_quads(node), on, queries_dir)
    return snapshots_from_quads(quads, kind_property)[node.focus]


def _lookup_by_atc(node: Snapshot, properties: list[str], store: Any, queries_dir: Path) -> None:
    """Facts the request left out that the graph knows by ATC code (critical category, Union list)."""
    from reasoner.namespaces import MS

    codes = [v for v in node.values(str(MS.atcCode)) if isinstance(v, str)]
    if not codes or store is None:
        return
    sparql = named_query(queries_dir, "engine/atc-facts").sparql
    rows = store.select(sparql, substitutions={"code": ox.Literal(codes[0])})
    wanted = set(properties)
    for row in rows:
        prop = row["p"].value
        if prop in wanted:
            node.add(prop, to_python(row["o"]), row["g"].value if "g" in row else None)
