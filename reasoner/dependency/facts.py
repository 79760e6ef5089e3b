"""What the graph says about supply, read once through the named queries in ``queries/dependency/``.

Every domain question (which supplier serves which substance at which tier, which products hold
which substances, why a substance is critical, which graph is synthetic) is answered by a query
file; this module only runs them and turns the solutions into plain Python values. The big ones
(supplier edges, products, stock positions) are plain rows read as TSV (:func:`rows`), because
reports at a million products cannot afford the Python binding's cost per term.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from typing import Any, NamedTuple

import pyoxigraph as ox

from reasoner.config import load_settings
from reasoner.queries import named_query
from reasoner.revision_cache import cached
from reasoner.store import OxigraphStore
from reasoner.tsv_results import query_tsv, tsv_rows

Progress = Callable[[str], None]


class SupplierEdge(NamedTuple):
    """One supplier of one substance at one tier, with where it is and where the fact comes from."""

    substance: str
    tier: str
    supplier: str
    operator: str | None
    country: str | None
    """The country's ISO alpha-2 code when the graph gives one, else its IRI."""
    eu_eea: bool | None
    reconstructed: bool
    graph: str | None


class Criticality(NamedTuple):
    """One reason a substance or ATC code is critical: its scope, the list or category, a label."""

    scope: str
    reason: str
    label: str | None


@dataclass(frozen=True)
class SubstanceInfo:
    iri: str
    label: str | None
    key: str | None
    components: tuple[str, ...]
    atc_codes: tuple[str, ...]


@dataclass(frozen=True)
class AtcInfo:
    iri: str
    notation: str
    chapter: str
    chapter_label: str | None


@dataclass(frozen=True)
class CountryInfo:
    iri: str
    iso: str | None
    label: str | None
    eu_eea: bool | None

    @property
    def key(self) -> str:
        return self.iso or self.iri


@dataclass(frozen=True)
class SourceInfo:
    """One source graph as the catalog describes it."""

    graph: str
    title: str
    source: str | None
    license: str | None
    issued: str | None
    generated: str | None
    synthetic: bool
    citation: str | None


class StockPosition(NamedTuple):
    product: str
    holder: str | None
    role: str | None
    weeks: float
    position_date: str | None
    graph: str | None


@dataclass
class SupplyFacts:
    """The supply chain as the analysis needs it. Built by :func:`read_supply_facts`."""

    date: date
    edges: list[SupplierEdge]
    product_substances: dict[str, tuple[str, ...]]
    product_atc: dict[str, tuple[str, ...]]
    product_mah: dict[str, tuple[str, ...]]
    product_graph: dict[str, str]
    substances: dict[str, SubstanceInfo]
    criticality: dict[str, list[Criticality]]
    atc: dict[str, AtcInfo]
    countries: dict[str, CountryInfo]
    """By country key (ISO code, else IRI)."""
    sources: list[SourceInfo]
    tier_labels: dict[str, str]
    product_tiers: frozenset[str] = field(default_factory=frozenset)
    """Tiers whose supplier is attached to the product itself (the MAH), not to its substances."""

    @cached_property
    def components(self) -> dict[str, tuple[str, ...]]:
        """The components of each combination substance (substances without components left out)."""
        return {iri: info.components for iri, info in self.substances.items() if info.components}

    @property
    def synthetic_graphs(self) -> frozenset[str]:
        return frozenset(s.graph for s in self.sources if s.synthetic)

    def substance_label(self, iri: str) -> str:
        info = self.substances.get(iri)
        if info and info.label:
            return info.label
        if info and info.key:
            return info.key
        return iri.rsplit("/", 1)[-1]

    def country_label(self, key: str) -> str:
        info = self.countries.get(key)
        return info.label if info and info.label else key

    def tier_label(self, tier: str) -> str:
        return self.tier_labels.get(tier) or tier.rsplit("#", 1)[-1]


def _value(term: Any) -> str | None:
    return None if term is None else term.value


def _truth(term: Any) -> bool | None:
    if term is None:
        return None
    return term.value in ("true", "1")


def run(store: OxigraphStore, name: str, date_value: date | None = None) -> Any:
    """Run the named query ``dependency/<name>``, binding ``?date`` when given."""
    query = named_query(load_settings().queries_dir, f"dependency/{name}")
    subs = {"date": ox.Literal(date_value.isoformat(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))} \
        if date_value is not None else None
    return store.query(query.sparql, substitutions=subs)


def rows(store: OxigraphStore, name: str, date_value: date | None = None) -> Iterator[list[str]]:
    """The plain values (IRI text, lexical form, ``""`` when unbound) of every row of the named query
    ``dependency/<name>``, in the order its SELECT names them, ``?date`` (the parameter) left out.

    Read as TSV (:mod:`reasoner.tsv_results`): 1.5–2× faster than solutions term by term, which
    counts at a million products."""
    query = named_query(load_settings().queries_dir, f"dependency/{name}")
    subs = {"date": ox.Literal(date_value.isoformat(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))} \
        if date_value is not None else None
    data = query_tsv(store, query.sparql, subs)
    header = data[:data.find(b"\n")].decode("utf-8").split("\t")
    yield from tsv_rows(data, tuple(c.lstrip("?") for c in header if c != "?date"), f"dependency/{name}")


