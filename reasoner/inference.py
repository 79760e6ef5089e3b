"""OWL 2 RL materialisation: the inferences the rest of medsupply relies on, written once at load.

The reasoner is ``reasonable`` (a Rust OWL 2 RL engine); see ``bench/RESULTS.md`` for why it was
chosen over owlrl and owlready2. Input is the ontology plus every data graph; output is only what
is new, written to the ``inferences`` graph so that each fact stays traceable to its source.
"""

from __future__ import annotations

import pyoxigraph as ox
import rdflib

from reasoner.namespaces import graph_iri
from reasoner.store import OxigraphStore

INFERENCES = "inferences"
_SKIPPED_GRAPHS = {"inferences", "shapes", "system"}


def _to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def _to_ox(term: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, rdflib.Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def materialise(store: OxigraphStore) -> int:
    """Recompute the ``inferences`` graph from the ontology and the data. Returns its size."""
    import reasonable

    target = graph_iri(INFERENCES)
    skipped = {graph_iri(g) for g in _SKIPPED_GRAPHS}
    asserted: set[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, object]] = set()
    graph = rdflib.Graph()
    for quad in store.raw:
        if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value in skipped:
            continue
        asserted.add((quad.subject, quad.predicate, quad.object))
        graph.add((_to_rdflib(quad.subject), _to_rdflib(quad.predicate), _to_rdflib(quad.object)))
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(graph)
    inferred = []
    graph_node = ox.NamedNode(target)
    for s, p, o in reasoner.reason():
        triple = (_to_ox(s), _to_ox(p), _to_ox(o))
        if triple in asserted or isinstance(triple[0], ox.Literal):
            continue
        inferred.append(ox.Quad(triple[0], triple[1], triple[2], graph_node))  # type: ignore[arg-type]
    return store.replace_graph(target, inferred)
