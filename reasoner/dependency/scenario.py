"""Disruption scenarios: what happens to every product when countries, suppliers or organisations stop.

Input: the countries, suppliers and organisations that stop supplying, for how many weeks, and a
demand surge factor. For every product:

- **status**: ``lost`` when at some required tier (the supply model's ``ms:requiredForSupply``)
  every supplier of one of its substances is disrupted, or its own marketing-authorisation holder
  is; ``degraded`` when some suppliers are (or its insurer-preferred supplier is); ``unaffected``
  when none are; ``unknown`` when no supplier of a required tier is known at all, so nothing can
  be said;
- **capacity**: the share of supply left, assuming every supplier of a tier carries an equal
  share (the graph holds no volumes): 0 when lost, the smallest remaining share over its
  substances and required tiers when degraded;
- **stock cover**: the weeks of demand held along the chain (MAH, wholesalers, extra stock), each
  holder's latest position on the start date, marked synthetic when it comes from a synthetic graph;
- **runs short**: stock drains at (demand surge − capacity) weeks of demand per week; the product
  runs short when the cover is used up before the disruption ends, on the date it is used up.
  ``unknown`` when stock would drain but no stock position is known;
- **why**: each disrupted supplier, its tier, substance, and the country or organisation that
  caused it.

Totals count products by critical category (the reasons they are critical) and by ATC chapter.
A scenario starts from its date's :mod:`.scenario_basis` (products grouped by substances, holders
and categories; supplier edges indexed; stock per product): each group is judged once, and per
product only its stock is weighed.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from reasoner.dataset import loaded_version
from reasoner.dependency.criteria import SupplyModel, load_criteria
from reasoner.dependency.facts import StockPosition, SupplierEdge, SupplyFacts, product_names, supply_facts
from reasoner.dependency.scenario_basis import (
    ProductGroup, ScenarioBasis, Stock, Supply, product_stock, scenario_basis,
)
from reasoner.errors import InputError
from reasoner.memory import collector_paused
from reasoner.store import OxigraphStore

LOST = "lost"
DEGRADED = "degraded"
UNAFFECTED = "unaffected"
UNKNOWN = "unknown"
RANK = {LOST: 0, DEGRADED: 1, UNKNOWN: 2, UNAFFECTED: 3}
"""The order of outcomes: lost first."""

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Disruption:
    """Who stops supplying, for how long, from when, and how much demand rises meanwhile."""

    countries: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    weeks: float = 8.0
    demand_surge: float = 1.0
    start: date = field(default_factory=date.today)

    def check(self) -> None:
        if not (self.countries or self.suppliers or self.organisations):
            raise InputError("name at least one country, supplier or organisation that stops supplying",
                             where="countries")
        if not (self.weeks > 0 and math.isfinite(self.weeks)):
            raise InputError(f"weeks must be a positive number, not {self.weeks}", where="weeks")
        if not (self.demand_surge > 0 and math.isfinite(self.demand_surge)):
            raise InputError(f"demand_surge must be a positive factor (1.0 = normal demand), not {self.demand_surge}",
                             where="demand_surge")


@dataclass(frozen=True)
class Cause:
    """One disrupted supplier of one substance at one tier, and what disrupted it."""

    tier: str
    substance: str
    supplier: str
    because: str

    def as_dict(self) -> dict[str, str]:
        return {"tier": self.tier, "substance": self.substance, "supplier": self.supplier, "because": self.because}


@dataclass(frozen=True)
class TierImpact:
    tier: str
    substance: str
    suppliers: int
    disrupted: int

    @property
    def remaining(self) -> float:
        return (self.suppliers - self.disrupted) / self.suppliers if self.suppliers else 0.0


@dataclass(frozen=True)
class ProfileImpact:
    status: str
    capacity: float | None
    impacts: tuple[TierImpact, ...]
    causes: tuple[Cause, ...]


class ProductOutcome(NamedTuple):
    """What happens to one product (a tuple: a scenario at a million products makes hundreds of thousands)."""

    product: str
    status: str
    capacity: float | None
    stock_weeks: float | None
    stock_synthetic: bool
    stock_positions: tuple[StockPosition, ...]
    runs_short: bool | None
    """None = unknown (stock would drain but none is known)."""
    weeks_until_short: float | None
    short_on: date | None
    impact: ProfileImpact
    chapter: str | None
    categories: tuple[str, ...]


@dataclass
class ScenarioResult:
    disruption: Disruption
    resolved_countries: tuple[str, ...]
    outcomes: list[ProductOutcome]
    """Products that are lost, degraded, unknown-but-touched or run short (all, with ``include_unaffected``)."""
    totals: dict[str, object]
    by_category: dict[str, dict[str, int]]
    by_chapter: dict[str, dict[str, int]]
    facts: SupplyFacts
    receipt: dict[str, object]


def _resolve_countries(names: Sequence[str], facts: SupplyFacts, known_in_edges: frozenset[str]) -> tuple[str, ...]:
    by_iri = {info.iri: key for key, info in facts.countries.items()}
    resolved: list[str] = []
    for name in names:
        candidate = name.strip()
        key = by_iri.get(candidate) or (candidate.upper() if candidate.upper() in facts.countries else None)
        if key is None and candidate.upper() in known_in_edges:
            key = candidate.upper()
        if key is None:
            raise InputError(f"unknown country {name!r}: give an ISO 3166-1 alpha-2 code (CN) or a country IRI",
                             where="countries")
        resolved.append(key)
    return tuple(resolved)


def _cause(edge: SupplierEdge, countries: set[str], suppliers: set[str], organisations: set[str]) -> str | None:
    if edge.country is not None and edge.country in countries:
        return f"country {edge.country}"
    if edge.supplier in suppliers:
        return "supplier"
    if edge.supplier in organisations:
        return "organisation"
    if edge.operator is not None and edge.operator in organisations:
        return f"organisation {edge.operator}"
    return None


def _disrupted_supplies(basis: ScenarioBasis, countries: set[str], suppliers: set[str],
                        organisations: set[str]) -> dict[Supply, list[Cause]]:
    """The disrupted suppliers of each touched supply, in the order of its edges, and why."""
    disrupted: dict[Supply, list[Cause]] = {}
    for supply, positions in basis.edges_of(countries, suppliers, organisations).items():
        found = []
        for position in positions:
            edge = basis.supplies[supply][position]
            because = _cause(edge, countries, suppliers, organisations)
            if because is not None:
                found.append(Cause(edge.tier, edge.substance, edge.supplier, because))
        disrupted[supply] = found
    return disrupted


class _SupplyImpacts:
    """What one disruption does to the supply of each group of products: each combination of
    substances and holders judged once."""

    def __init__(self, basis: ScenarioBasis, disrupted: dict[Supply, list[Cause]], model: SupplyModel,
                 facts: SupplyFacts, stopped: set[str]) -> None:
        product_tiers = facts.product_tiers
        self._supplies, self._components, self._disrupted = basis.supplies, facts.components, disrupted
        substance_tiers = [t for t in model.tier_order if t not in product_tiers]
        self._required = [t for t in substance_tiers if t in model.required_tiers]
        self._optional = [t for t in substance_tiers if t not in model.required_tiers]
        self._product_tier = next(iter(sorted(product_tiers)), None)
        self._product_tier_required = self._product_tier in model.required_tiers
        self._stopped = stopped
        self._judged: dict[tuple[tuple[str, ...], tuple[str, ...] | int], ProfileImpact] = {}

    def of(self, group: ProductGroup) -> ProfileImpact:
        # holders count only by number unless one of them is disrupted: groups of different
        # holders with the same substances then share one judgement
        disrupted_holder = bool(self._stopped) and not self._stopped.isdisjoint(group.holders)
        key = (group.substances, group.holders if disrupted_holder else len(group.holders))
        impact = self._judged.get(key)
        if impact is None:
            impact = self._judged[key] = self._judge(group.substances, group.holders)
        return impact

    def _supplies_of(self, substance: str, tier: str) -> list[str]:
        """The substance itself where it has suppliers at ``tier``, else its components if they all have."""
        if (substance, tier) in self._supplies:
            return [substance]
        parts = self._components.get(substance, ())
        if parts and all((p, tier) in self._supplies for p in parts):
            return list(parts)
        return []

    def _judge(self, substances: tuple[str, ...], holders: tuple[str, ...]) -> ProfileImpact:
        impacts: list[TierImpact] = []
        causes: list[Cause] = []
        lost = degraded = known = False
        capacity = 1.0
        for tier in self._required + self._optional:
            required = tier in self._required
            for substance in substances:
                for supply in self._supplies_of(substance, tier):
                    total = len(self._supplies[(supply, tier)])
                    hit = self._disrupted.get((supply, tier), ())
                    impacts.append(TierImpact(tier, supply, total, len(hit)))
                    causes.extend(hit)
                    known = known or required
                    if not hit:
                        continue
                    if required and len(hit) >= total:
                        lost = True
                    elif required:
                        degraded = True
                        capacity = min(capacity, (total - len(hit)) / total)
                    else:
                        degraded = True
        if self._product_tier is not None and holders:
            hit_holders = [m for m in holders if m in self._stopped]
            impacts.append(TierImpact(self._product_tier, "", len(holders), len(hit_holders)))
            causes.extend(Cause(self._product_tier, "", m, "organisation") for m in hit_holders)
            if self._product_tier_required and hit_holders and len(hit_holders) == len(holders):
                lost = True
            elif hit_holders:
                degraded = True
        if lost:
            return ProfileImpact(LOST, 0.0, tuple(impacts), tuple(causes))
        if degraded:
            return ProfileImpact(DEGRADED, capacity, tuple(impacts), tuple(causes))
        if not known:
            return ProfileImpact(UNKNOWN, None, tuple(impacts), tuple(causes))
        return ProfileImpact(UNAFFECTED, 1.0, tuple(impacts), tuple(causes))


@collector_paused()
def run_scenario(
    store: OxigraphStore, disruption: Disruption, *, progress: Progress | None = None,
    facts: SupplyFacts | None = None, include_unaffected: bool = False,
) -> ScenarioResult:
    """Run one disruption scenario over every product in the graph."""
    disruption.check()
    say = progress or (lambda _m: None)
    started = time.perf_counter()
    criteria = load_criteria(store, disruption.start)
    facts = facts or supply_facts(store, disruption.start, say)
    model = criteria.model
    basis = scenario_basis(store, disruption.start, facts)
    countries = set(_resolve_countries(disruption.countries, facts, basis.countries))
    suppliers, organisations = set(disruption.suppliers), set(disruption.organisations)

    say("finding disrupted suppliers")
    impacts = _SupplyImpacts(basis, _disrupted_supplies(basis, countries, suppliers, organisations), model,
                             facts, organisations | suppliers)
    say(f"judging {basis.products} products in {len(basis.groups)} groups")
    surge, weeks, start = disruption.demand_surge, disruption.weeks, disruption.start
    stock: dict[str, Stock] | None = None  # read on first need: a scenario that drains no stock reads none
    synthetic = facts.synthetic_graphs
    outcomes: list[ProductOutcome] = []
    order: list[int] = []  # each outcome's sort key: status, date it runs short, product IRI, as one integer
    never, n = date.max.toordinal() + 1, basis.products
    tallies: Counter[tuple[str, str, tuple[str, ...], str | None]] = Counter()
    for group in basis.groups:
        impact = impacts.of(group)
        status, capacity, categories, chapter = impact.status, impact.capacity, group.categories, group.chapter
        listed = include_unaffected or status in (LOST, DEGRADED)
        first_key = RANK[status] * never
        drain = surge - (capacity if capacity is not None else 1.0)
        if drain <= 1e-12:  # no stock drawn: nobody runs short, and no position is needed
            runs_short = None if status == UNKNOWN else False
            tallies[(status, "short_unknown" if runs_short is None else "covered", categories, chapter)] += \
                len(group.products)
            if listed:
                outcomes.extend(ProductOutcome(product, status, capacity, None, False, (), runs_short, None, None,
                                               impact, chapter, categories) for product in group.products)
                order.extend((first_key + never - 1) * n + rank for rank in group.ranks)
            continue
        if stock is None:
            say("reading stock positions")
            stock = product_stock(store, start)
        short = covered = unknown = 0
        for product, rank in zip(group.products, group.ranks):
            held = stock.get(product)
            if held is None:
                unknown += 1
                if listed:
                    outcomes.append(ProductOutcome(product, status, capacity, None, False, (), None, None, None,
                                                   impact, chapter, categories))
                    order.append((first_key + never - 1) * n + rank)
                continue
            until = held.weeks / drain
            if until < weeks:
                short += 1
                short_on = start + timedelta(days=math.floor(until * 7))
                outcomes.append(ProductOutcome(
                    product, status, capacity, held.weeks, not held.graphs.isdisjoint(synthetic), held.positions,
                    True, until, short_on, impact, chapter, categories))
                order.append((first_key + short_on.toordinal()) * n + rank)
                continue
            if status == UNKNOWN:
                unknown += 1
            else:
                covered += 1
            if listed:
                outcomes.append(ProductOutcome(
                    product, status, capacity, held.weeks, not held.graphs.isdisjoint(synthetic), held.positions,
                    None if status == UNKNOWN else False, until, None, impact, chapter, categories))
                order.append((first_key + never - 1) * n + rank)
        for short_key, count in (("runs_short", short), ("covered", covered), ("short_unknown", unknown)):
            if count:
                tallies[(status, short_key, categories, chapter)] += count
    by_category: dict[str, Counter[str]] = defaultdict(Counter)
    by_chapter: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for (status, short_key, categories, chapter), count in tallies.items():
        for counter in (totals, *(by_category[c] for c in categories), by_chapter[chapter or "?"]):
            counter[status] += count
            counter[short_key] += count
    outcomes = [outcomes[i] for i in sorted(range(len(outcomes)), key=order.__getitem__)]
    say(f"scenario done in {time.perf_counter() - started:.1f} s")
    totals_dict: dict[str, object] = {"products": sum(tallies.values()), **dict(sorted(totals.items()))}
    receipt = {
        "date": disruption.start.isoformat(), "dataset_version": loaded_version(store),
        "named_graphs": store.named_graphs(), "criteria_origin": criteria.origin,
        "sources": [s.__dict__ for s in facts.sources], "synthetic_graphs": sorted(synthetic),
        "required_tiers": sorted(model.required_tiers),
        "assumption": "Every supplier of a tier carries an equal share of supply (the graph holds no volumes); "
                      "stock drains at (demand surge − remaining capacity) weeks of demand per week.",
    }
    return ScenarioResult(
        disruption, tuple(sorted(countries)), outcomes, totals_dict,
        {k: dict(v) for k, v in sorted(by_category.items())}, {k: dict(v) for k, v in sorted(by_chapter.items())},
        facts, receipt,
    )


def outcome_as_dict(outcome: ProductOutcome, facts: SupplyFacts, names: dict[str, tuple[str | None, str | None]] | None = None) -> dict[str, object]:
    """One product's scenario outcome as JSON-ready data, with the reasons spelled out."""
    name = (names or {}).get(outcome.product, (None, None))
    synthetic = facts.synthetic_graphs
    return {
        "product": outcome.product, "name": name[0], "registration": name[1],
        "status": outcome.status, "capacity": outcome.capacity,
        "stock_cover_weeks": outcome.stock_weeks, "stock_synthetic": outcome.stock_synthetic,
        "stock_positions": [
            {"holder": p.holder, "role": p.role, "weeks": p.weeks, "date": p.position_date,
             "graph": p.graph, "synthetic": p.graph in synthetic} for p in outcome.stock_positions
        ],
        "runs_short": outcome.runs_short if outcome.runs_short is not None else "unknown",
        "weeks_until_short": round(outcome.weeks_until_short, 2) if outcome.weeks_until_short is not None else None,
        "short_on": outcome.short_on.isoformat() if outcome.short_on else None,
        "chapter": outcome.chapter, "categories": list(outcome.categories),
        "why": [
            {**c.as_dict(), "substance_label": facts.substance_label(c.substance) if c.substance else None,
             "tier_label": facts.tier_label(c.tier)} for c in outcome.impact.causes
        ],
        "supply": [
            {"tier": i.tier, "substance": i.substance or None, "suppliers": i.suppliers, "disrupted": i.disrupted}
            for i in outcome.impact.impacts
        ],
    }


