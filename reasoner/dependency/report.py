"""The dependency report for HERA submissions: the model every renderer (JSON-LD, CSV, XLSX, HTML) reads.

:func:`build_dependency_report` reads the graph once (:mod:`.facts`), computes the metrics per
substance and tier, the product profiles (a product takes its weakest substance), the cut analysis
of the supply graph, the HERA verdicts, the country table and the single points of failure, and
wraps them with a **receipt**: the data snapshot (dataset version and named graphs), the date,
the criteria with their citations, the sources with their dates, and which graphs are synthetic —
every figure resting on a synthetic graph is marked.

Products are grouped by *profile* (their set of substances and ATC codes): a million products have
a few thousand profiles, and each is computed once.
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
from reasoner.dependency.criteria import CriteriaSet, Criterion, load_criteria
from reasoner.dependency.facts import Criticality, SourceInfo, SupplyFacts, product_names, supply_facts
from reasoner.dependency.metrics import ProfileMetrics, TierMetrics, profile_metrics, substance_metrics
from reasoner.dependency.supply_graph import (
    LazyCuts, ProductCut, SinglePointOfFailure, SupplyCut, SupplyGraph, product_cut, single_points_of_failure,
)
from reasoner.dependency.vulnerability import Verdict, verdict
from reasoner.errors import InputError
from reasoner.memory import collector_paused
from reasoner.revision_cache import cached
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


@dataclass
class SubstanceEntry:
    iri: str
    label: str
    key: str | None
    atc_codes: tuple[str, ...]
    chapters: tuple[str, ...]
    reasons: tuple[Criticality, ...]
    metrics: dict[str, TierMetrics]
    cuts: dict[str, SupplyCut]
    verdict: Verdict
    synthetic: bool
    products: int = 0


@dataclass
class ProductProfile:
    """Everything shared by the products made of the same substances with the same ATC codes."""

    substances: tuple[str, ...]
    atc_codes: tuple[str, ...]
    chapter: str | None
    reasons: tuple[Criticality, ...]
    metrics: ProfileMetrics
    cut: ProductCut
    verdict: Verdict
    synthetic: bool
    products: list[str] = field(default_factory=list)


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


def _reasons_of(subjects: tuple[str, ...], facts: SupplyFacts) -> tuple[Criticality, ...]:
    seen: list[Criticality] = []
    for subject in subjects:
        for reason in facts.criticality.get(subject, ()):
            if reason not in seen:
                seen.append(reason)
    return tuple(seen)


def _is_synthetic(graphs: frozenset[str] | set[str], synthetic: frozenset[str]) -> bool:
    return bool(graphs & synthetic)


@dataclass
class SupplyAnalysis:
    """What every report computes from the supply facts of a date, whatever its scope: the metrics
    per substance and tier, the supply graph (its dominators and cuts worked out on first use), and
    the verdicts and cuts of substances and product profiles once judged. Kept per store revision and
    date (:func:`supply_analysis`): a second report, in another scope or format, starts from here."""

    facts: SupplyFacts
    """The facts analysed (kept, so that the cache key's ``id`` of them cannot be reused)."""
    by_substance: dict[str, dict[str, TierMetrics]]
    graph_tiers: tuple[str, ...]
    cuts: LazyCuts
    substances: dict[str, tuple[Verdict, dict[str, SupplyCut]]] = field(default_factory=dict)
    profiles: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[ProfileMetrics, ProductCut, Verdict]] = \
        field(default_factory=dict)
    groups: dict[tuple[tuple[str, ...], tuple[str, ...]], ProfileGroup] | None = None
    """The products of each profile (substances, ATC codes), grouped on the first report."""


@dataclass(frozen=True)
class ProfileGroup:
    """The products of one profile, sorted, and the graphs that state them."""

    products: list[str]
    graphs: frozenset[str]


def _profile_groups(facts: SupplyFacts) -> dict[tuple[tuple[str, ...], tuple[str, ...]], ProfileGroup]:
    members: dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]] = defaultdict(list)
    for product, product_substances in facts.product_substances.items():
        members[(product_substances, facts.product_atc.get(product, ()))].append(product)
    return {key: ProfileGroup(sorted(products), frozenset(facts.product_graph.get(p, "") for p in products))
            for key, products in members.items()}