def _flag(text: str) -> bool | None:
    return None if text == "" else text in ("true", "1")


def read_countries(store: OxigraphStore) -> dict[str, CountryInfo]:
    countries: dict[str, CountryInfo] = {}
    for row in run(store, "countries"):
        iri, iso = row["country"].value, _value(row["iso"])
        info = CountryInfo(iri, iso, _value(row["label"]), _truth(row["euEea"]))
        countries.setdefault(info.key, info)
    return countries


def _place(country: str | None, countries: Mapping[str, CountryInfo]) -> tuple[str | None, bool | None]:
    """A country IRI as its key (ISO code when known) and its EU/EEA membership."""
    if not country:
        return None, None
    info = countries.get(country)
    return (info.key, info.eu_eea) if info else (country, None)


def read_supplier_edges(store: OxigraphStore, on: date, countries: Mapping[str, CountryInfo]) -> list[SupplierEdge]:
    """Substance-level supplier edges: recorded tiers (API, batch release) and insurer-preferred suppliers on ``on``.

    ``countries`` maps country IRIs to what :func:`read_countries` found.
    """
    edges: dict[tuple[str, str, str], SupplierEdge] = {}

    def keep(edge: SupplierEdge) -> None:
        key = (edge.substance, edge.tier, edge.supplier)
        # An edge asserted in a source graph wins over the same edge found only in inferences.
        if key not in edges or (edges[key].graph or "").endswith("/inferences"):
            edges[key] = edge

    for substance, tier, supplier, operator, country, reconstructed, graph in _recorded_edges(store):
        key, eu_eea = _place(country, countries)
        keep(SupplierEdge(substance, tier, supplier, operator, key, eu_eea, reconstructed, graph or None))
    for substance, tier, supplier, country, graph in rows(store, "preferred-suppliers", on):
        key, eu_eea = _place(country, countries)
        keep(SupplierEdge(substance, tier, supplier, None, key, eu_eea, False, graph or None))
    return list(edges.values())


def _recorded_edges(store: OxigraphStore) -> Iterator[tuple[str, str, str, str | None, str | None, bool, str]]:
    """(substance, tier, supplier, operator, country IRI, reconstructed, graph) of every supplier of a
    substance at each tier it is recorded at: ``dependency/supplier-substances`` joined here with
    ``dependency/supplier-attributes``. The country is the supplier's own, else its operator's."""
    attributes: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for node, prop, value in rows(store, "supplier-attributes"):
        values = attributes[node][prop.rsplit("#", 1)[-1]]
        if value not in values:
            values.append(value)
    none: dict[str, list[str]] = {}
    for supplier, substance, graph in rows(store, "supplier-substances"):
        own = attributes.get(supplier, none)
        reconstructed = any(_flag(v) for v in own.get("reconstructed", ()))
        for tier in own.get("supplyTier", ()):
            for operator in own.get("operatedBy") or [None]:
                countries = own.get("locatedIn") or attributes.get(operator or supplier, none).get("locatedIn") or [None]
                for country in sorted(countries, key=lambda c: c or ""):
                    yield substance, tier, supplier, operator, country, reconstructed, graph


def read_products(store: OxigraphStore, countries: Mapping[str, CountryInfo]) -> tuple[
    dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], dict[str, str],
    list[SupplierEdge], frozenset[str],
]:
    """Products → substances, ATC codes, MAHs and graph; and the MAH-tier edges (substance → holder).

    Each relation comes from a plain pattern scan (cheap in the engine); the grouping is done here.
    """
    substances: dict[str, set[str]] = defaultdict(set)
    graphs: dict[str, str] = {}
    for product, substance, graph in rows(store, "product-substances"):
        substances[product].add(substance)
        graphs.setdefault(product, graph)
    atcs: dict[str, set[str]] = defaultdict(set)
    for product, atc in rows(store, "product-atc-codes"):
        if product in substances:
            atcs[product].add(atc)
    holder_country = {holder: country for holder, country in rows(store, "holder-countries")}
    mahs: dict[str, set[str]] = defaultdict(set)
    edges: dict[tuple[str, str], SupplierEdge] = {}
    tiers: set[str] = set()
    for product, holder, graph, tier in rows(store, "product-holders"):
        mahs[product].add(holder)
        tiers.add(tier)
        for substance in substances.get(product, ()):
            if (substance, holder) not in edges:
                place, eu_eea = _place(holder_country.get(holder), countries)
                edges[(substance, holder)] = SupplierEdge(substance, tier, holder, None, place, eu_eea, False, graph)
    return (
        {p: tuple(sorted(s)) for p, s in substances.items()},
        {p: tuple(sorted(a)) for p, a in atcs.items()},
        {p: tuple(sorted(m)) for p, m in mahs.items()},
        graphs, list(edges.values()), frozenset(tiers),
    )


