"""The dependency report for HERA submissions: the model every renderer (JSON-LD, CSV, XLSX, HTML) reads.

:func:`build_dependency_report` reads the graph once (:mod:`.facts`), takes the substances and
product profiles of its scope from the analysis of that date (:mod:`.analysis`: metrics per
substance and tier, the weakest-substance profiles, the cuts of the supply graph, the HERA
verdicts), adds up the country table, the single points of failure, the summary and the charts,
and wraps them with a **receipt**: the data snapshot (dataset version and named graphs), the date,
the criteria with their citations, the sources with their dates, and which graphs are synthetic —
every figure resting on a synthetic graph is marked.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from reasoner import __version__
from reasoner.dataset import loaded_version
from reasoner.dependency.analysis import ProductProfile, SubstanceEntry, SupplyAnalysis, in_scope, supply_analysis
from reasoner.dependency.criteria import CriteriaSet, Criterion, load_criteria
from reasoner.dependency.facts import SourceInfo, SupplyFacts, product_names, supply_facts
from reasoner.dependency.supply_graph import SinglePointOfFailure, single_points_of_failure
from reasoner.errors import InputError
from reasoner.memory import collector_paused
from reasoner.store import OxigraphStore

SCOPES = ("union-list", "nl-critical", "all")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Receipt:
    """What a report rests on, so that anyone can reproduce or challenge it."""

    report: str
    scope: str
    date: str
    generated_at: str
    engine_version: str
    dataset_version: str | None
    named_graphs: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    criteria_origin: str
    sources: tuple[SourceInfo, ...]
    synthetic_graphs: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "report": self.report, "scope": self.scope, "date": self.date, "generated_at": self.generated_at,
            "engine_version": self.engine_version, "dataset_version": self.dataset_version,
            "named_graphs": list(self.named_graphs),
            "criteria": [c.as_dict() for c in self.criteria], "criteria_origin": self.criteria_origin,
            "sources": [s.__dict__ for s in self.sources], "synthetic_graphs": list(self.synthetic_graphs),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class CountryEntry:
    key: str
    label: str
    eu_eea: bool | None
    substances_supplied: int
    suppliers: int
    top_country_of: int
    sole_country_of: int
    share_of_api_suppliers: float


@dataclass
class DependencyReport:
    receipt: Receipt
    tiers: tuple[str, ...]
    tier_labels: dict[str, str]
    substances: list[SubstanceEntry]
    profiles: list[ProductProfile]
    countries: list[CountryEntry]
    single_points_of_failure: list[SinglePointOfFailure]
    summary: dict[str, object]
    charts: dict[str, object]
    facts: SupplyFacts
    criteria: CriteriaSet
    product_names: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    @property
    def product_count(self) -> int:
        return sum(len(p.products) for p in self.profiles)

    def iter_products(self):  # type: ignore[no-untyped-def]
        """(product IRI, profile) for every product in scope, sorted by IRI within each profile."""
        for profile in self.profiles:
            for product in profile.products:
                yield product, profile


@collector_paused()
def build_dependency_report(
    store: OxigraphStore, *, scope: str, on: date, progress: Progress | None = None,
    facts: SupplyFacts | None = None, with_product_names: bool = True,
) -> DependencyReport:
    """Build the dependency report of ``scope`` (union-list, nl-critical or all) as of ``on``."""
    if scope not in SCOPES:
        raise InputError(f"unknown scope {scope!r}; use one of {', '.join(SCOPES)}", where="scope")
    say = progress or (lambda _m: None)
    started = time.perf_counter()
    criteria = load_criteria(store, on)
    model = criteria.model
    facts = facts or supply_facts(store, on, say)
    analysis = supply_analysis(store, on, facts, say)
    say(f"picking the substances and profiles of scope {scope}")
    substances = [s for s in analysis.substances if in_scope(s, scope)]
    profiles = [p for p in analysis.profiles if in_scope(p, scope)]
    say("finding single points of failure")
    spofs = single_points_of_failure(
        (c for s in substances for c in s.cuts.values()),
        ((p.cut, len(p.products), len(p.products) if p.verdict.essential_by else 0) for p in profiles))
    names: dict[str, tuple[str | None, str | None]] = {}
    if with_product_names and profiles:
        say("reading product names")
        names = product_names(store)
    countries = _countries(substances, analysis.api_tier, facts)
    dataset_version = loaded_version(store)
    receipt = Receipt(
        report="dependencies", scope=scope, date=on.isoformat(),
        generated_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        engine_version=__version__, dataset_version=dataset_version, named_graphs=tuple(store.named_graphs()),
        criteria=criteria.criteria, criteria_origin=criteria.origin, sources=tuple(facts.sources),
        synthetic_graphs=tuple(sorted(facts.synthetic_graphs)),
        notes=(
            "A product takes its substances' metrics; a combination takes its weakest substance per tier "
            "(highest HHI, then fewest suppliers, then lowest EU/EEA share).",
            "Figures marked synthetic rest on at least one graph the catalog marks ms:synthetic true.",
            "Figures marked reconstructed rest on supplier nodes rebuilt from published per-country counts "
            "(ms:reconstructed true), not on named companies.",
        ),
    )
    report = DependencyReport(
        receipt=receipt, tiers=analysis.tiers, tier_labels={t: facts.tier_label(t) for t in analysis.tiers},
        substances=substances,
        profiles=profiles, countries=countries, single_points_of_failure=spofs, summary={}, charts={},
        facts=facts, criteria=criteria, product_names=names,
    )
    report.summary = _summary(report, analysis.api_tier)
    report.charts = _charts(report, analysis, model.focus_countries)
    say(f"report built in {time.perf_counter() - started:.1f} s: {len(substances)} substances, "
        f"{report.summary['products']} products")
    return report


def _countries(substances: list[SubstanceEntry], tier: str | None, facts: SupplyFacts) -> list[CountryEntry]:
    supplied: Counter[str] = Counter()
    suppliers: Counter[str] = Counter()
    top: Counter[str] = Counter()
    sole: Counter[str] = Counter()
    for entry in substances:
        m = entry.metrics.get(tier) if tier else None
        if m is None:
            continue
        for key, n in m.country_counts:
            supplied[key] += 1
            suppliers[key] += n
        if m.top_country:
            top[m.top_country] += 1
        if m.single_country and m.top_country:
            sole[m.top_country] += 1
    total = sum(suppliers.values()) or 1
    return sorted(
        (CountryEntry(key, facts.country_label(key),
                      facts.countries[key].eu_eea if key in facts.countries else None,
                      supplied[key], suppliers[key], top[key], sole[key], suppliers[key] / total)
         for key in supplied),
        key=lambda c: (-c.suppliers, c.key),
    )


def _summary(report: DependencyReport, api_tier: str | None) -> dict[str, object]:
    verdicts: Counter[str] = Counter()
    fired: Counter[str] = Counter()
    hhis: list[float] = []
    with_api = single_country = single_supplier = no_eu_eea = synthetic = 0
    for s in report.substances:
        verdicts[s.verdict.verdict] += 1
        fired.update(s.verdict.fired_labels)
        synthetic += s.synthetic
        m = s.metrics.get(api_tier) if api_tier else None
        if m is None:
            continue
        with_api += 1
        single_country += m.single_country
        single_supplier += m.single_supplier
        no_eu_eea += m.eu_eea_share == 0
        if m.hhi_country is not None:
            hhis.append(m.hhi_country)
    product_verdicts: Counter[str] = Counter()
    for profile in report.profiles:
        product_verdicts[profile.verdict.verdict] += len(profile.products)
    return {
        "substances": len(report.substances),
        "substances_with_api_data": with_api,
        "substance_verdicts": dict(sorted(verdicts.items())),
        "criteria_fired_substances": dict(sorted(fired.items())),
        "api_single_country": single_country,
        "api_single_supplier": single_supplier,
        "api_no_eu_eea_supplier": no_eu_eea,
        "api_median_hhi": round(statistics.median(hhis), 1) if hhis else None,
        "products": sum(product_verdicts.values()),
        "product_profiles": len(report.profiles),
        "product_verdicts": dict(sorted(product_verdicts.items())),
        "single_points_of_failure": len(report.single_points_of_failure),
        "synthetic_substance_figures": synthetic,
    }


def _charts(report: DependencyReport, analysis: SupplyAnalysis, focus: tuple[str, ...]) -> dict[str, object]:
    """The numbers behind the HTML charts (kept in the model so every format can show them)."""
    scope = report.receipt.scope
    concentration = [row for entry, row in analysis.concentration if in_scope(entry, scope)]
    api_tier = analysis.api_tier
    api = [(s, s.metrics[api_tier]) for s in report.substances if api_tier and api_tier in s.metrics]
    bins = [0] * 20
    for _, m in api:
        if m.hhi_country is not None:
            bins[min(19, int(m.hhi_country // 500))] += 1
    focus_keys = {report.facts.countries[k].key for k in report.facts.countries
                  if report.facts.countries[k].iri in focus}
    per_chapter: dict[str, Counter[str]] = defaultdict(Counter)
    for s, m in api:
        chapters = s.chapters or ("?",)
        for chapter in chapters:
            for key, n in m.country_counts:
                per_chapter[chapter]["__all__"] += n
                if key in focus_keys:
                    per_chapter[chapter][key] += n
    chapter_labels = {a.chapter: a.chapter_label for a in report.facts.atc.values() if a.chapter_label}
    return {
        "country_concentration": concentration,
        "hhi_histogram": [{"from": i * 500, "to": (i + 1) * 500, "substances": n} for i, n in enumerate(bins)],
        "focus_countries": [{"key": k, "label": report.facts.country_label(k)} for k in sorted(focus_keys)],
        "focus_share_by_chapter": [
            {"chapter": ch, "label": chapter_labels.get(ch), "suppliers": c["__all__"],
             "shares": {k: c[k] / c["__all__"] for k in sorted(focus_keys)} if c["__all__"] else {}}
            for ch, c in sorted(per_chapter.items())
        ],
    }
