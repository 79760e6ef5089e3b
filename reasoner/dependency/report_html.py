"""The dependency report as one self-contained, print-ready HTML page (Jinja2 + inline SVG).

Everything is in the file: CSS, charts drawn on the server (:mod:`.report_charts`), no script and
no link to a CDN, so the page renders the same offline, in a browser and on paper.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from reasoner.dependency.facts import Criticality
from reasoner.dependency.report import DependencyReport
from reasoner.dependency.vulnerability import Finding
from reasoner.dependency.report_charts import concentration_chart, focus_chart, hhi_histogram
from reasoner.dependency.report_tables import criteria_table, spof_table

TEMPLATES = Path(__file__).parent / "templates"
SCOPE_LABELS = {"union-list": "Union list of critical medicines", "nl-critical": "Dutch critical-medicines list",
                "all": "all substances and products"}
VERDICT_ORDER = {"vulnerable": 0, "unknown": 1, "not-vulnerable": 2, "not-applicable": 3}
TOP_SUBSTANCES = 30
TOP_SPOFS = 40


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["graphname"] = lambda iri: str(iri).rstrip("/").rsplit("/", 1)[-1]
    env.filters["thousands"] = lambda n: f"{int(n):,}" if n is not None else ""
    return env


def _most_used(report: DependencyReport) -> list[dict[str, object]]:
    """The concentration rows of the substances in the most products, most concentrated first."""
    products = {s.label: s.products for s in report.substances}
    rows = list(report.charts["country_concentration"])  # type: ignore[arg-type]
    chosen = sorted(rows, key=lambda r: (-products.get(str(r["substance"]), 0), str(r["substance"])))[:TOP_SUBSTANCES]
    return sorted(chosen, key=lambda r: (-(r["hhi"] or 0), str(r["substance"])))  # type: ignore[operator]


def _hhi_threshold(report: DependencyReport) -> float | None:
    for criterion in report.criteria.dependency:
        if criterion.measure == "hhi_country":
            return criterion.threshold
    return None


MEASURES = {"hhi_country": "HHI", "n_countries": "countries", "n_suppliers": "suppliers", "eu_eea_share": "EU/EEA share"}


def _reason(reason: Criticality) -> str:
    """A short name for why something is critical: "Union list", or the Dutch colour."""
    if reason.scope == "union-list":
        return "Union list"
    return f"NL {reason.label or reason.reason.rsplit('#', 1)[-1]}"


def _value(measure: str | None, value: float | None) -> str:
    if value is None:
        return "?"
    if measure == "eu_eea_share":
        return f"{value:.0%}"
    return f"{value:,.0f}"


def _fired_text(fired: tuple[Finding, ...], tier_labels: dict[str, str]) -> str:
    """The criteria that fired, grouped by tier, each with its number and threshold."""
    by_tier: dict[str, list[str]] = {}
    for f in fired:
        c = f.criterion
        threshold = _value(c.measure, c.threshold)
        by_tier.setdefault(tier_labels.get(f.tier, f.tier), []).append(
            f"{c.label} ({MEASURES.get(c.measure or '', c.measure)} {_value(c.measure, f.value)} "
            f"{c.comparator.replace('>=', '≥').replace('<=', '≤') if c.comparator else ''} {threshold})")
    return " · ".join(f"{tier}: " + "; ".join(items) for tier, items in by_tier.items())


def render_html(report: DependencyReport) -> bytes:
    r = report.receipt
    api_tier = report.tiers[0] if report.tiers else None
    threshold = _hhi_threshold(report)
    substances = []
    synthetic = frozenset(r.synthetic_graphs)
    for s in sorted(report.substances, key=lambda s: (VERDICT_ORDER.get(s.verdict.verdict, 9),
                                                     -(s.metrics[api_tier].hhi_country or 0) if api_tier in s.metrics else 1,
                                                     s.label)):
        m = s.metrics.get(api_tier) if api_tier else None
        fired = _fired_text(s.verdict.fired, report.tier_labels)
        substances.append({
            "label": s.label, "synthetic": bool(m and m.graphs & synthetic), "verdict": s.verdict.verdict,
            "reasons": ", ".join(sorted({_reason(c) for c in s.reasons})),
            "n_suppliers": m.n_suppliers if m else "–", "n_countries": m.n_countries if m else "–",
            "hhi": f"{m.hhi_country:,.0f}" if m and m.hhi_country is not None else "–",
            "top": f"{m.top_country} {m.top_country_share:.0%}" if m and m.top_country and m.top_country_share is not None else "–",
            "eu": f"{m.eu_eea_share:.0%}" if m and m.eu_eea_share is not None else "–",
            "fired": fired if fired else (s.verdict.explanation if s.verdict.verdict == "unknown" else ""),
        })
    _, spofs = spof_table(report)
    _, crit_rows = criteria_table(report)
    criteria = [{"label": row[2], "rule": row[3] or "essential when: " + str(row[5]), "tiers": row[4],
                 "valid_from": row[6], "citations": row[7], "note": row[8]} for row in crit_rows]
    focus = report.charts["focus_countries"]  # type: ignore[index]
    html = _environment().get_template("dependency-report.html.j2").render(
        r=r, s=report.summary, scope_label=SCOPE_LABELS.get(r.scope, r.scope), top=TOP_SUBSTANCES,
        chart_concentration=concentration_chart(_most_used(report), threshold, TOP_SUBSTANCES),  # type: ignore[arg-type]
        chart_hhi=hhi_histogram(report.charts["hhi_histogram"], threshold),  # type: ignore[arg-type]
        chart_focus=focus_chart(report.charts["focus_share_by_chapter"], focus),  # type: ignore[arg-type]
        focus_names=" and ".join(c["label"] for c in focus) or "focus countries",  # type: ignore[index]
        substances=substances, countries=report.countries, spofs=spofs[:TOP_SPOFS],
        spofs_more=max(0, len(spofs) - TOP_SPOFS), criteria=criteria, sources=r.sources,
    )
    return html.encode("utf-8")
