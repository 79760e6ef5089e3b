"""OWL 2 RL materialisation: the inferences the rest of medsupply relies on, written once at load.

Which inferences: the ones queries and rules read without spelling out the schema —

- subclass typing (OWL 2 RL rules cax-sco, cax-eqc1/2 over the closure scm-sco, scm-eqc):
  a ``ms:FullLineWholesaler`` is also a ``ms:Wholesaler`` and a ``ms:Organisation``;
- subproperties (prp-spo1, prp-eqp1/2): ``ms:articleOf`` also gives ``eli:is_part_of``;
- inverses (prp-inv1/2): ``ms:suppliesSubstance`` gives ``ms:suppliedBy`` and back;
- property chains (prp-spo2): ``ms:dependsOnCountry``, ``ms:dependsOnSupplier``.

Domain and range typing, ``owl:Thing`` typing, ``owl:sameAs`` and schema-level entailments are
deliberately left out: they swell the store without serving a query, and in open data they mostly
turn a typing slip into a silent wrong type.

Why not a general reasoner: ``bench/inference-results.md`` measures owlrl, reasonable and
owlready2 on this ontology. ``reasonable`` (the previous engine) does not apply
``owl:propertyChainAxiom``, so it never derived the country dependencies; owlrl and owlready2 +
HermiT do, but take 40 s and 26 s of CPU at 10k products and do not finish at 100k. The rules above,
applied to only the triples whose predicates they mention, take 0.5 s of CPU at 10k products and
about 7 s at 100k (840k inferred triples), writing included.

The axioms come from the ``ontology`` graph, never from Python: any subclass, subproperty,
inverse or chain added there is applied. Input is every graph except ``inferences`` and
``system``; output is only what no graph asserts, written to the ``inferences`` graph so that
each fact stays traceable to its source. Running it again gives the same graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from reasoner.namespaces import graph_iri
from reasoner.store import OxigraphStore

INFERENCES = "inferences"
ONTOLOGY = "ontology"
_SKIPPED_GRAPHS = frozenset({INFERENCES, "system"})

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = ox.NamedNode(_RDF + "type")
_OWL_THING = ox.NamedNode(_OWL + "Thing")

Pair = tuple[str, str]
"""(subject, object) in SPARQL/Turtle term syntax: ``<iri>``, ``_:id`` or a literal."""



@dataclass(frozen=True)
class Rules:
    """The OWL 2 RL axioms materialisation applies, as read from the ontology graph.

    ``superclasses`` and ``superproperties`` are already transitively closed and strict (a term
    is never its own super-term); ``inverses`` is symmetric; ``chains`` maps each derived
    property to its property chains (a property may have several).
    """

    superclasses: dict[ox.NamedNode, frozenset[ox.NamedNode]] = field(default_factory=dict)
    superproperties: dict[ox.NamedNode, frozenset[ox.NamedNode]] = field(default_factory=dict)
    inverses: dict[ox.NamedNode, frozenset[ox.NamedNode]] = field(default_factory=dict)
    chains: dict[ox.NamedNode, tuple[tuple[ox.NamedNode, ...], ...]] = field(default_factory=dict)

    def input_predicates(self) -> set[ox.NamedNode]:
        """Every property whose triples can take part in a derivation."""
        found = set(self.superproperties) | set(self.inverses)
        for targets in self.inverses.values():
            found |= targets
        for target, chains in self.chains.items():
            found.add(target)
            for chain in chains:
                found.update(chain)
        for supers in self.superproperties.values():
            found |= supers
        return found


def read_rules(store: OxigraphStore, ontology_graph: str | None = None) -> Rules:
    """Read subclass, subproperty, equivalence, inverse and chain axioms from the ontology graph."""
    graph = ox.NamedNode(ontology_graph or graph_iri(ONTOLOGY))
    raw = store.raw

    def pairs(predicate: str) -> Iterator[tuple[ox.NamedNode, ox.NamedNode]]:
        for quad in raw.quads_for_pattern(None, ox.NamedNode(predicate), None, graph):
            if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
                yield quad.subject, quad.object

    def closure(direct: Iterable[tuple[ox.NamedNode, ox.NamedNode]],
                equivalent: str) -> dict[ox.NamedNode, frozenset[ox.NamedNode]]:
        edges: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
        for sub, sup in direct:
            edges[sub].add(sup)
        for a, b in pairs(equivalent):
            edges[a].add(b)
            edges[b].add(a)
        result: dict[ox.NamedNode, frozenset[ox.NamedNode]] = {}
        for start in list(edges):
            seen: set[ox.NamedNode] = set()
            todo = list(edges[start])
            while todo:
                term = todo.pop()
                if term not in seen:
                    seen.add(term)
                    todo.extend(edges.get(term, ()))
            seen.discard(start)
            seen.discard(_OWL_THING)
            if seen:
                result[start] = frozenset(seen)
        return result

    inverses: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
    for a, b in pairs(_OWL + "inverseOf"):
        inverses[a].add(b)
        inverses[b].add(a)

    chains: dict[ox.NamedNode, list[tuple[ox.NamedNode, ...]]] = defaultdict(list)
    for quad in raw.quads_for_pattern(None, ox.NamedNode(_OWL + "propertyChainAxiom"), None, graph):
        members = _rdf_list(raw, quad.object, graph)
        if isinstance(quad.subject, ox.NamedNode) and members:
            chains[quad.subject].append(members)

    return Rules(
        superclasses=closure(pairs(_RDFS + "subClassOf"), _OWL + "equivalentClass"),
        superproperties=closure(pairs(_RDFS + "subPropertyOf"), _OWL + "equivalentProperty"),
        inverses={p: frozenset(q) for p, q in inverses.items()},
        chains={p: tuple(c) for p, c in chains.items()},
    )


def _rdf_list(raw: ox.Store, head: object, graph: ox.NamedNode) -> tuple[ox.NamedNode, ...]:
    first, rest, nil = ox.NamedNode(_RDF + "first"), ox.NamedNode(_RDF + "rest"), ox.NamedNode(_RDF + "nil")
    members: list[ox.NamedNode] = []
    node = head
    while node != nil:
        items = [q.object for q in raw.quads_for_pattern(node, first, None, graph)]  # type: ignore[arg-type]
        nexts = [q.object for q in raw.quads_for_pattern(node, rest, None, graph)]  # type: ignore[arg-type]
        if len(items) != 1 or len(nexts) != 1 or not isinstance(items[0], ox.NamedNode):
            return ()  # not a well-formed list of properties: ignore the axiom rather than guess
        members.append(items[0])
        node = nexts[0]
    return tuple(members)


def _input_graphs(store: OxigraphStore) -> list[ox.NamedNode | ox.DefaultGraph]:
    """The graphs materialisation reads: all but ``inferences`` and ``system``."""
    skipped = {graph_iri(g) for g in _SKIPPED_GRAPHS}
    graphs: list[ox.NamedNode | ox.DefaultGraph] = [ox.DefaultGraph()]
    graphs += [ox.NamedNode(g) for g in store.named_graphs() if g not in skipped]
    return graphs


def _rows(store: OxigraphStore, sparql: str, graphs: list[ox.NamedNode | ox.DefaultGraph]) -> Iterator[list[str]]:
    """A SELECT's solutions as lists of terms in SPARQL/Turtle syntax (``<iri>``, ``_:id``, literals).

    The results are serialised as TSV inside pyoxigraph in one call: building a Python object per
    term instead costs more than the whole derivation at 100k products.
    """
    result = store.raw.query(sparql, default_graph=graphs)
    text = result.serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8")
    lines = text.split("\n")
    for line in lines[1:]:
        if line:
            yield line.split("\t")


def _values(terms: Iterable[ox.NamedNode]) -> str:
    return " ".join(f"<{t.value}>" for t in sorted(terms, key=lambda t: t.value))


def derive_properties(rules: Rules, asserted: dict[str, set[Pair]]) -> dict[str, set[Pair]]:
    """Apply subproperty, inverse and chain rules to a fixpoint; return only the new pairs.

    Works on terms in SPARQL/Turtle syntax (``<iri>`` → set of (subject, object)). Each round
    first saturates subproperties and inverses (semi-naively: only pairs new in the last step
    are pushed), then joins each chain that one of the touched properties is a member of, once.
    """
    superproperties = {str(p): [str(q) for q in qs] for p, qs in rules.superproperties.items()}
    inverses = {str(p): [str(q) for q in qs] for p, qs in rules.inverses.items()}
    chains = [(str(t), tuple(str(m) for m in chain)) for t, cs in rules.chains.items() for chain in cs]
    known: dict[str, set[Pair]] = defaultdict(set)
    for predicate, pairs in asserted.items():
        known[predicate] |= pairs

    def fresh(produced: dict[str, set[Pair]]) -> dict[str, set[Pair]]:
        new: dict[str, set[Pair]] = {}
        for predicate, pairs in produced.items():
            pairs -= known[predicate]
            if pairs:
                known[predicate] |= pairs
                new[predicate] = pairs
        return new

    delta: dict[str, set[Pair]] = {p: pairs for p, pairs in known.items() if pairs}
    while delta:
        touched: set[str] = set()
        while delta:
            touched |= delta.keys()
            produced: dict[str, set[Pair]] = defaultdict(set)
            for predicate, pairs in delta.items():
                for sup in superproperties.get(predicate, ()):
                    produced[sup] |= pairs
                for inverse in inverses.get(predicate, ()):
                    produced[inverse].update((o, s) for s, o in pairs if o[0] in "<_")
            delta = fresh(produced)
        produced = defaultdict(set)
        for target, chain in chains:
            if touched.intersection(chain):
                produced[target] |= _join(chain, known)
        delta = fresh(produced)
    new = {p: pairs - asserted[p] if p in asserted else pairs for p, pairs in known.items()}
    return {p: pairs for p, pairs in new.items() if pairs}


def _index(pairs: Iterable[Pair]) -> dict[str, set[str]]:
    index: dict[str, set[str]] = defaultdict(set)
    for s, o in pairs:
        index[s].add(o)
    return index


def _join(chain: tuple[str, ...], known: dict[str, set[Pair]]) -> set[Pair]:
    """All (x, z) linked by the chain p1 ∘ p2 ∘ … ∘ pn over the known pairs.

    Composed right to left: the tail (for example substance → supplier → country) is small and
    shared by many products, so each product just looks up the set of ends of its substance.
    """
    tail = _index(known.get(chain[-1], ()))
    for member in reversed(chain[1:-1]):
        composed: dict[str, set[str]] = {}
        for start, middles in _index(known.get(member, ())).items():
            ends: set[str] = set()
            for middle in middles:
                found = tail.get(middle)
                if found:
                    ends |= found
            if ends:
                composed[start] = ends
        tail = composed  # type: ignore[assignment]
    result: set[Pair] = set()
    for start, middles in _index(known.get(chain[0], ())).items():
        for middle in middles:
            found = tail.get(middle)
            if found:
                result.update([(start, end) for end in found])
    return result


def derive_types(rules: Rules, store: OxigraphStore, graphs: list[ox.NamedNode | ox.DefaultGraph]) -> set[Pair]:
    """Subclass typing: every (node, superclass) pair, in SPARQL/Turtle syntax, that no input graph asserts."""
    classes = set(rules.superclasses)
    for supers in rules.superclasses.values():
        classes |= supers
    if not classes:
        return set()
    members: dict[str, set[str]] = defaultdict(set)
    for node, cls in _rows(store, f"SELECT ?s ?c WHERE {{ VALUES ?c {{ {_values(classes)} }} ?s a ?c }}", graphs):
        members[cls].add(node)
    inferred: set[Pair] = set()
    for cls, supers in rules.superclasses.items():
        nodes = members.get(str(cls), set())
        for sup in supers:
            already = members.get(str(sup), set())
            inferred.update((node, str(sup)) for node in nodes if node not in already)
    return inferred


def inferred_triples(store: OxigraphStore, rules: Rules | None = None) -> dict[str, set[Pair]]:
    """Every inferred triple that no input graph asserts, by predicate (terms in SPARQL/Turtle syntax)."""
    rules = rules or read_rules(store)
    graphs = _input_graphs(store)
    asserted: dict[str, set[Pair]] = defaultdict(set)
    predicates = rules.input_predicates()
    if predicates:
        query = f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {_values(predicates)} }} ?s ?p ?o }}"
        for subject, predicate, obj in _rows(store, query, graphs):
            asserted[predicate].add((subject, obj))
    derived = derive_properties(rules, dict(asserted))
    types = derive_types(rules, store, graphs)
    if types:
        derived[str(RDF_TYPE)] = types
    return derived


def materialise(store: OxigraphStore, batch: int = 500_000) -> int:
    """Recompute the ``inferences`` graph from the ontology and the data. Returns its size.

    The triples go in as N-Triples documents of ``batch`` triples, each parsed inside pyoxigraph in
    one transaction (one document for a million products' twenty million inferences held the text,
    its join and the transaction in memory at once: more than 23 GB); the few that touch a blank node
    (which must keep its identity) or a literal (written in Turtle shorthand by the TSV results) go
    in as quads. The old graph is dropped first, as every graph of the default dataset is when
    reloaded; ``replace_graph`` would spare readers that gap but sends the whole graph through one
    SPARQL ``INSERT DATA`` text, slower at 100k products than the derivation itself (see
    bench/inference-results.md).
    """
    triples = inferred_triples(store)
    target = graph_iri(INFERENCES)
    store.drop_graph(target)  # raises Refused on a read-only store, before the graph is touched
    text: list[str] = []
    with_blanks: list[ox.Quad] = []
    graph = ox.NamedNode(target)
    written = 0

    def write() -> None:
        store.raw.load(input="".join(text).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        text.clear()

    for predicate in list(triples):
        for s, o in triples.pop(predicate):
            if s[0] != "<" or o[0] != "<":
                with_blanks.append(ox.Quad(_term(s), _term(predicate), _term(o), graph))  # type: ignore[arg-type]
            else:
                text.append(f"{s} {predicate} {o} .\n")
                written += 1
                if len(text) >= batch:
                    write()
    if text:
        write()
    if with_blanks:
        store.add_quads(with_blanks)
    return written + len(with_blanks)


def _term(key: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A term back from SPARQL/Turtle syntax (only IRIs and blank nodes reach here as subjects)."""
    if key.startswith("<"):
        return ox.NamedNode(key[1:-1])
    if key.startswith("_:"):
        return ox.BlankNode(key[2:])
    (quad,) = ox.parse(input=f"<x:s> <x:p> {key} .".encode("utf-8"), format=ox.RdfFormat.TURTLE)
    return quad.object