def supply_analysis(store: OxigraphStore, on: date, facts: SupplyFacts, tiers: tuple[str, ...],
                    say: Progress) -> SupplyAnalysis:
    """The :class:`SupplyAnalysis` of ``facts``, computed once per store revision and date."""
    def compute() -> SupplyAnalysis:
        say("computing metrics per substance and tier")
        by_substance = substance_metrics(facts.edges)
        required = load_criteria(store, on).model.required_tiers
        graph_tiers = tuple(t for t in tiers if t in required and t not in facts.product_tiers)
        say("building the supply graph (networkx)")
        return SupplyAnalysis(facts, by_substance, graph_tiers, SupplyGraph(facts.edges, graph_tiers).lazy_cuts())
    return cached(store, ("supply-analysis", on, id(facts)), compute, keep=2)


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
    facts = facts or supply_facts(store, on, say)
    synthetic = facts.synthetic_graphs
    model = criteria.model
    tiers = tuple(t for t in model.tier_order) + tuple(
        sorted({e.tier for e in facts.edges} - set(model.tier_order)))
    components = {iri: info.components for iri, info in facts.substances.items() if info.components}

    analysis = supply_analysis(store, on, facts, tiers, say)
    by_substance, graph_tiers, cuts = analysis.by_substance, analysis.graph_tiers, analysis.cuts

    def in_scope(reasons: tuple[Criticality, ...]) -> bool:
        return scope == "all" or any(r.scope == scope for r in reasons)

    say("judging substances against the HERA criteria")
    substances: list[SubstanceEntry] = []
    substance_iris = set(facts.substances) | set(by_substance)
    for iri in sorted(substance_iris):
        info = facts.substances.get(iri)
        atc_codes = info.atc_codes if info else ()
        reasons = _reasons_of((iri, *atc_codes), facts)
        if not in_scope(reasons):
            continue
        metrics = by_substance.get(iri, {})
        graphs: set[str] = set()
        for m in metrics.values():
            graphs |= m.graphs
        judged = analysis.substances.get(iri)
        if judged is None:
            judged = analysis.substances[iri] = (
                verdict(reasons, {t: metrics.get(t) for t in tiers}, criteria),
                {t: c for t in graph_tiers if (c := cuts.get((iri, t))) is not None})
        substances.append(SubstanceEntry(
            iri=iri, label=facts.substance_label(iri), key=info.key if info else None, atc_codes=atc_codes,
            chapters=tuple(sorted({facts.atc[a].chapter for a in atc_codes if a in facts.atc})),
            reasons=reasons, metrics=metrics, cuts=judged[1], verdict=judged[0],
            synthetic=_is_synthetic(graphs, synthetic),
        ))
    substance_index = {s.iri: s for s in substances}

    if analysis.groups is None:
        say(f"grouping {len(facts.product_substances)} products by profile")
        analysis.groups = _profile_groups(facts)
    groups = analysis.groups
    profiles: list[ProductProfile] = []
    profile_counts: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0])
    for (product_substances, atc_codes), group in groups.items():
        expanded = tuple(sorted(set(product_substances) | {c for s in product_substances for c in components.get(s, ())}))
        substance_atcs = tuple(a for s in expanded for a in (facts.substances[s].atc_codes if s in facts.substances else ()))
        reasons = _reasons_of(expanded + atc_codes + substance_atcs, facts)
        if not in_scope(reasons):
            continue
        judged_profile = analysis.profiles.get((product_substances, atc_codes))
        if judged_profile is None:
            pm = profile_metrics(product_substances, by_substance, tiers, components)
            judged_profile = analysis.profiles[(product_substances, atc_codes)] = (
                pm, product_cut(product_substances, cuts, graph_tiers, components),
                verdict(reasons, {t: pm.tiers[t].weakest for t in tiers}, criteria))
        pm, cut, profile_verdict = judged_profile
        metric_graphs: set[str] = set()
        for t in pm.tiers.values():
            if t.weakest is not None:
                metric_graphs |= t.weakest.graphs
        chapter_codes = [facts.atc[a].chapter for a in (atc_codes or substance_atcs) if a in facts.atc]
        profile = ProductProfile(
            substances=product_substances, atc_codes=atc_codes,
            chapter=min(chapter_codes) if chapter_codes else None, reasons=reasons, metrics=pm,
            cut=cut, verdict=profile_verdict,
            synthetic=_is_synthetic(metric_graphs | group.graphs, synthetic),
            products=group.products,
        )
        profiles.append(profile)
        counts = profile_counts[product_substances]
        counts[0] += len(group.products)
        if profile.verdict.essential_by:
            counts[1] += len(group.products)
        for s in expanded:
            if s in substance_index:
                substance_index[s].products += len(group.products)
    profiles.sort(key=lambda p: (p.substances, p.atc_codes))

    say("finding single points of failure")
    scoped_cuts = {(s.iri, t): c for s in substances for t, c in s.cuts.items()}
    spofs = single_points_of_failure(scoped_cuts, {k: (v[0], v[1]) for k, v in profile_counts.items()},
                                     graph_tiers, components, cuts)
    names: dict[str, tuple[str | None, str | None]] = {}
    if with_product_names and profiles:
        say("reading product names")
        names = product_names(store)
    api_tier = model.tier_order[0] if model.tier_order else None
    countries = _countries(substances, api_tier, facts)
    dataset_version = loaded_version(store)
    receipt = Receipt(
        report="dependencies", scope=scope, date=on.isoformat(),
        generated_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        engine_version=__version__, dataset_version=dataset_version, named_graphs=tuple(store.named_graphs()),
        criteria=criteria.criteria, criteria_origin=criteria.origin, sources=tuple(facts.sources),
        synthetic_graphs=tuple(sorted(synthetic)),
        notes=(
            "A product takes its substances' metrics; a combination takes its weakest substance per tier "
            "(highest HHI, then fewest suppliers, then lowest EU/EEA share).",
            "Figures marked synthetic rest on at least one graph the catalog marks ms:synthetic true.",
            "Figures marked reconstructed rest on supplier nodes rebuilt from published per-country counts "
            "(ms:reconstructed true), not on named companies.",
        ),
    )
    report = DependencyReport(
        receipt=receipt, tiers=tiers, tier_labels={t: facts.tier_label(t) for t in tiers}, substances=substances,
        profiles=profiles, countries=countries, single_points_of_failure=spofs, summary={}, charts={},
        facts=facts, criteria=criteria, product_names=names,
    )
    report.summary = _summary(report, api_tier)
    report.charts = _charts(report, api_tier, model.focus_countries)
    say(f"report built in {time.perf_counter() - started:.1f} s: {len(substances)} substances, "
        f"{report.product_count} products")
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
    verdicts = Counter(s.verdict.verdict for s in report.substances)
    product_verdicts: Counter[str] = Counter()
    for profile in report.profiles:
        product_verdicts[profile.verdict.verdict] += len(profile.products)
    api = [s.metrics[api_tier] for s in report.substances if api_tier and api_tier in s.metrics]
    hhis = [m.hhi_country for m in api if m.hhi_country is not None]
    fired: Counter[str] = Counter()
    for s in report.substances:
        for f in {f.criterion.label for f in s.verdict.fired}:
            fired[f] += 1
    return {
        "substances": len(report.substances),
        "substances_with_api_data": len(api),
        "substance_verdicts": dict(sorted(verdicts.items())),
        "criteria_fired_substances": dict(sorted(fired.items())),
        "api_single_country": sum(1 for m in api if m.single_country),
        "api_single_supplier": sum(1 for m in api if m.single_supplier),
        "api_no_eu_eea_supplier": sum(1 for m in api if m.eu_eea_share == 0),
        "api_median_hhi": round(statistics.median(hhis), 1) if hhis else None,
        "products": report.product_count,
        "product_profiles": len(report.profiles),
        "product_verdicts": dict(sorted(product_verdicts.items())),
        "single_points_of_failure": len(report.single_points_of_failure),
        "synthetic_substance_figures": sum(1 for s in report.substances if s.synthetic),
    }


def _charts(report: DependencyReport, api_tier: str | None, focus: tuple[str, ...]) -> dict[str, object]:
    """The numbers behind the HTML charts (kept in the model so every format can show them)."""
    api = [(s, s.metrics[api_tier]) for s in report.substances if api_tier and api_tier in s.metrics]
    concentration = [
        {"substance": s.label, "hhi": m.hhi_country, "n_suppliers": m.n_suppliers,
         "shares": [(k, n / max(1, m.n_suppliers - m.suppliers_without_country)) for k, n in m.country_counts]}
        for s, m in sorted(api, key=lambda sm: (-(sm[1].hhi_country or 0), sm[0].label))
    ]
    bins = [0] * 20
    for _, m in api:
        if m.hhi_country is not None:
            bins[min(19, int(m.hhi_country // 500))] += 1
    focus_keys = [report.facts.countries[k].key for k in report.facts.countries
                  if report.facts.countries[k].iri in focus]
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
