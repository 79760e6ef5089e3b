"""The analysis every dependency report shares, whatever its scope: one per store revision and date.

From the supply facts of a date it computes, once, everything a report says of a substance or a
product profile: the metrics per tier, the cuts of the supply graph (networkx), the HERA verdict,
the critical-list reasons (and so the scopes it belongs to), the ATC chapters, whether it rests on
synthetic data and, for a substance, how many products it reaches. None of it depends on the
report's scope: a substance in a scope reaches only profiles in that scope, since a profile is
critical for every reason of each of its substances. A report then only picks the entries of its
scope and adds them up (:mod:`.report`); at a million products that is the difference between
seconds and a minute.

Products are grouped by *profile* (their substances and ATC codes): a million products have a few
hundred thousand profiles at most, and each is judged once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from reasoner.dependency.criteria import CriteriaSet, load_criteria
from reasoner.dependency.facts import Criticality, SupplyFacts
from reasoner.dependency.metrics import ProfileMetrics, TierMetrics, profile_metrics, substance_metrics
from reasoner.dependency.supply_graph import LazyCuts, ProductCut, SupplyCut, SupplyGraph, product_cut
from reasoner.dependency.vulnerability import Verdict, verdict
from reasoner.revision_cache import cached
from reasoner.store import OxigraphStore

Progress = Callable[[str], None]
ProfileKey = tuple[tuple[str, ...], tuple[str, ...]]
"""A profile: a product's substances and its own ATC codes."""


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
    """Products made with it (itself or as a component of a combination)."""
    scopes: frozenset[str] = frozenset()
    """The critical-list scopes of its reasons (``union-list``, ``nl-critical``)."""


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
    scopes: frozenset[str] = frozenset()
    """The critical-list scopes of its reasons: those of its substances, their ATC codes and its own."""


def in_scope(entry: SubstanceEntry | ProductProfile, scope: str) -> bool:
    """Whether a substance or profile belongs in a report of ``scope`` (``all`` takes everything)."""
    return scope == "all" or scope in entry.scopes


@dataclass
class SupplyAnalysis:
    """Every substance and product profile of a date's supply facts, judged: see the module docstring."""

    facts: SupplyFacts
    """The facts analysed (kept, so that the cache key's ``id`` of them cannot be reused)."""
    tiers: tuple[str, ...]
    """The supply model's tiers in order, then any other tier the facts name."""
    substances: list[SubstanceEntry]
    """Every substance, sorted by IRI."""
    profiles: list[ProductProfile]
    """Every profile, sorted by (substances, ATC codes); products sorted within each."""
    api_tier: str | None
    """The first tier of the supply model (active-substance manufacture), the one charts show."""
    concentration: list[tuple[SubstanceEntry, dict[str, object]]]
    """The country-concentration chart row of every substance with suppliers at the API tier, most
    concentrated first (then by label)."""


def supply_analysis(store: OxigraphStore, on: date, facts: SupplyFacts, say: Progress) -> SupplyAnalysis:
    """The :class:`SupplyAnalysis` of ``facts``, computed once per store revision and date."""
    return cached(store, ("supply-analysis", on, id(facts)), lambda: analyse(facts, load_criteria(store, on), say),
                  keep=2)


def analyse(facts: SupplyFacts, criteria: CriteriaSet, say: Progress) -> SupplyAnalysis:
    """Judge every substance and profile of ``facts`` against ``criteria``."""
    model = criteria.model
    tiers = tuple(model.tier_order) + tuple(sorted({e.tier for e in facts.edges} - set(model.tier_order)))
    say("computing metrics per substance and tier")
    by_substance = substance_metrics(facts.edges)
    graph_tiers = tuple(t for t in tiers if t in model.required_tiers and t not in facts.product_tiers)
    say("building the supply graph (networkx)")
    cuts = SupplyGraph(facts.edges, graph_tiers).lazy_cuts()
    components = facts.components
    say("judging substances against the HERA criteria")
    substances = _substance_entries(facts, by_substance, tiers, graph_tiers, cuts, criteria)
    say(f"judging {len(facts.product_substances)} products by profile")
    profiles = _product_profiles(facts, by_substance, tiers, graph_tiers, cuts, components, criteria)
    index = {s.iri: s for s in substances}
    for profile in profiles:
        for s in _expanded(profile.substances, components):
            if s in index:
                index[s].products += len(profile.products)
    api_tier = model.tier_order[0] if model.tier_order else None
    return SupplyAnalysis(facts, tiers, substances, profiles, api_tier, _concentration(substances, api_tier))


