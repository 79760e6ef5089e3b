"""The dependency report as JSON-LD: plain JSON for programs, linked data over the ontology for graphs.

The ``@context`` maps the report's keys onto the ontology: entities keep their IRIs (``@id``),
known terms map to their ``ms:``/``dcterms:``/``rdfs:`` properties, and every other key falls into
the ontology namespace through ``@vocab``. Nested figure tables (country counts, chart data) are
``@json`` literals so that they stay JSON and do not turn into spurious properties.
"""

from __future__ import annotations

import json
from typing import Any

from reasoner.dependency.report import DependencyReport
from reasoner.dependency.supply_graph import node_label
from reasoner.namespaces import MS, PREFIXES


def context() -> dict[str, Any]:
    ms = str(MS)
    ref = {"@type": "@id"}
    return {
        "@vocab": ms,
        **{p: PREFIXES[p] for p in ("ms", "msid", "msg", "rdfs", "xsd", "dcterms", "prov", "skos")},
        "label": "rdfs:label",
        "name": "ms:productName",
        "registration": "ms:registrationNumber",
        "atc_codes": {"@id": "ms:atcCode", **ref, "@container": "@set"},
        "substances": {"@id": "ms:hasActiveSubstance", "@container": "@set"},
        "tier": {"@id": "ms:supplyTier", **ref},
        "tiers": {"@id": "ms:appliesToTier", **ref, "@container": "@set"},
        "reconstructed": {"@id": "ms:reconstructed", "@type": "xsd:boolean"},
        "synthetic": {"@id": "ms:synthetic", "@type": "xsd:boolean"},
        "valid_from": {"@id": "ms:validFrom", "@type": "xsd:date"},
        "valid_until": {"@id": "ms:validUntil", "@type": "xsd:date"},
        "date": {"@id": "dcterms:date", "@type": "xsd:date"},
        "generated_at": {"@id": "prov:generatedAtTime", "@type": "xsd:dateTime"},
        "dataset_version": "ms:datasetVersion",
        "named_graphs": {"@id": "ms:namedGraph", **ref, "@container": "@set"},
        "synthetic_graphs": {"@id": "ms:syntheticGraph", **ref, "@container": "@set"},
        "sources": {"@id": "dcterms:source", "@container": "@set"},
        "graph": {"@id": "ms:graph", **ref},
        "title": "dcterms:title",
        "license": "dcterms:license",
        "issued": "dcterms:issued",
        "citation": "dcterms:bibliographicCitation",
        "source_url": {"@id": "ms:sourceUrl", **ref},
        "note": "ms:sourceNote",
        "essential_when": {"@id": "ms:essentialWhen", **ref, "@container": "@set"},
        "criterion": {"@id": "ms:criterion", **ref},
        "reason": {"@id": "ms:criticalReason", **ref},
        "countries": {"@id": "ms:countryCounts", "@type": "@json"},
        "charts": {"@id": "ms:chartData", "@type": "@json"},
        "summary": {"@id": "ms:summary", "@type": "@json"},
        "iso": "ms:isoAlpha2",
        "eu_eea": {"@id": "ms:euEeaMember", "@type": "xsd:boolean"},
    }


def report_document(report: DependencyReport) -> dict[str, Any]:
    """The report as a JSON-LD document (a dict ready for ``json.dumps``)."""
    r = report.receipt
    tiers = report.tiers
    facts = report.facts
    return {
        "@context": context(),
        "@type": "DependencyReport",
        "scope": r.scope,
        "date": r.date,
        "generated_at": r.generated_at,
        "receipt": {
            "@type": "ReportReceipt",
            "scope": r.scope, "date": r.date, "generated_at": r.generated_at,
            "engine_version": r.engine_version, "dataset_version": r.dataset_version,
            "named_graphs": list(r.named_graphs), "synthetic_graphs": list(r.synthetic_graphs),
            "criteria_origin": r.criteria_origin, "notes": list(r.notes),
            "criteria": [
                {"@id": c.iri, "@type": "DependencyCriterion" if c.kind == "dependency" else "EssentialityCriterion",
                 "label": c.label, "definition": c.definition, "measure": c.measure, "comparator": c.comparator,
                 "threshold": c.threshold, "tiers": sorted(c.tiers), "essential_when": sorted(c.essential_when),
                 "valid_from": c.valid_from, "valid_until": c.valid_until, "note": c.note,
                 "sources": [{"@id": s.iri, "label": s.label, "source_url": s.url, "citation": s.citation,
                              "issued": s.issued, "note": s.note} for s in c.sources]}
                for c in r.criteria
            ],
            "sources": [
                {"graph": s.graph, "title": s.title, "source_url": s.source, "license": s.license, "issued": s.issued,
                 "generated": s.generated, "synthetic": s.synthetic, "citation": s.citation} for s in r.sources
            ],
        },
        "summary": report.summary,
        "substance_reports": [
            {
                "@id": s.iri, "label": s.label, "atc_codes": list(s.atc_codes), "atc_chapters": list(s.chapters),
                "critical": [{"reason": c.reason, "label": c.label, "scope": c.scope} for c in s.reasons],
                "verdict": s.verdict.verdict, "explanation": s.verdict.explanation,
                "criteria_fired": [f.as_dict() | {"criterion": f.criterion.iri} for f in s.verdict.fired],
                "synthetic": s.synthetic, "products_in_scope": s.products,
                "tier_metrics": [
                    s.metrics[t].as_dict() | {
                        "cut_vertices": [node_label(v) for v in s.cuts[t].cut_vertices] if t in s.cuts else None,
                        "minimal_cut": [node_label(v) for v in s.cuts[t].minimal_cut] if t in s.cuts else None,
                    } for t in tiers if t in s.metrics
                ],
            }
            for s in report.substances
        ],
        "product_reports": [
            {
                "@id": product, "name": report.product_names.get(product, (None, None))[0],
                "registration": report.product_names.get(product, (None, None))[1],
                "substances": [{"@id": s} for s in profile.substances], "atc_codes": list(profile.atc_codes),
                "atc_chapter": profile.chapter, "verdict": profile.verdict.verdict,
                "criteria_fired": sorted({f.criterion.iri for f in profile.verdict.fired}),
                "cut_vertices": [node_label(v) for v in profile.cut.cut_vertices],
                "weakest": [
                    {"tier": t, "substance": {"@id": m.weakest.substance}, "hhi_country": m.weakest.hhi_country,
                     "n_suppliers": m.weakest.n_suppliers, "top_country": m.weakest.top_country}
                    for t, m in profile.metrics.tiers.items() if m.weakest is not None
                ],
                "synthetic": profile.synthetic,
            }
            for product, profile in report.iter_products()
        ],
        "country_reports": [
            {**({"@id": facts.countries[c.key].iri} if c.key in facts.countries else {}), "iso": c.key, "label": c.label,
             "eu_eea": c.eu_eea, "substances_supplied": c.substances_supplied, "suppliers": c.suppliers,
             "top_country_of": c.top_country_of, "sole_country_of": c.sole_country_of,
             "share_of_api_suppliers": c.share_of_api_suppliers}
            for c in report.countries
        ],
        "single_points_of_failure": [
            {"kind": s.kind, "node": s.key, "products": s.products, "critical_products": s.critical_products,
             "supplies": [{"substance": {"@id": sub}, "tier": tier} for sub, tier in s.substances]}
            for s in report.single_points_of_failure
        ],
        "charts": report.charts,
    }


def render_jsonld(report: DependencyReport) -> bytes:
    return json.dumps(report_document(report), ensure_ascii=False, default=str).encode("utf-8")
