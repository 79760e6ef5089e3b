"""What every disruption scenario on a date starts from, kept per store revision and date.

A scenario judges each product by the suppliers of its substances and by its own holders, then draws
down its stock. None of the following depends on the scenario, so it is computed once
(:mod:`reasoner.revision_cache`) and prepared with the reports (:mod:`.preparation`):

- the products grouped by substances, holders, critical categories and ATC chapter: a scenario
  judges a group once, and only stock differs between its products;
- the supplies (substance × tier → its supplier edges, in the order of the facts) and an index of
  the edges by country, supplier and operating organisation, so a scenario visits only the edges it
  disrupts;
- each product's stock: the weeks of demand its latest positions hold together, and the positions;
- each product's place in IRI order, so a scenario sorts its outcomes on integers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from reasoner.dependency.facts import Criticality, StockPosition, SupplierEdge, SupplyFacts, read_stock_positions
from reasoner.revision_cache import cached
from reasoner.store import OxigraphStore

NOT_CRITICAL = "not critical"
Supply = tuple[str, str]
"""A substance and a tier."""


class ProductGroup(NamedTuple):
    """Products every scenario judges alike (one judgement per group and scenario)."""

    substances: tuple[str, ...]
    holders: tuple[str, ...]
    categories: tuple[str, ...]
    chapter: str | None
    products: tuple[str, ...]
    ranks: tuple[int, ...]
    """Each product's place among all products in IRI order."""


class Stock(NamedTuple):
    """A product's stock on a date: its latest position per holder and role, and their weeks together."""

    weeks: float
    positions: tuple[StockPosition, ...]
    graphs: frozenset[str]
    """The graphs the positions come from."""


@dataclass(frozen=True)
class ScenarioBasis:
    groups: list[ProductGroup]
    products: int
    countries: frozenset[str]
    """The countries some supplier (of a substance or a product) is in."""
    supplies: dict[Supply, list[SupplierEdge]]
    """The supplier edges of each substance-level supply (tiers attached to products left out)."""
    by_country: dict[str, list[tuple[Supply, int]]]
    by_supplier: dict[str, list[tuple[Supply, int]]]
    by_operator: dict[str, list[tuple[Supply, int]]]
    """Where each country's, supplier's and operator's edges sit: (supply, position in its list)."""

    def edges_of(self, countries: Iterable[str], suppliers: Iterable[str], organisations: Iterable[str]) \
            -> dict[Supply, list[int]]:
        """The positions, per supply and in order, of the edges a disruption of these touches (the
        edges of those countries and suppliers, and those supplied or operated by the organisations)."""
        touched: dict[Supply, set[int]] = defaultdict(set)
        for index, names in ((self.by_country, countries), (self.by_supplier, suppliers),
                             (self.by_supplier, organisations), (self.by_operator, organisations)):
            for name in names:
                for supply, position in index.get(name, ()):
                    touched[supply].add(position)
        return {supply: sorted(positions) for supply, positions in touched.items()}


def scenario_basis(store: OxigraphStore, on: date, facts: SupplyFacts) -> ScenarioBasis:
    """The :class:`ScenarioBasis` of ``facts``, formed once per store revision and date."""
    return cached(store, ("scenario-basis", on, id(facts)), lambda: form_basis(facts), keep=2)


def product_stock(store: OxigraphStore, on: date) -> dict[str, Stock]:
    """Every product's :class:`Stock` on ``on`` (products with at least one position), read once per
    store revision and date."""
    def read() -> dict[str, Stock]:
        graphs: dict[frozenset[str], frozenset[str]] = {}  # a few distinct sets, shared
        stock = {}
        for product, positions in read_stock_positions(store, on).items():
            found = frozenset(p.graph or "" for p in positions)
            stock[product] = Stock(sum(p.weeks for p in positions), tuple(positions), graphs.setdefault(found, found))
        return stock
    return cached(store, ("product-stock", on), read, keep=2)


def form_basis(facts: SupplyFacts) -> ScenarioBasis:
    components = facts.components
    rank = {product: n for n, product in enumerate(sorted(facts.product_substances))}
    categories: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[tuple[str, ...], str | None]] = {}
    members: dict[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str | None], list[str]] = defaultdict(list)
    for product, substances in facts.product_substances.items():
        atc_codes = facts.product_atc.get(product, ())
        found = categories.get((substances, atc_codes))
        if found is None:
            found = categories[(substances, atc_codes)] = _categories(substances, atc_codes, facts, components)
        members[(substances, facts.product_mah.get(product, ()), *found)].append(product)
    groups = [ProductGroup(*key, tuple(products), tuple(rank[p] for p in products)) for key, products in members.items()]

    supplies: dict[Supply, list[SupplierEdge]] = defaultdict(list)
    by_country: dict[str, list[tuple[Supply, int]]] = defaultdict(list)
    by_supplier: dict[str, list[tuple[Supply, int]]] = defaultdict(list)
    by_operator: dict[str, list[tuple[Supply, int]]] = defaultdict(list)
    for edge in facts.edges:
        if edge.tier in facts.product_tiers:
            continue
        supply = (edge.substance, edge.tier)
        place = (supply, len(supplies[supply]))
        supplies[supply].append(edge)
        by_supplier[edge.supplier].append(place)
        if edge.country is not None:
            by_country[edge.country].append(place)
        if edge.operator is not None:
            by_operator[edge.operator].append(place)
    countries = frozenset(e.country for e in facts.edges if e.country)
    return ScenarioBasis(groups, len(rank), countries, dict(supplies), dict(by_country), dict(by_supplier),
                         dict(by_operator))


def _categories(substances: Iterable[str], atc_codes: tuple[str, ...], facts: SupplyFacts,
                components: dict[str, tuple[str, ...]]) -> tuple[tuple[str, ...], str | None]:
    """The critical categories (list or colour labels) of a product, and its ATC chapter."""
    subjects: list[str] = []
    for s in substances:
        subjects.append(s)
        subjects.extend(components.get(s, ()))
        info = facts.substances.get(s)
        if info:
            subjects.extend(info.atc_codes)
    subjects.extend(atc_codes)
    reasons: set[Criticality] = set()
    for subject in subjects:
        reasons.update(facts.criticality.get(subject, ()))
    labels = tuple(sorted({r.label or r.reason.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for r in reasons})) or (NOT_CRITICAL,)
    chapter_atcs = atc_codes or tuple(a for s in substances for a in (facts.substances[s].atc_codes if s in facts.substances else ()))
    chapters = sorted({facts.atc[a].chapter for a in chapter_atcs if a in facts.atc})
    return labels, (chapters[0] if chapters else None)
