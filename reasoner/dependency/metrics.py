"""Supply-concentration metrics per substance and tier, and for products through their substances.

For each substance and supply tier: the number of suppliers and of supplier countries, the
Herfindahl–Hirschman index over supplier countries (each country's share of the suppliers, in
percent, squared and summed: 0–10,000), the top country and its share (ties broken by the ISO
code, alphabetically, as the source paper's table does), the share of suppliers in the EU/EEA,
and the single-source flags (one supplier; one country). At the insurer-preferred tier "one
supplier" means one preferred supplier across all insurers.

A product takes its substances' metrics. A combination — a product with several substances, or a
combination substance with components — takes its **weakest** substance, tier by tier: the one
with the highest HHI; ties go to the fewest suppliers, then the lowest EU/EEA share, then the IRI
(so the choice is stable). A substance with no suppliers known at a tier cannot be weighed: the
product's metric at that tier then rests on the others and lists the missing ones.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from reasoner.dependency.facts import SupplierEdge


@dataclass(frozen=True)
class TierMetrics:
    """Concentration of one substance's supply at one tier."""

    substance: str
    tier: str
    n_suppliers: int
    n_countries: int
    hhi_country: float | None
    top_country: str | None
    top_country_share: float | None
    eu_eea_share: float | None
    single_supplier: bool
    single_country: bool
    country_counts: tuple[tuple[str, int], ...]
    """(country key, suppliers) sorted by suppliers, most first."""
    suppliers: tuple[str, ...]
    suppliers_without_country: int
    reconstructed: bool
    """True when the figures rest on reconstructed supplier nodes."""
    graphs: frozenset[str]
    """The named graphs the supplier facts come from."""

    def value(self, measure: str) -> float | None:
        """The metric a criterion names (``hhi_country``, ``n_countries``, ``n_suppliers``, ``eu_eea_share``)."""
        raw = getattr(self, measure, None)
        if raw is None or isinstance(raw, (tuple, frozenset, str)):
            return None
        return float(raw)

    def as_dict(self) -> dict[str, object]:
        return {
            "tier": self.tier, "n_suppliers": self.n_suppliers, "n_countries": self.n_countries,
            "hhi_country": self.hhi_country, "top_country": self.top_country,
            "top_country_share": self.top_country_share, "eu_eea_share": self.eu_eea_share,
            "single_supplier": self.single_supplier, "single_country": self.single_country,
            "countries": dict(self.country_counts), "suppliers_without_country": self.suppliers_without_country,
            "reconstructed": self.reconstructed, "graphs": sorted(self.graphs),
        }


def hhi(counts: Iterable[int]) -> float:
    """Herfindahl–Hirschman index (0–10,000) of a distribution given as counts."""
    values = [c for c in counts if c > 0]
    total = sum(values)
    if total == 0:
        return 0.0
    return sum((100.0 * c / total) ** 2 for c in values)


def tier_metrics(substance: str, tier: str, edges: Sequence[SupplierEdge]) -> TierMetrics:
    """The metrics of one substance at one tier from its supplier edges (one per supplier)."""
    suppliers = sorted({e.supplier for e in edges})
    by_supplier = {e.supplier: e for e in edges}
    located = [by_supplier[s] for s in suppliers if by_supplier[s].country is not None]
    counts = Counter(e.country for e in located)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    known_membership = [e for e in located if e.eu_eea is not None]
    n_located = len(located)
    top, top_n = ranked[0] if ranked else (None, 0)
    return TierMetrics(
        substance=substance, tier=tier, n_suppliers=len(suppliers), n_countries=len(counts),
        hhi_country=round(hhi(counts.values()), 6) if counts else None,
        top_country=top, top_country_share=(top_n / n_located) if n_located else None,
        eu_eea_share=(sum(1 for e in known_membership if e.eu_eea) / len(known_membership)) if known_membership else None,
        single_supplier=len(suppliers) == 1, single_country=len(counts) == 1 and n_located == len(suppliers),
        country_counts=tuple((str(k), v) for k, v in ranked), suppliers=tuple(suppliers),
        suppliers_without_country=len(suppliers) - n_located,
        reconstructed=any(e.reconstructed for e in edges),
        graphs=frozenset(e.graph for e in edges if e.graph),
    )


def substance_metrics(edges: Iterable[SupplierEdge]) -> dict[str, dict[str, TierMetrics]]:
    """Metrics for every substance and every tier it has suppliers at: ``{substance: {tier: metrics}}``."""
    grouped: dict[tuple[str, str], list[SupplierEdge]] = defaultdict(list)
    for edge in edges:
        grouped[(edge.substance, edge.tier)].append(edge)
    result: dict[str, dict[str, TierMetrics]] = defaultdict(dict)
    for (substance, tier), group in grouped.items():
        result[substance][tier] = tier_metrics(substance, tier, group)
    return dict(result)


def weakness_key(metrics: TierMetrics) -> tuple[float, int, float, str]:
    """Sort key putting the weakest supply first: highest HHI, fewest suppliers, lowest EU/EEA share."""
    return (
        -(metrics.hhi_country if metrics.hhi_country is not None else 10_000.0),
        metrics.n_suppliers,
        metrics.eu_eea_share if metrics.eu_eea_share is not None else 0.0,
        metrics.substance,
    )


@dataclass(frozen=True)
class ProductTierMetrics:
    """A product's metrics at one tier: those of its weakest substance, and what could not be weighed."""

    tier: str
    weakest: TierMetrics | None
    weighed: tuple[str, ...]
    missing: tuple[str, ...]
    """Substances with no suppliers known at this tier."""

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"tier": self.tier, "weakest_substance": self.weakest.substance if self.weakest else None,
                                   "weighed_substances": list(self.weighed), "missing_substances": list(self.missing)}
        if self.weakest is not None:
            body.update({k: v for k, v in self.weakest.as_dict().items() if k != "tier"})
        return body


@dataclass
class ProfileMetrics:
    """Metrics shared by every product with the same set of substances (computed once per set)."""

    substances: tuple[str, ...]
    tiers: dict[str, ProductTierMetrics] = field(default_factory=dict)


def profile_metrics(
    substances: tuple[str, ...], by_substance: Mapping[str, Mapping[str, TierMetrics]], tiers: Sequence[str],
    components: Mapping[str, Sequence[str]] | None = None,
) -> ProfileMetrics:
    """The weakest-substance metrics, per tier, of a product made of ``substances``.

    A combination substance with components counts as itself where it has suppliers of its own
    (for example a combination's batch release) and through its components otherwise.
    """
    components = components or {}
    profile = ProfileMetrics(substances)
    for tier in tiers:
        candidates: list[TierMetrics] = []
        missing: list[str] = []
        for substance in substances:
            own = by_substance.get(substance, {}).get(tier)
            if own is not None:
                candidates.append(own)
                continue
            parts = components.get(substance, ())
            part_metrics = [by_substance.get(p, {}).get(tier) for p in parts]
            if parts and all(m is not None for m in part_metrics):
                candidates.extend(m for m in part_metrics if m is not None)
            else:
                missing.append(substance)
        weakest = min(candidates, key=weakness_key) if candidates else None
        profile.tiers[tier] = ProductTierMetrics(tier, weakest, tuple(sorted({c.substance for c in candidates})),
                                                 tuple(missing))
    return profile
