"""The ontology is well-formed, complete against the contract, and consistent under HermiT.

The ontology is the reference for every term other parts use, so these tests follow
docs/ARCHITECTURE.md: a term named in its "Core vocabulary" section must be declared here.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import owlready2
import pyoxigraph as ox
import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, Literal, URIRef
from rdflib.namespace import SKOS

from reasoner.config import load_settings
from reasoner.namespaces import MS, ONTOLOGY_IRI

SETTINGS = load_settings()
ONTOLOGY_FILES = sorted(SETTINGS.ontology_dir.glob("*.ttl"))
DECLARATION_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual}
# Constructs outside OWL 2 RL in the positions we could use them (superclass side, data ranges).
NON_RL_CONSTRUCTS = {OWL.unionOf, OWL.someValuesFrom, OWL.oneOf, OWL.withRestrictions, OWL.minCardinality,
                     OWL.cardinality, OWL.minQualifiedCardinality, OWL.qualifiedCardinality, OWL.hasSelf}


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in ONTOLOGY_FILES:
        graph.parse(path, format="turtle")
    return graph


def _ms_terms(graph: rdflib.Graph) -> set[URIRef]:
    return {s for t in DECLARATION_TYPES for s in graph.subjects(RDF.type, t)
            if isinstance(s, URIRef) and str(s).startswith(str(MS))}


def _contract_terms() -> set[str]:
    """The backticked `ms:` names of the "Core vocabulary" section of the architecture contract."""
    text = (SETTINGS.home / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = re.search(r"^## Core vocabulary.*?(?=^## )", text, flags=re.S | re.M)
    assert section, "docs/ARCHITECTURE.md has no 'Core vocabulary' section"
    names: set[str] = set()
    for code in re.findall(r"`([^`]*)`", section.group(0)):
        names.update(re.findall(r"(?<![\w:])ms:([A-Za-z][A-Za-z0-9_]*)", code))
    return names


def _hermit_report(graph: rdflib.Graph, tmp_path: Path) -> list[str]:
    """Run HermiT through owlready2 on ``graph``; return the unsatisfiable classes' IRIs.

    owlready2 reads N-Triples, not Turtle, hence the conversion. xsd:date is not in the OWL 2
    datatype map, so HermiT is told to ignore the ranges that use it.
    """
    path = tmp_path / "ontology.nt"
    graph.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load(format="ntriples")
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0,
                                       ignore_unsupported_datatypes=True)
    return sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing)


@pytest.mark.parametrize("path", ONTOLOGY_FILES, ids=lambda p: p.name)
def test_every_module_parses_with_rdflib_and_pyoxigraph(path: Path) -> None:
    assert len(rdflib.Graph().parse(path, format="turtle")) > 0
    assert len(list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))) > 0


def test_only_the_core_module_carries_the_ontology_header() -> None:
    headers = {p.name for p in ONTOLOGY_FILES
               if (URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in rdflib.Graph().parse(p, format="turtle")}
    assert headers == {"core.ttl"}


def test_version_iri_is_the_ontology_iri_followed_by_a_real_date(ontology: rdflib.Graph) -> None:
    versions = list(ontology.objects(URIRef(ONTOLOGY_IRI), OWL.versionIRI))
    assert len(versions) == 1
    match = re.fullmatch(re.escape(ONTOLOGY_IRI) + r"/(\d{4}-\d{2}-\d{2})", str(versions[0]))
    assert match, f"version IRI {versions[0]} is not <ontology IRI>/YYYY-MM-DD"
    dt.date.fromisoformat(match.group(1))


def test_every_ms_term_has_an_english_and_a_dutch_label_and_an_english_definition(ontology: rdflib.Graph) -> None:
    missing: list[str] = []
    for term in sorted(_ms_terms(ontology)):
        labels = {lit.language for lit in ontology.objects(term, RDFS.label) if isinstance(lit, Literal)}
        definitions = {lit.language for lit in ontology.objects(term, SKOS.definition) if isinstance(lit, Literal)}
        for need, have, what in (("en", labels, "label@en"), ("nl", labels, "label@nl"), ("en", definitions, "definition@en")):
            if need not in have:
                missing.append(f"{term.n3(ontology.namespace_manager)} lacks {what}")
    assert not missing, "\n".join(missing)


def test_every_core_vocabulary_term_of_the_architecture_contract_is_declared(ontology: rdflib.Graph) -> None:
    contract = _contract_terms()
    assert len(contract) > 100, "the contract parser found too few terms; has the section moved?"
    declared = {str(t)[len(str(MS)):] for t in _ms_terms(ontology)}
    assert not sorted(contract - declared)


def test_every_ms_term_the_ontology_refers_to_is_declared(ontology: rdflib.Graph) -> None:
    declared = _ms_terms(ontology)
    used = {t for triple in ontology for t in triple if isinstance(t, URIRef) and str(t).startswith(str(MS))}
    assert not sorted(used - declared)


def test_every_data_property_has_an_xsd_datatype_range(ontology: rdflib.Graph) -> None:
    wrong = [str(p) for p in ontology.subjects(RDF.type, OWL.DatatypeProperty)
             if str(p).startswith(str(MS))
             and not any(str(r).startswith(str(rdflib.namespace.XSD)) for r in ontology.objects(p, RDFS.range))]
    assert not wrong


def test_dependency_chains_are_the_ones_in_the_contract(ontology: rdflib.Graph) -> None:
    def chain(prop: URIRef) -> list[URIRef]:
        (head,) = ontology.objects(prop, OWL.propertyChainAxiom)
        return list(rdflib.collection.Collection(ontology, head))

    assert chain(MS.dependsOnCountry) == [MS.hasActiveSubstance, MS.suppliedBy, MS.locatedIn]
    assert chain(MS.dependsOnSupplier) == [MS.hasActiveSubstance, MS.suppliedBy]
    assert (MS.suppliedBy, OWL.inverseOf, MS.suppliesSubstance) in ontology


def test_ontology_uses_no_construct_outside_owl2_rl(ontology: rdflib.Graph) -> None:
    assert not sorted({str(p) for _, p, _ in ontology if p in NON_RL_CONSTRUCTS})


def test_alignments_are_annotations_never_equivalences() -> None:
    graph = rdflib.Graph().parse(SETTINGS.ontology_dir / "alignments.ttl", format="turtle")
    assert not [t for t in graph if t[1] in (OWL.equivalentClass, OWL.equivalentProperty, OWL.sameAs)]


def test_dutch_critical_categories_form_a_skos_scheme_with_a_definition_each(ontology: rdflib.Graph) -> None:
    members = set(ontology.subjects(SKOS.inScheme, MS.NLCriticalCategoryScheme))
    assert members == {MS.CriticalRed, MS.CriticalOrange, MS.CriticalYellow, MS.CriticalOther}
    for category in members:
        assert any(lit.language == "nl" for lit in ontology.objects(category, SKOS.definition))


def test_hermit_finds_the_ontology_consistent_with_no_unsatisfiable_class(ontology: rdflib.Graph, tmp_path: Path) -> None:
    assert _hermit_report(ontology, tmp_path) == []


def test_hermit_check_would_catch_an_unsatisfiable_class(ontology: rdflib.Graph, tmp_path: Path) -> None:
    """Guards the test above against passing vacuously (HermiT not seeing our axioms)."""
    broken = rdflib.Graph()
    for triple in ontology:
        broken.add(triple)
    probe = URIRef(str(MS) + "ProbeProductAndCountry")
    broken.add((probe, RDF.type, OWL.Class))
    broken.add((probe, RDFS.subClassOf, MS.MedicinalProduct))
    broken.add((probe, RDFS.subClassOf, MS.Country))
    assert _hermit_report(broken, tmp_path) == [str(probe)]