def read_substances(store: OxigraphStore) -> dict[str, SubstanceInfo]:
    substances: dict[str, SubstanceInfo] = {}
    for row in run(store, "substances"):
        iri = row["substance"].value
        components = tuple(sorted(set((_value(row["components"]) or "").split())))
        atcs = tuple(sorted(set((_value(row["atcs"]) or "").split())))
        substances[iri] = SubstanceInfo(iri, _value(row["label"]), _value(row["key"]), components, atcs)
    return substances


def read_criticality(store: OxigraphStore) -> dict[str, list[Criticality]]:
    reasons: dict[str, list[Criticality]] = defaultdict(list)
    for row in run(store, "criticality"):
        item = Criticality(row["scope"].value, row["reason"].value, _value(row["reasonLabel"]))
        bucket = reasons[row["subject"].value]
        if item not in bucket:
            bucket.append(item)
    return dict(reasons)


def read_atc(store: OxigraphStore) -> dict[str, AtcInfo]:
    atc: dict[str, AtcInfo] = {}
    for row in run(store, "atc-chapters"):
        iri = row["atc"].value
        if iri not in atc or (atc[iri].chapter_label is None and row["chapterLabel"] is not None):
            atc[iri] = AtcInfo(iri, row["notation"].value, row["chapter"].value, _value(row["chapterLabel"]))
    return atc


def read_sources(store: OxigraphStore) -> list[SourceInfo]:
    sources: dict[str, SourceInfo] = {}
    for row in run(store, "sources"):
        graph = row["graph"].value
        if graph in sources:
            continue
        sources[graph] = SourceInfo(
            graph, row["title"].value, _value(row["source"]), _value(row["license"]), _value(row["issued"]),
            _value(row["generated"]), bool(_truth(row["synthetic"])), _value(row["citation"]),
        )
    return sorted(sources.values(), key=lambda s: s.graph)


def read_tier_labels(store: OxigraphStore) -> dict[str, str]:
    return {row["tier"].value: row["label"].value for row in run(store, "tier-labels") if row["label"] is not None}


def read_stock_positions(store: OxigraphStore, on: date, products: Iterable[str] | None = None) -> dict[str, list[StockPosition]]:
    """Each product's latest stock position per holder and role on ``on`` (older positions dropped)."""
    wanted = set(products) if products is not None else None
    latest: dict[tuple[str, str, str], StockPosition] = {}
    for product, holder, role, weeks, when, graph in rows(store, "stock-positions", on):
        if wanted is not None and product not in wanted:
            continue
        key = (product, holder, role)
        old = latest.get(key)
        if old is None or when > (old.position_date or ""):
            latest[key] = StockPosition(product, holder or None, role or None, float(weeks), when or None, graph)
    by_product: dict[str, list[StockPosition]] = defaultdict(list)
    for position in latest.values():
        by_product[position.product].append(position)
    return dict(by_product)


def read_product_names(store: OxigraphStore) -> dict[str, tuple[str | None, str | None]]:
    """Name and registration number of every product."""
    names: dict[str, tuple[str | None, str | None]] = {}
    for product, name, registration in rows(store, "product-labels"):
        names[product] = (name or None, registration or None)
    return names


def read_supply_facts(store: OxigraphStore, on: date, progress: Progress | None = None) -> SupplyFacts:
    """Everything the dependency analysis reads from the graph, valid on ``on``.

    The products are read in a second thread while the supplier edges are: the store evaluates
    queries without holding the GIL, so the two biggest reads share the machine's cores."""
    say = progress or (lambda _m: None)
    countries = read_countries(store)
    by_iri = {info.iri: info for info in countries.values()}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="medsupply-products-read") as reads:
        say("reading supplier edges per tier, and products and their substances")
        products = reads.submit(read_products, store, by_iri)
        edges = read_supplier_edges(store, on, by_iri)
        product_substances, product_atc, product_mah, product_graph, mah_edges, product_tiers = products.result()
    say(f"read {len(product_substances)} products; reading substances, lists, ATC chapters, countries, sources")
    return SupplyFacts(
        date=on, edges=edges + mah_edges, product_substances=product_substances, product_atc=product_atc,
        product_mah=product_mah, product_graph=product_graph, substances=read_substances(store),
        criticality=read_criticality(store), atc=read_atc(store), countries=countries,
        sources=read_sources(store), tier_labels=read_tier_labels(store), product_tiers=product_tiers,
    )


def supply_facts(store: OxigraphStore, on: date, progress: Progress | None = None) -> SupplyFacts:
    """:func:`read_supply_facts`, read once per store revision and date (reports and scenarios on the
    same data share one read; a load makes the next call read again)."""
    return cached(store, ("supply-facts", on), lambda: read_supply_facts(store, on, progress), keep=2)


def product_names(store: OxigraphStore) -> dict[str, tuple[str | None, str | None]]:
    """:func:`read_product_names`, read once per store revision (every report and scenario with names
    would otherwise read them again: 10 s at 100k products)."""
    return cached(store, ("product-names",), lambda: read_product_names(store), keep=1)
