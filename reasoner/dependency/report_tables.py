"""Flat tables of a dependency report — the rows CSV, XLSX and HTML share, so the formats agree.

Each function returns ``(columns, rows)``; values are plain str/int/float/bool/None. IRIs are kept
whole (they are the identifiers); labels come beside them.
"""

from __future__ import annotations

from collections.abc import Iterator

from reasoner.dependency.report import DependencyReport
from reasoner.dependency.supply_graph import node_label

Table = tuple[list[str], list[list[object]]]

METRIC_COLUMNS = ["n_suppliers", "n_countries", "hhi_country", "top_country", "top_country_share",
                  "eu_eea_share", "single_supplier", "single_country"]


def _round(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def substance_table(report: DependencyReport) -> Table:
    """One row per substance and tier (a substance without supplier data gets one row with no tier)."""
    columns = ["substance", "label", "atc_codes", "critical_reasons", "verdict", "criteria_fired", "tier",
               "tier_label", *METRIC_COLUMNS, "countries", "cut_vertices", "minimal_cut", "reconstructed",
               "synthetic", "products", "explanation"]
    rows: list[list[object]] = []
    synthetic = frozenset(report.receipt.synthetic_graphs)
    for s in report.substances:
        base = [s.iri, s.label, " ".join(a.rsplit("/", 1)[-1] for a in s.atc_codes),
                "; ".join(sorted({r.label or r.reason for r in s.reasons})), s.verdict.verdict,
                "; ".join(sorted({f.criterion.label for f in s.verdict.fired}))]
        tiers = [t for t in report.tiers if t in s.metrics] or [None]
        for tier in tiers:
            m = s.metrics.get(tier) if tier else None
            cut = s.cuts.get(tier) if tier else None
            rows.append(base + [
                tier, report.tier_labels.get(tier) if tier else None,
                *( [m.n_suppliers, m.n_countries, _round(m.hhi_country, 1), m.top_country,
                    _round(m.top_country_share), _round(m.eu_eea_share), m.single_supplier, m.single_country]
                   if m else [None] * len(METRIC_COLUMNS)),
                " ".join(f"{k}:{n}" for k, n in m.country_counts) if m else None,
                " ".join(node_label(v) for v in cut.cut_vertices) if cut else None,
                " ".join(node_label(v) for v in cut.minimal_cut) if cut else None,
                m.reconstructed if m else None, bool(m.graphs & synthetic) if m else False, s.products,
                s.verdict.explanation,
            ])
    return columns, rows


def product_rows(report: DependencyReport) -> Iterator[list[object]]:
    """One row per product: its weakest substance's API-tier figures and its verdict (streamed)."""
    first = report.tiers[0] if report.tiers else None
    for product, profile in report.iter_products():
        name, registration = report.product_names.get(product, (None, None))
        tier = profile.metrics.tiers.get(first) if first else None
        m = tier.weakest if tier else None
        yield [
            product, name, registration, " ".join(a.rsplit("/", 1)[-1] for a in profile.atc_codes), profile.chapter,
            " ".join(report.facts.substance_label(s) for s in profile.substances),
            report.facts.substance_label(m.substance) if m else None,
            m.n_suppliers if m else None, m.n_countries if m else None, _round(m.hhi_country, 1) if m else None,
            m.top_country if m else None, _round(m.top_country_share) if m else None,
            _round(m.eu_eea_share) if m else None,
            " ".join(node_label(v) for v in profile.cut.cut_vertices),
            profile.verdict.verdict, "; ".join(sorted({f.criterion.label for f in profile.verdict.fired})),
            profile.synthetic,
        ]


PRODUCT_COLUMNS = ["product", "name", "registration", "atc_codes", "atc_chapter", "substances",
                   "weakest_api_substance", "api_n_suppliers", "api_n_countries", "api_hhi_country",
                   "api_top_country", "api_top_country_share", "api_eu_eea_share", "cut_vertices", "verdict",
                   "criteria_fired", "synthetic"]


def country_table(report: DependencyReport) -> Table:
    columns = ["country", "label", "eu_eea", "substances_supplied", "suppliers", "top_country_of",
               "sole_country_of", "share_of_api_suppliers"]
    return columns, [[c.key, c.label, c.eu_eea, c.substances_supplied, c.suppliers, c.top_country_of,
                      c.sole_country_of, _round(c.share_of_api_suppliers)] for c in report.countries]


def spof_table(report: DependencyReport) -> Table:
    columns = ["kind", "node", "label", "supplies_it_alone_can_stop", "products", "critical_products", "substances"]
    rows = []
    for s in report.single_points_of_failure:
        label = report.facts.country_label(s.key) if s.kind == "country" else s.key.rsplit("/", 1)[-1]
        rows.append([s.kind, s.key, label, len(s.substances), s.products, s.critical_products,
                     "; ".join(sorted({report.facts.substance_label(sub) for sub, _ in s.substances}))])
    return columns, rows


def source_table(report: DependencyReport) -> Table:
    columns = ["graph", "title", "issued", "generated", "synthetic", "license", "source", "citation"]
    return columns, [[s.graph, s.title, s.issued, s.generated, s.synthetic, s.license, s.source, s.citation]
                     for s in report.receipt.sources]


def criteria_table(report: DependencyReport) -> Table:
    columns = ["criterion", "kind", "label", "rule", "tiers", "essential_when", "valid_from", "citations", "note"]
    rows = []
    for c in report.receipt.criteria:
        rows.append([c.iri, c.kind, c.label, c.rule_text if c.kind == "dependency" else None,
                     " ".join(t.rsplit("#", 1)[-1] for t in sorted(c.tiers)),
                     " ".join(e.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for e in sorted(c.essential_when)),
                     c.valid_from, " | ".join(s.citation or s.label or s.iri for s in c.sources),
                     " ".join(filter(None, [c.note, *[s.note for s in c.sources]])) or None])
    return columns, rows


def summary_table(report: DependencyReport) -> Table:
    r = report.receipt
    rows: list[list[object]] = [
        ["report", f"HERA dependency report — scope {r.scope}"], ["date", r.date], ["generated at", r.generated_at],
        ["engine version", r.engine_version], ["dataset version", r.dataset_version],
        ["criteria read from", r.criteria_origin],
        ["synthetic graphs", " ".join(g.rsplit("/", 1)[-1] for g in r.synthetic_graphs) or "none"],
        ["named graphs", " ".join(g.rsplit("/", 1)[-1] for g in r.named_graphs)],
    ]
    for key, value in report.summary.items():
        rows.append([key.replace("_", " "), value if not isinstance(value, dict) else
                     "; ".join(f"{k}: {v}" for k, v in value.items())])
    rows.extend([["note", n] for n in r.notes])
    return ["item", "value"], rows