NAMES_UP_TO = 200_000
"""Product names are looked up (one pass over every product) only for graphs up to this size."""


def product_names_for(store: OxigraphStore, result: ScenarioResult) -> dict[str, tuple[str | None, str | None]]:
    """Names and registration numbers for the listed products, when the graph is small enough to afford it."""
    if not result.outcomes or int(result.totals.get("products", 0)) > NAMES_UP_TO:  # type: ignore[call-overload]
        return {}
    return product_names(store)


def scenario_as_dict(result: ScenarioResult, names: dict[str, tuple[str | None, str | None]] | None = None,
                     limit: int | None = None) -> dict[str, object]:
    """The scenario as JSON-ready data; with ``limit``, only the first products of the list (the most
    severe: lost, then degraded, earliest to run short first), while totals still count every product."""
    if limit is not None and limit < 0:
        raise InputError(f"limit must be 0 or more, not {limit}", where="limit")
    d = result.disruption
    listed = result.outcomes if limit is None else result.outcomes[:limit]
    return {
        "scenario": {
            "countries": list(result.resolved_countries), "suppliers": list(d.suppliers),
            "organisations": list(d.organisations), "weeks": d.weeks, "demand_surge": d.demand_surge,
            "date": d.start.isoformat(),
        },
        "totals": result.totals, "by_critical_category": result.by_category, "by_atc_chapter": result.by_chapter,
        "products": [outcome_as_dict(o, result.facts, names) for o in listed],
        "listed": {"products": len(listed), "of": len(result.outcomes), "limit": limit},
        "receipt": result.receipt,
    }
