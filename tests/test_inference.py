"""Materialisation derives what queries rely on, into graph `inferences`, and nothing else twice.

Each test builds a small supply chain in a real in-memory store next to the real ontology files:
a product with one active substance, supplied by two organisations in two countries.
"""

from __future__ import annotations

import owlrl
import pyoxigraph as ox
import pytest
import rdflib

from reasoner.config import load_settings
from reasoner.inference import INFERENCES, materialise, read_rules
from reasoner.namespaces import ID, MS, graph_iri
from reasoner.store import OxigraphStore

PRODUCT = ID["product/rvg-12345"]
SUBSTANCE = ID["substance/amoxicillin"]
MAKER_CN = ID["org/example-api-maker"]
MAKER_IN = ID["org/example-wholesaler"]
CHINA, INDIA = ID["country/CN"], ID["country/IN"]
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

# The China maker states `suppliesSubstance`; the substance states `suppliedBy` the India one,
# so both directions of the inverse are exercised.
DATA = f"""
@prefix ms: <{MS}> .
<{PRODUCT}> a ms:MedicinalProduct ; ms:hasActiveSubstance <{SUBSTANCE}> .
<{SUBSTANCE}> a ms:ActiveSubstance ; ms:suppliedBy <{MAKER_IN}> .
<{MAKER_CN}> a ms:APIManufacturer ; ms:suppliesSubstance <{SUBSTANCE}> ; ms:locatedIn <{CHINA}> .
<{MAKER_IN}> a ms:FullLineWholesaler ; ms:locatedIn <{INDIA}> .
<{CHINA}> a ms:Country . <{INDIA}> a ms:Country .
"""


def _store() -> OxigraphStore:
    store = OxigraphStore()
    for path in sorted(load_settings().ontology_dir.glob("*.ttl")):
        store.load(path, ox.RdfFormat.TURTLE, graph=graph_iri("ontology"), where=path.name)
    store.load(DATA.encode(), ox.RdfFormat.TURTLE, graph=graph_iri("synthetic"))
    return store


def _inferred(store: OxigraphStore) -> set[tuple[str, str, str]]:
    return {(q.subject.value, q.predicate.value, q.object.value) for q in store.quads(graph_iri(INFERENCES))}


@pytest.fixture
def small_store() -> OxigraphStore:
    """The small chain above next to the real ontology, materialised once."""
    store = _store()
    materialise(store)
    return store


def test_materialise_derives_every_country_a_product_depends_on_into_graph_inferences(small_store: OxigraphStore) -> None:
    inferred = _inferred(small_store)
    assert (str(PRODUCT), str(MS.dependsOnCountry), str(CHINA)) in inferred
    assert (str(PRODUCT), str(MS.dependsOnCountry), str(INDIA)) in inferred


def test_materialise_derives_every_supplier_a_product_depends_on(small_store: OxigraphStore) -> None:
    inferred = _inferred(small_store)
    assert {(str(PRODUCT), str(MS.dependsOnSupplier), str(m)) for m in (MAKER_CN, MAKER_IN)} <= inferred


def test_materialise_fills_in_the_inverse_of_supplies_substance_both_ways(small_store: OxigraphStore) -> None:
    inferred = _inferred(small_store)
    assert (str(SUBSTANCE), str(MS.suppliedBy), str(MAKER_CN)) in inferred
    assert (str(MAKER_IN), str(MS.suppliesSubstance), str(SUBSTANCE)) in inferred


def test_materialise_types_instances_with_all_their_superclasses(small_store: OxigraphStore) -> None:
    inferred = _inferred(small_store)
    assert (str(PRODUCT), RDF_TYPE, str(MS.HealthProduct)) in inferred
    assert {(str(MAKER_IN), RDF_TYPE, str(MS[c])) for c in ("Wholesaler", "Organisation")} <= inferred
    assert (str(MAKER_IN), RDF_TYPE, "http://www.w3.org/ns/prov#Agent") in inferred


def test_materialise_writes_nothing_that_a_source_graph_already_asserts(small_store: OxigraphStore) -> None:
    asserted = {(q.subject.value, q.predicate.value, q.object.value)
                for q in small_store.quads() if q.graph_name != ox.NamedNode(graph_iri(INFERENCES))}
    assert not _inferred(small_store) & asserted
    assert (str(SUBSTANCE), str(MS.suppliedBy), str(MAKER_IN)) not in _inferred(small_store)


