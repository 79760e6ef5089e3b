"""The project's namespaces, derived from the one configured base IRI.

Only the engine's own vocabulary is named in code (``MS.validFrom``, ``MS.versionOf``): domain
terms, thresholds and dates live in the ontology, shapes and queries.
"""

from __future__ import annotations

from rdflib import Namespace

from reasoner.config import load_settings

BASE = load_settings().base_iri

MS = Namespace(BASE + "ontology#")
"""Ontology terms (classes and properties)."""

ID = Namespace(BASE + "id/")
"""Instance data: products, substances, organisations, sites, countries."""

LAW = Namespace(BASE + "law/")
"""Legal instruments, articles, obligations, their versions and exemptions."""

GRAPH = Namespace(BASE + "graph/")
"""Named graphs: one per source, plus ontology, shapes and inferences."""

ONTOLOGY_IRI = BASE + "ontology"

PREFIXES: dict[str, str] = {
    "ms": str(MS),
    "msid": str(ID),
    "law": str(LAW),
    "msg": str(GRAPH),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "sh": "http://www.w3.org/ns/shacl#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "qudt": "http://qudt.org/schema/qudt/",
    "unit": "http://qudt.org/vocab/unit/",
}


def graph_iri(name: str) -> str:
    """The IRI of the named graph ``name`` (for example ``"ulcm"`` or ``"ontology"``)."""
    return str(GRAPH[name])


def sparql_prologue() -> str:
    """PREFIX declarations for every project prefix, for queries written in code or by users."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
