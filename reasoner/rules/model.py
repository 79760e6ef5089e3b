"""The rule model read from the shapes graph: instruments, articles, obligations, versions, exemptions.

Everything here comes from Turtle in ``shapes/``; the code knows only the engine's own vocabulary
(``ms:validFrom``, ``ms:scope`` …). Loading runs the meta-shapes (``shapes/_meta.ttl``, real SHACL
run by pySHACL) and the overlap check, so inconsistent law data never reaches an answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDFS
from rdflib.term import Node

from reasoner.errors import RuleDataError
from reasoner.namespaces import MS

SH = Namespace("http://www.w3.org/ns/shacl#")
REGIMES: dict[str, URIRef] = {"in-force": URIRef(str(MS.InForce)), "proposed": URIRef(str(MS.Proposed))}
"""Regime names used in requests and answers, and the rule-version regime each one means."""

_IDENTIFIER_ORDER = (MS.staatscourant, MS.bwbId, MS.celex, DCTERMS.identifier, MS.eli)


@dataclass(frozen=True)
class Instrument:
    iri: str
    title: str
    identifier: str
    url: str | None


@dataclass(frozen=True)
class Article:
    iri: str
    number: str | None
    instrument: Instrument

    def citation(self) -> dict[str, str | None]:
        """The legal-basis record of an answer."""
        return {"instrument": self.instrument.title, "identifier": self.instrument.identifier,
                "article": self.number, "url": self.instrument.url}


@dataclass(frozen=True)
class Version:
    iri: str
    obligation: str
    regime: str
    valid_from: date | None
    valid_until: date | None
    scope: Node
    requirement: Node
    adds_to: str | None
    legal_basis: tuple[Article, ...]
    application_date_note: str | None
    source_note: str | None

    @property
    def short_id(self) -> str:
        return self.iri.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Exemption:
    iri: str
    exempts: str
    priority: int
    title: str
    condition: Node
    legal_basis: tuple[Article, ...]
    valid_from: date | None
    valid_until: date | None
    explanation: str | None

    def valid_on(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_until is None or on <= self.valid_until)


@dataclass
class Obligation:
    iri: str
    id: str
    title: str
    title_nl: str
    type: str
    legal_basis: tuple[Article, ...]
    versions: list[Version] = field(default_factory=list)
    exemptions: list[Exemption] = field(default_factory=list)
    source_note: str | None = None


@dataclass
class RuleSet:
    """Every obligation with its versions and exemptions, plus the shapes graph they point into."""

    obligations: list[Obligation]
    graph: Graph
    shapes_hash: str

    def obligation(self, iri_or_id: str) -> Obligation:
        for ob in self.obligations:
            if iri_or_id in (ob.iri, ob.id):
                return ob
        raise KeyError(iri_or_id)


def _text(graph: Graph, subject: Node, predicate: URIRef, lang: str | None = "en") -> str | None:
    values = list(graph.objects(subject, predicate))
    if lang is not None:
        for value in values:
            if isinstance(value, Literal) and value.language == lang:
                return str(value)
    for value in values:
        if isinstance(value, Literal) and value.language in (None, "en"):
            return str(value)
    return str(values[0]) if values else None


def _date(graph: Graph, subject: Node, predicate: URIRef) -> date | None:
    value = graph.value(subject, predicate)
    if value is None:
        return None
    parsed = value.toPython() if isinstance(value, Literal) else None
    if not isinstance(parsed, date):
        raise RuleDataError(f"{predicate} of <{subject}> is not an xsd:date: {value!r}", where=str(subject))
    return parsed


def _instrument(graph: Graph, iri: Node) -> Instrument:
    identifier = next((str(v) for p in _IDENTIFIER_ORDER for v in graph.objects(iri, p)), "")
    url = graph.value(iri, MS.sourceUrl)
    return Instrument(str(iri), _text(graph, iri, DCTERMS.title) or str(iri), identifier, str(url) if url else None)


def _articles(graph: Graph, subject: Node) -> tuple[Article, ...]:
    articles = []
    for art in sorted(graph.objects(subject, MS.legalBasis), key=str):
        instrument = graph.value(art, MS.articleOf)
        if instrument is None:
            raise RuleDataError(f"article <{art}> belongs to no instrument", where=str(art))
        number = graph.value(art, MS.articleNumber)
        articles.append(Article(str(art), str(number) if number else None, _instrument(graph, instrument)))
    return tuple(articles)


def _regime_name(node: Node | None, where: str) -> str:
    for name, iri in REGIMES.items():
        if node == iri:
            return name
    raise RuleDataError(f"unknown regime {node!r}", where=where)


def graph_hash(graph: Graph) -> str:
    """Content hash of an RDF graph, independent of order and blank-node labels."""
    lines = sorted(
        " ".join("_:b" if isinstance(t, BNode) else t.n3() for t in triple) for triple in graph
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def check_meta_shapes(graph: Graph) -> None:
    """Run the meta-shapes in the graph over the law data; raise :class:`RuleDataError` listing every problem."""
    import pyshacl

    conforms, report, _text_report = pyshacl.validate(graph, shacl_graph=graph, inference="none", advanced=False)
    if conforms:
        return
    details = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        details.append({
            "focus": str(report.value(result, SH.focusNode)),
            "path": str(report.value(result, SH.resultPath) or ""),
            "message": str(report.value(result, SH.resultMessage) or ""),
        })
    details.sort(key=lambda d: (d["focus"], d["path"]))
    first = details[0] if details else {"focus": "?", "message": "meta-shape violation"}
    raise RuleDataError(f"law data breaks the meta-shapes: {first['message']} ({len(details)} problem(s))",
                        where=first["focus"], details=details)


def load_rules(graph: Graph, *, meta_check: bool = True) -> RuleSet:
    """Build the rule set from a shapes graph (law + shapes), checking it as it goes."""
    from reasoner.rules.versions import check_overlaps

    if meta_check:
        check_meta_shapes(graph)
    obligations: list[Obligation] = []
    for ob_iri in sorted(graph.subjects(RDF.type, MS.Obligation), key=str):
        ob_id = str(graph.value(ob_iri, MS.obligationId) or str(ob_iri).rsplit("/", 1)[-1])
        type_node = graph.value(ob_iri, MS.obligationType)
        ob = Obligation(
            iri=str(ob_iri), id=ob_id,
            title=_text(graph, ob_iri, DCTERMS.title, "en") or ob_id,
            title_nl=_text(graph, ob_iri, DCTERMS.title, "nl") or ob_id,
            type=(_text(graph, type_node, RDFS.label) or str(type_node)) if type_node is not None else "",
            legal_basis=_articles(graph, ob_iri),
            source_note=_text(graph, ob_iri, MS.sourceNote),
        )
        for v in sorted(graph.objects(ob_iri, MS.hasVersion), key=str):
            adds = graph.value(v, MS.addsToRequirementOf)
            ob.versions.append(Version(
                iri=str(v), obligation=ob.iri, regime=_regime_name(graph.value(v, MS.regime), str(v)),
                valid_from=_date(graph, v, MS.validFrom), valid_until=_date(graph, v, MS.validUntil),
                scope=graph.value(v, MS.scope), requirement=graph.value(v, MS.requirement),
                adds_to=str(adds) if adds is not None else None,
                legal_basis=_articles(graph, v),
                application_date_note=_text(graph, v, MS.applicationDateNote),
                source_note=_text(graph, v, MS.sourceNote),
            ))
        ob.versions.sort(key=lambda ver: (ver.regime, ver.valid_from or date.min))
        obligations.append(ob)
    by_iri = {ob.iri: ob for ob in obligations}
    for ex in sorted(graph.subjects(RDF.type, MS.Exemption), key=str):
        target = str(graph.value(ex, MS.exempts))
        if target not in by_iri:
            raise RuleDataError(f"exemption exempts an unknown obligation <{target}>", where=str(ex))
        by_iri[target].exemptions.append(Exemption(
            iri=str(ex), exempts=target, priority=int(graph.value(ex, MS.priority) or 0),
            title=_text(graph, ex, DCTERMS.title) or str(ex), condition=graph.value(ex, MS.condition),
            legal_basis=_articles(graph, ex),
            valid_from=_date(graph, ex, MS.validFrom), valid_until=_date(graph, ex, MS.validUntil),
            explanation=_text(graph, ex, MS.explanation),
        ))
    for ob in obligations:
        ob.exemptions.sort(key=lambda e: (-e.priority, e.iri))
        for ver in ob.versions:
            if ver.adds_to is not None and ver.adds_to not in by_iri:
                raise RuleDataError(f"version adds to an unknown obligation <{ver.adds_to}>", where=ver.iri)
    ruleset = RuleSet(obligations, graph, graph_hash(graph))
    check_overlaps(ruleset)
    return ruleset


def load_rules_from_files(shapes_dir: Path, *, meta_check: bool = True) -> RuleSet:
    """The rule set straight from ``shapes/*.ttl`` (for tools that run without a store)."""
    graph = Graph()
    for path in sorted(shapes_dir.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return load_rules(graph, meta_check=meta_check)