def test_materialise_leaves_out_domain_range_and_owl_thing_typing(small_store: OxigraphStore) -> None:
    classes = {o for s, p, o in _inferred(small_store) if p == RDF_TYPE}
    assert "http://www.w3.org/2002/07/owl#Thing" not in classes
    assert str(MS.Country) not in classes  # the range of ms:locatedIn: asserted here, never derived


def test_materialising_twice_gives_the_same_inferences_graph(small_store: OxigraphStore) -> None:
    first = _inferred(small_store)
    size = materialise(small_store)
    assert _inferred(small_store) == first
    assert size == len(first) == small_store.count(graph_iri(INFERENCES))


def test_materialising_in_small_batches_gives_the_same_inferences_graph(small_store: OxigraphStore) -> None:
    """At a million products the inferences are written in batches of half a million triples (one
    document would not fit in memory); the batches must add up to the same graph."""
    first = _inferred(small_store)
    size = materialise(small_store, batch=7)
    assert _inferred(small_store) == first and size == len(first) > 7


def test_materialise_follows_a_chain_added_to_the_ontology_graph() -> None:
    """The rules are read from the ontology graph, not written in Python."""
    store = _store()
    store.load(f"""@prefix ms: <{MS}> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
        ms:probeSupplierCountry a owl:ObjectProperty ; owl:propertyChainAxiom ( ms:suppliesSubstance ms:suppliedBy ms:locatedIn ) .
        """.encode(), ox.RdfFormat.TURTLE, graph=graph_iri("ontology"))
    assert len(read_rules(store).chains) == 3
    materialise(store)
    assert (str(MAKER_CN), str(MS.probeSupplierCountry), str(INDIA)) in _inferred(store)


def test_materialise_agrees_with_owlrl_on_chains_inverses_and_subclass_types(small_store: OxigraphStore) -> None:
    """owlrl (a full OWL 2 RL engine) as the oracle, restricted to the rules we apply."""
    graph = rdflib.Graph()
    for quad in small_store.quads():
        if quad.graph_name != ox.NamedNode(graph_iri(INFERENCES)):
            graph.parse(data=f"{quad.subject} {quad.predicate} {quad.object} .", format="nt")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    covered = {str(p) for p in read_rules(small_store).input_predicates()} | {RDF_TYPE}
    ignored_types = {"http://www.w3.org/2002/07/owl#Thing", "http://www.w3.org/2002/07/owl#NamedIndividual"}
    nodes = {str(n) for n in (PRODUCT, SUBSTANCE, MAKER_CN, MAKER_IN, CHINA, INDIA)}
    expected = {(str(s), str(p), str(o)) for s, p, o in graph
                if str(s) in nodes and str(p) in covered and str(o) not in ignored_types}
    ours = {(q.subject.value, q.predicate.value, q.object.value) for q in small_store.quads()
            if q.subject.value in nodes and q.predicate.value in covered}
    assert ours == expected


def test_materialise_types_a_blank_node_as_the_same_node() -> None:
    store = _store()
    store.load(f"""@prefix ms: <{MS}> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        [] a ms:FullLineWholesaler ; rdfs:label "unnamed wholesaler" .""".encode(),
               ox.RdfFormat.TURTLE, graph=graph_iri("synthetic"))
    materialise(store)
    rows = store.select(
        "SELECT ?w WHERE { GRAPH msg:synthetic { ?w rdfs:label ?n } GRAPH msg:inferences { ?w a ms:Wholesaler } }")
    assert len(rows) == 1


def test_default_dataset_products_depend_on_the_countries_of_their_substance_suppliers(store: OxigraphStore) -> None:
    """On the real default dataset (conftest ``store``): the chain is materialised, and only there."""
    rows = store.select("""SELECT (COUNT(*) AS ?n) WHERE { GRAPH msg:inferences { ?p ms:dependsOnCountry ?c } }""")
    assert int(rows[0]["n"].value) > 0
    asserted = store.select("""SELECT (COUNT(*) AS ?n) WHERE {
        GRAPH ?g { ?p ms:dependsOnCountry ?c } FILTER(?g != msg:inferences) }""")
    assert int(asserted[0]["n"].value) == 0