def _reasons_of(subjects: tuple[str, ...], facts: SupplyFacts) -> tuple[Criticality, ...]:
    seen: list[Criticality] = []
    for subject in subjects:
        for reason in facts.criticality.get(subject, ()):
            if reason not in seen:
                seen.append(reason)
    return tuple(seen)


def _expanded(substances: tuple[str, ...], components: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """A product's substances and the components of its combination substances."""
    return tuple(sorted(set(substances) | {c for s in substances for c in components.get(s, ())}))


def _substance_entries(facts: SupplyFacts, by_substance: dict[str, dict[str, TierMetrics]], tiers: tuple[str, ...],
                       graph_tiers: tuple[str, ...], cuts: LazyCuts, criteria: CriteriaSet) -> list[SubstanceEntry]:
    synthetic = facts.synthetic_graphs
    entries: list[SubstanceEntry] = []
    for iri in sorted(set(facts.substances) | set(by_substance)):
        info = facts.substances.get(iri)
        atc_codes = info.atc_codes if info else ()
        reasons = _reasons_of((iri, *atc_codes), facts)
        metrics = by_substance.get(iri, {})
        graphs: set[str] = set()
        for m in metrics.values():
            graphs |= m.graphs
        entries.append(SubstanceEntry(
            iri=iri, label=facts.substance_label(iri), key=info.key if info else None, atc_codes=atc_codes,
            chapters=tuple(sorted({facts.atc[a].chapter for a in atc_codes if a in facts.atc})),
            reasons=reasons, metrics=metrics,
            cuts={t: c for t in graph_tiers if (c := cuts.get((iri, t))) is not None},
            verdict=verdict(reasons, {t: metrics.get(t) for t in tiers}, criteria),
            synthetic=bool(graphs & synthetic), scopes=frozenset(r.scope for r in reasons),
        ))
    return entries


def _product_profiles(facts: SupplyFacts, by_substance: dict[str, dict[str, TierMetrics]], tiers: tuple[str, ...],
                      graph_tiers: tuple[str, ...], cuts: LazyCuts, components: dict[str, tuple[str, ...]],
                      criteria: CriteriaSet) -> list[ProductProfile]:
    members: dict[ProfileKey, list[str]] = defaultdict(list)
    for product, product_substances in facts.product_substances.items():
        members[(product_substances, facts.product_atc.get(product, ()))].append(product)
    synthetic = facts.synthetic_graphs
    profiles: list[ProductProfile] = []
    for (product_substances, atc_codes), products in sorted(members.items()):
        expanded = _expanded(product_substances, components)
        substance_atcs = tuple(a for s in expanded for a in (facts.substances[s].atc_codes if s in facts.substances else ()))
        reasons = _reasons_of(expanded + atc_codes + substance_atcs, facts)
        pm = profile_metrics(product_substances, by_substance, tiers, components)
        graphs = {facts.product_graph.get(p, "") for p in products}
        for t in pm.tiers.values():
            if t.weakest is not None:
                graphs |= t.weakest.graphs
        chapter_codes = [facts.atc[a].chapter for a in (atc_codes or substance_atcs) if a in facts.atc]
        profiles.append(ProductProfile(
            substances=product_substances, atc_codes=atc_codes,
            chapter=min(chapter_codes) if chapter_codes else None, reasons=reasons, metrics=pm,
            cut=product_cut(product_substances, cuts, graph_tiers, components),
            verdict=verdict(reasons, {t: pm.tiers[t].weakest for t in tiers}, criteria),
            synthetic=bool(graphs & synthetic), products=sorted(products),
            scopes=frozenset(r.scope for r in reasons),
        ))
    return profiles


def _concentration(substances: list[SubstanceEntry], tier: str | None) -> list[tuple[SubstanceEntry, dict[str, object]]]:
    rows = []
    for entry in substances:
        m = entry.metrics.get(tier) if tier else None
        if m is None:
            continue
        located = max(1, m.n_suppliers - m.suppliers_without_country)
        rows.append((entry, {"substance": entry.label, "hhi": m.hhi_country, "n_suppliers": m.n_suppliers,
                             "shares": [(k, n / located) for k, n in m.country_counts]}))
    rows.sort(key=lambda row: (-(row[1]["hhi"] or 0), row[0].label))  # type: ignore[operator]
    return rows
