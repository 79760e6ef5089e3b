"""The reference path: the same shapes and snapshot, run by pySHACL.

One pySHACL run per snapshot: the snapshot is copied once per shape to evaluate (one focus node per
scope/requirement/exemption condition), and each copy is the sh:targetNode of a wrapper shape that
points at the rule's shape with sh:node. A copy conforms when pySHACL reports no result for it.
Cumulative requirements get a wrapper copy of the requirement with the summed minimum.

pySHACL is two-valued (standard SHACL: a constraint on a missing value holds vacuously), so it is
compared with the fast path's ``two_valued`` mode shape by shape, and with its three-valued statuses
wherever those are not unknown (see docs/rules-engine.md, "Conformance").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from reasoner.rules.check import PlanItem
from reasoner.rules.model import SH
from reasoner.rules.snapshot import IRI, Snapshot, snapshot_to_quads

FOCUS = "urn:medsupply:focus:"


def _rdflib_term(term: Any) -> Node:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    lang = term.language
    if lang:
        return Literal(term.value, lang=lang)
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def snapshot_graph(snap: Snapshot, copies: list[str]) -> Graph:
    """The snapshot as an rdflib graph, its top-level facts repeated on every copy focus node."""
    graph = Graph()
    top = URIRef(snap.focus)
    for quad in snapshot_to_quads(snap):
        s, p, o = (_rdflib_term(quad.subject), _rdflib_term(quad.predicate), _rdflib_term(quad.object))
        if s == top:
            for copy in copies:
                graph.add((URIRef(copy), p, o))
        else:
            graph.add((s, p, o))
    return graph


def _clone_with_minimum(shapes: Graph, shape: Node, path: str, offset: Decimal) -> BNode:
    """A copy of a requirement node shape whose sh:minInclusive on ``path`` is raised by ``offset``."""
    clone = BNode()
    for p, o in shapes.predicate_objects(shape):
        if p == SH.property and shapes.value(o, SH.path) == URIRef(path):
            prop = BNode()
            for pp, oo in shapes.predicate_objects(o):
                if pp == SH.minInclusive:
                    oo = Literal(Decimal(str(oo.toPython())) + offset)
                shapes.add((prop, pp, oo))
            shapes.add((clone, SH.property, prop))
        elif p != RDF.type:
            shapes.add((clone, p, o))
    shapes.add((clone, RDF.type, SH.NodeShape))
    return clone


def reference_conformance(plan: list[PlanItem], snap: Snapshot, rules_graph: Graph,
                          base_applies: dict[str, bool]) -> dict[tuple[str, str], bool]:
    """pySHACL's verdict for every (obligation id, role) shape of the plan: role is scope, requirement or an exemption IRI.

    ``base_applies`` says, per base obligation IRI, whether it applies (two-valued) - used for the
    summed minimum of cumulative requirements.
    """
    import pyshacl

    shapes = Graph()
    for triple in rules_graph:
        shapes.add(triple)
    # the meta-shapes target law data, not products: drop their targets from this copy
    for meta in list(shapes.subjects(SH.targetClass, None)):
        shapes.remove((meta, SH.targetClass, None))
    targets: dict[str, tuple[str, str]] = {}
    for item in plan:
        if item.version is None:
            continue
        roles: list[tuple[str, Node]] = [("scope", item.version.scope)]
        requirement: Node = item.version.requirement
        if item.base is not None:
            for path, threshold in item.base_thresholds.items():
                requirement = _clone_with_minimum(shapes, requirement, path,
                                                  threshold if base_applies.get(item.base) else Decimal(0))
        roles.append(("requirement", requirement))
        for ex, _cond in item.exemptions:
            roles.append((ex.iri, ex.condition))
        for role, shape in roles:
            focus = f"{FOCUS}{len(targets)}"
            targets[focus] = (item.obligation.id, role)
            wrapper = BNode()
            shapes.add((wrapper, RDF.type, SH.NodeShape))
            shapes.add((wrapper, SH.targetNode, URIRef(focus)))
            shapes.add((wrapper, SH.node, shape))
    data = snapshot_graph(snap, list(targets))
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=False)
    failing = {str(report.value(r, SH.focusNode)) for r in report.subjects(RDF.type, SH.ValidationResult)}
    return {targets[f]: f not in failing for f in targets}


def reference_status(item: PlanItem, verdicts: dict[tuple[str, str], bool]) -> str:
    """The status the decision procedure gives from pySHACL's two-valued verdicts."""
    if item.version is None:
        return "not-applicable"
    ob = item.obligation.id
    if not verdicts[(ob, "scope")]:
        return "not-applicable"
    for ex, _cond in item.exemptions:
        if verdicts[(ob, ex.iri)]:
            return "not-applicable"
    return "satisfied" if verdicts[(ob, "requirement")] else "violated"


def is_iri(value: Any) -> bool:
    return isinstance(value, IRI)
