"""A realistic synthetic graph of the Dutch medicine supply, for scale tests and benchmarks.

No public source gives stock positions, prices and contracts for every product, and the real
default dataset is small; the engine still has to work on a million products. This module writes
such a graph: about 30 triples a product, in the project's vocabulary and IRI patterns, with
real ATC codes, real Dutch critical-list colours and the real country mix of API manufacturers
(from ``data/synthetic-pools.yaml``), and shares and ranges from ``data/synthetic-profile.yaml``.

It streams: lines are written a substance at a time, so memory stays flat at any size. The same
seed gives the same bytes. Everything goes into one named graph (``msg:synthetic-scale`` by
default), every product carries ``ms:synthetic true``, and registration numbers come from ranges
no real product uses, so the synthetic graph can sit beside the real data without touching it.
"""

from __future__ import annotations

import bisect
import gzip
import io
import math
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from pathlib import Path
from typing import IO, Any, Union

import pyoxigraph as ox
import yaml

from reasoner.config import Settings, load_settings
from reasoner.errors import InputError
from reasoner.namespaces import GRAPH, ID, MS, PREFIXES

PROFILE_FILE = "synthetic-profile.yaml"
OUTPUT_FORMATS = ("nq", "nt", "ttl")
PROGRESS_EVERY = 10_000
Progress = Callable[[int], None]
Target = Union[str, Path, IO[str], IO[bytes]]

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_XSD = PREFIXES["xsd"]
_RDF_TYPE = f"<{PREFIXES['rdf']}type>"
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


# --------------------------------------------------------------------------------------------
# Terms as N-Triples text
# --------------------------------------------------------------------------------------------

def _iri(value: str) -> str:
    return f"<{value}>"


def _curie(value: str) -> str:
    prefix, _, local = value.partition(":")
    if prefix not in PREFIXES:
        raise InputError(f"unknown prefix in {value!r}; use one of {sorted(PREFIXES)}", where=PROFILE_FILE)
    return _iri(PREFIXES[prefix] + local)


def _text(value: str, lang: str | None = None) -> str:
    body = f'"{value.translate(_ESCAPES)}"'
    return f"{body}@{lang}" if lang else body


_DECIMAL = f"^^<{_XSD}decimal>"
_INTEGER = f"^^<{_XSD}integer>"
_DATE = f"^^<{_XSD}date>"
_TRUE = f'"true"^^<{_XSD}boolean>'
_FALSE = f'"false"^^<{_XSD}boolean>'


def _ms(local: str) -> str:
    return _iri(str(MS[local]))


def _node(path: str) -> str:
    return _iri(str(ID) + path)


# --------------------------------------------------------------------------------------------
# Profile
# --------------------------------------------------------------------------------------------

class Weighted:
    """A weighted choice from a fixed list, drawn with one uniform number (fast, reproducible)."""

    def __init__(self, weights: Mapping[Any, float]) -> None:
        items = [(k, float(w)) for k, w in weights.items() if float(w) > 0]
        if not items:
            raise InputError("a weight table is empty", where=PROFILE_FILE)
        self.values = [k for k, _ in items]
        self.cumulative = list(accumulate(w for _, w in items))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random) -> Any:
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]

    def share(self, value: Any) -> float:
        """The normalised weight of ``value`` (0 when absent)."""
        previous = 0.0
        for key, cumulative in zip(self.values, self.cumulative):
            if key == value:
                return (cumulative - previous) / self.total
            previous = cumulative
        return 0.0


@dataclass(frozen=True)
class RangeMix:
    """A weighted mix of uniform (or log-uniform) ranges: weeks of demand, prices."""

    ranges: Weighted
    log: bool = False

    @classmethod
    def from_list(cls, items: list[dict[str, float]], *, log: bool = False) -> "RangeMix":
        return cls(Weighted({(float(i["min"]), float(i["max"])): i["weight"] for i in items}), log)

    def draw(self, rng: random.Random) -> float:
        low, high = self.ranges.draw(rng)
        if self.log:
            return math.exp(rng.uniform(math.log(low), math.log(high)))
        return rng.uniform(low, high)


@dataclass(frozen=True)
class Tier:
    """One supply tier (API manufacturers, batch-release sites) and its real country mix."""

    name: str
    slug: str
    class_term: str
    tier_term: str
    countries: Weighted
    suppliers: Weighted
    none_known_share: float
    concentration: float


@dataclass(frozen=True)
class Profile:
    """The parsed profile and pools: everything the generator draws from."""

    raw: dict[str, Any]
    atc_by_category: dict[str, list[dict[str, str]]]
    gases: list[dict[str, str]]
    categories: Weighted
    category_terms: dict[str, str]
    tiers: tuple[Tier, ...]
    products_per_substance: Weighted
    forms: Weighted
    strengths: Weighted
    pack_sizes: Weighted
    shelf_life: Weighted
    price: RangeMix
    stock_dates: Weighted
    stock: dict[str, tuple[str, RangeMix, float]]

    @property
    def graph(self) -> str:
        return str(self.raw["graph"])

    def api_country_share(self, countries: set[str]) -> float:
        """Share of API manufacturers the profile places in ``countries`` (for checks and tests)."""
        api = next(t for t in self.tiers if t.name == "api")
        return sum(api.countries.share(c) for c in countries)


def load_profile(path: Path | None = None, settings: Settings | None = None) -> Profile:
    """Read ``data/synthetic-profile.yaml`` and the pools it names."""
    settings = settings or load_settings()
    path = path or settings.data_dir / PROFILE_FILE
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
        pools = yaml.load((path.parent / raw["pools"]).read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except FileNotFoundError as exc:
        raise InputError(f"synthetic profile file missing: {exc.filename}; run `python -m data.synthetic_pools`",
                         where=str(path)) from None
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        raise InputError(f"synthetic profile is malformed: {exc}", where=str(path)) from None
    atc = {k: v for k, v in pools["atc"].items() if k != "gas"}
    shares = {k: v for k, v in raw["nl_critical_category_share"].items() if atc.get(k)}
    tiers = []
    for name, spec in raw["supply"].items():
        real = pools["supply"][name]
        cap = int(spec["max_suppliers"])
        tiers.append(Tier(
            name=name, slug=spec["slug"], class_term=_curie(spec["class"]), tier_term=_curie(spec["tier"]),
            countries=Weighted(real["country_weights"]),
            suppliers=Weighted({n: w for n, w in real["suppliers_per_substance"].items() if 0 < int(n) <= cap}),
            none_known_share=float(spec["none_known_share"]), concentration=float(spec.get("concentration", 0)),
        ))
    product = raw["product"]
    stock = raw["stock"]
    return Profile(
        raw=raw,
        atc_by_category=atc,
        gases=pools["atc"].get("gas", []),
        categories=Weighted(shares),
        category_terms={k: _curie(v) for k, v in raw["nl_critical_category_terms"].items()},
        tiers=tuple(tiers),
        products_per_substance=Weighted(raw["products_per_substance"]),
        forms=Weighted(product["pharmaceutical_forms"]),
        strengths=Weighted(product["strengths"]),
        pack_sizes=Weighted(product["pack_sizes"]),
        shelf_life=Weighted(product["shelf_life_months"]),
        price=RangeMix.from_list(product["price_eur"], log=True),
        stock_dates=Weighted(stock["position_dates"]),
        stock={role: (_curie(stock[role]["role"]), RangeMix.from_list(stock[role]["weeks_of_demand"]),
                      float(stock[role]["missing_share"])) for role in ("mah", "wholesaler")},
    )


# --------------------------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------------------------

class _P:
    """Predicate and class terms, spelled once."""

    def __init__(self) -> None:
        for local in (
            "MedicinalProduct", "ActiveSubstance", "ATCCode", "Country", "StockPosition",
            "SupplyInterruptionNotification", "PreferredSupplierContract",
            "registrationNumber", "productName", "pharmaceuticalForm", "strength", "prescriptionOnly",
            "packSize", "pharmacyPurchasePriceEur", "shelfLifeMonths", "medicinalGas", "nlRegistered",
            "hasActiveSubstance", "atcCode", "marketingAuthorisationHolder", "synthetic", "normalisedKey",
            "atcLevel", "nlCriticalCategory", "suppliesSubstance", "locatedIn", "supplyTier",
            "reconstructed", "isoAlpha2", "stockOf", "heldBy", "holderRole", "weeksOfDemand",
            "positionDate", "concernsProduct", "notifiedOn", "expectedStart", "expectedEnd", "buyer",
            "preferredSupplier", "concernsSubstance", "zIndexNumber", "validFrom", "validUntil",
        ):
            setattr(self, local, _ms(local))
        self.label = _iri(PREFIXES["rdfs"] + "label")
        self.notation = _iri(PREFIXES["skos"] + "notation")
        self.prefLabel = _iri(PREFIXES["skos"] + "prefLabel")
        self.inScheme = _iri(PREFIXES["skos"] + "inScheme")
        self.title = _iri(PREFIXES["dcterms"] + "title")
        self.issued = _iri(PREFIXES["dcterms"] + "issued")
        self.source = _iri(PREFIXES["dcterms"] + "source")


def _day(iso: str) -> int:
    return date.fromisoformat(iso).toordinal()


def _date(ordinal: int) -> str:
    return f'"{date.fromordinal(ordinal).isoformat()}"{_DATE}'


class _Generator:
    """Writes the lines of one synthetic graph into a list buffer, a substance at a time."""

    def __init__(self, profile: Profile, products: int, seed: int, end: str) -> None:
        self.p = profile
        self.n = products
        self.seed = seed
        self.rng = random.Random(seed)
        self.end = end
        self.t = _P()
        self.buffer: list[str] = []
        self.seen_atc: set[str] = set()
        self.seen_country: set[str] = set()
        raw = profile.raw
        orgs = raw["organisations"]
        self.mahs = max(1, math.ceil(products / int(orgs["products_per_mah"])))
        self.wholesalers = int(orgs["wholesalers"])
        self.insurers = int(orgs["insurers"])
        reg = raw["registration"]
        self.rvg_share = float(reg["rvg_share"])
        self.rvg_first = int(reg["rvg_first"])
        self.eu_prefix = str(reg["eu_prefix"])
        self.eu_years = (int(reg["eu_years"][0]), int(reg["eu_years"][1]))
        prod = raw["product"]
        self.rx_share = float(prod["prescription_only_share"])
        self.nl_share = float(prod["nl_registered_share"])
        self.gas_share = float(raw["medicinal_gas_share"])
        self.gas_form = _text(prod["gas_form"])
        self.gas_strength = _text(prod["gas_strength"])
        self.missing = {k: float(v) for k, v in prod["missing"].items()}
        interruptions = raw["interruptions"]
        self.interruption_share = float(interruptions["share"])
        self.notified = tuple(_day(d) for d in interruptions["notified_between"])
        self.start_after = tuple(int(d) for d in interruptions["start_after_days"])
        self.duration = tuple(int(d) for d in interruptions["duration_days"])
        contracts = raw["preferred_supplier_contracts"]
        self.contract_share = float(contracts["share"])
        self.contract_from = _date(_day(contracts["valid_from"]))
        self.contract_until = _date(_day(contracts["valid_until"]))
        self.z_first = int(contracts["z_index_first"])
        self.dates = {d: _date(_day(d)) for d in profile.stock_dates.values}
        self.forms = {f: _text(f) for f in profile.forms.values}
        self.strengths = {s: _text(s) for s in profile.strengths.values}

    def add(self, s: str, p: str, o: str) -> None:
        self.buffer.append(f"{s} {p} {o}{self.end}")

    def take(self) -> str:
        text = "".join(self.buffer)
        self.buffer.clear()
        return text

    # -- shared nodes -------------------------------------------------------------------------

    def header(self, graph: str) -> None:
        t, add = self.t, self.add
        add(graph, t.title, _text(str(self.p.raw["title"]), "en"))
        add(graph, t.synthetic, _TRUE)
        add(graph, t.issued, _date(_day(str(self.p.raw["issued"]))))
        add(graph, t.source, _text(f"medsupply generate --products {self.n} --seed {self.seed}"))
        orgs = self.p.raw["organisations"]
        for kind, count, cls in (("mah", self.mahs, orgs["mah_class"]),
                                 ("wholesaler", self.wholesalers, orgs["wholesaler_class"]),
                                 ("insurer", self.insurers, orgs["insurer_class"])):
            cls_term = _curie(cls)
            for k in range(1, count + 1):
                org = _node(f"org/synthetic-{kind}-{k}")
                add(org, _RDF_TYPE, cls_term)
                add(org, t.label, _text(f"Synthetic {kind} {k}"))
                add(org, t.synthetic, _TRUE)

    def atc(self, entry: dict[str, str], category: str) -> str:
        node = _node(f"atc/{entry['code']}")
        if entry["code"] not in self.seen_atc:
            self.seen_atc.add(entry["code"])
            t, add = self.t, self.add
            add(node, _RDF_TYPE, t.ATCCode)
            add(node, t.notation, _text(entry["code"]))
            add(node, t.prefLabel, _text(entry["name"], "en"))
            add(node, t.inScheme, _node("atc"))
            add(node, t.atcLevel, f'"5"{_INTEGER}')
            if category in self.p.category_terms:
                add(node, t.nlCriticalCategory, self.p.category_terms[category])
        return node

    def country(self, code: str) -> str:
        node = _node(f"country/{code}")
        if code not in self.seen_country:
            self.seen_country.add(code)
            self.add(node, _RDF_TYPE, self.t.Country)
            self.add(node, self.t.isoAlpha2, _text(code))
        return node

    # -- a substance and its products -----------------------------------------------------------

    def substance(self, k: int) -> tuple[str, str, str, dict[str, str], bool]:
        rng, t, add = self.rng, self.t, self.add
        gas = bool(self.p.gases) and rng.random() < self.gas_share
        if gas:
            entry = rng.choice(self.p.gases)
            category = entry.get("category", "none")
        else:
            category = self.p.categories.draw(rng)
            entry = rng.choice(self.p.atc_by_category[category])
        atc = self.atc(entry, category)
        key = f"{entry['slug']}-syn-{k}"
        node = _node(f"substance/{key}")
        add(node, _RDF_TYPE, t.ActiveSubstance)
        add(node, t.label, _text(entry["name"], "en"))
        add(node, t.normalisedKey, _text(key))
        add(node, t.atcCode, atc)
        add(node, t.synthetic, _TRUE)
        for tier in self.p.tiers:
            self.suppliers(tier, key, node)
        return node, atc, key, entry, gas

    def suppliers(self, tier: Tier, key: str, substance: str) -> None:
        rng, t, add = self.rng, self.t, self.add
        if rng.random() < tier.none_known_share:
            return
        count = int(tier.suppliers.draw(rng))
        first: str | None = None
        per_country: dict[str, int] = {}
        for _ in range(count):
            if first is not None and rng.random() < tier.concentration:
                code = first
            else:
                code = tier.countries.draw(rng)
            first = first or code
            per_country[code] = per_country.get(code, 0) + 1
            node = _node(f"supplier/{key}/{tier.slug}/{code}/{per_country[code]}")
            add(node, _RDF_TYPE, tier.class_term)
            add(node, t.suppliesSubstance, substance)
            add(node, t.locatedIn, self.country(code))
            add(node, t.supplyTier, tier.tier_term)
            add(node, t.reconstructed, _TRUE)

    def product(self, i: int, substance: str, atc: str, entry: dict[str, str], gas: bool) -> None:
        rng, t, add, p = self.rng, self.t, self.add, self.p
        if rng.random() < self.rvg_share:
            number = self.rvg_first + i
            reg, slug = f"RVG {number}", f"rvg-{number}"
        else:
            year = rng.randint(*self.eu_years) % 100
            reg = f"{self.eu_prefix}/{year:02d}/{i // 1000:04d}/{i % 1000:03d}"
            slug = reg.lower().replace("/", "-")
        node = _node(f"product/{slug}")
        mah = _node(f"org/synthetic-mah-{rng.randrange(self.mahs) + 1}")
        form = self.gas_form if gas else self.forms[p.forms.draw(rng)]
        strength = self.gas_strength if gas else self.strengths[p.strengths.draw(rng)]
        add(node, _RDF_TYPE, t.MedicinalProduct)
        add(node, t.registrationNumber, _text(reg))
        add(node, t.productName, _text(f"{entry['name'].capitalize()} {strength[1:-1]} {form[1:-1]} (synthetic {i + 1})"))
        add(node, t.pharmaceuticalForm, form)
        add(node, t.strength, strength)
        add(node, t.prescriptionOnly, _TRUE if rng.random() < self.rx_share else _FALSE)
        add(node, t.packSize, f'"{p.pack_sizes.draw(rng)}"{_INTEGER}')
        if rng.random() >= self.missing["pharmacy_purchase_price"]:
            add(node, t.pharmacyPurchasePriceEur, f'"{p.price.draw(rng):.2f}"{_DECIMAL}')
        if rng.random() >= self.missing["shelf_life"]:
            add(node, t.shelfLifeMonths, f'"{p.shelf_life.draw(rng)}"{_INTEGER}')
        add(node, t.medicinalGas, _TRUE if gas else _FALSE)
        add(node, t.nlRegistered, _TRUE if rng.random() < self.nl_share else _FALSE)
        add(node, t.hasActiveSubstance, substance)
        add(node, t.atcCode, atc)
        add(node, t.marketingAuthorisationHolder, mah)
        add(node, t.synthetic, _TRUE)
        when = self.dates[p.stock_dates.draw(rng)]
        for role, (role_term, weeks, missing) in p.stock.items():
            if rng.random() < missing:
                continue
            holder = mah if role == "mah" else _node(f"org/synthetic-wholesaler-{rng.randrange(self.wholesalers) + 1}")
            position = _node(f"stock-position/synthetic/{slug}-{role}")
            add(position, _RDF_TYPE, t.StockPosition)
            add(position, t.stockOf, node)
            add(position, t.heldBy, holder)
            add(position, t.holderRole, role_term)
            add(position, t.weeksOfDemand, f'"{weeks.draw(rng):.1f}"{_DECIMAL}')
            add(position, t.positionDate, when)
        if rng.random() < self.interruption_share:
            notified = rng.randint(*self.notified)
            start = notified + rng.randint(*self.start_after)
            notice = _node(f"interruption/synthetic/{slug}")
            add(notice, _RDF_TYPE, t.SupplyInterruptionNotification)
            add(notice, t.concernsProduct, node)
            add(notice, t.notifiedOn, _date(notified))
            add(notice, t.expectedStart, _date(start))
            add(notice, t.expectedEnd, _date(start + rng.randint(*self.duration)))
        if rng.random() < self.contract_share:
            contract = _node(f"contract/synthetic/{slug}")
            add(contract, _RDF_TYPE, t.PreferredSupplierContract)
            add(contract, t.buyer, _node(f"org/synthetic-insurer-{rng.randrange(self.insurers) + 1}"))
            add(contract, t.preferredSupplier, mah)
            add(contract, t.concernsSubstance, substance)
            add(contract, t.strength, strength)
            add(contract, t.zIndexNumber, _text(str(self.z_first + i)))
            add(contract, t.validFrom, self.contract_from)
            add(contract, t.validUntil, self.contract_until)

    def blocks(self, graph: str) -> Iterator[tuple[str, int]]:
        """The graph as text blocks with the products written so far: the header, then one block
        per substance with its products."""
        self.header(graph)
        yield self.take(), 0
        made = 0
        k = 0
        while made < self.n:
            k += 1
            substance, atc, _key, entry, gas = self.substance(k)
            count = min(int(self.p.products_per_substance.draw(self.rng)), self.n - made)
            for _ in range(count):
                self.product(made, substance, atc, entry, gas)
                made += 1
            yield self.take(), made


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------

def resolve_graph(graph: str | None, profile: Profile) -> str:
    """The graph IRI for a name (``synthetic-scale``) or a full IRI; the profile's graph by default."""
    name = graph or profile.graph
    return name if ":" in name else str(GRAPH[name])


def iter_text(
    products: int, seed: int = 0, *, fmt: str = "nq", graph: str | None = None,
    profile: Profile | None = None,
) -> Iterator[str]:
    """The graph as N-Quads (``nq``) or N-Triples (``nt``, ``ttl``) text, block by block.

    N-Triples is a subset of Turtle, so ``ttl`` output is N-Triples text that any Turtle parser reads.
    """
    return (block for block, _made in _blocks(products, seed, fmt, graph, profile))


def _blocks(
    products: int, seed: int, fmt: str, graph: str | None, profile: Profile | None,
) -> Iterator[tuple[str, int]]:
    if products < 1:
        raise InputError("the number of products must be at least 1", where="--products")
    if fmt not in OUTPUT_FORMATS:
        raise InputError(f"unknown output format {fmt!r}; use one of {', '.join(OUTPUT_FORMATS)}", where="--format")
    profile = profile or load_profile()
    graph_term = _iri(resolve_graph(graph, profile))
    end = f" {graph_term} .\n" if fmt == "nq" else " .\n"
    return _Generator(profile, products, seed, end).blocks(graph_term)


def iter_quads(
    products: int, seed: int = 0, *, graph: str | None = None, profile: Profile | None = None,
) -> Iterator[ox.Quad]:
    """The graph as pyoxigraph quads, streamed (for benchmarks that fill a store directly)."""
    for block in iter_text(products, seed, fmt="nq", graph=graph, profile=profile):
        if block:
            yield from ox.parse(block.encode("utf-8"), format=ox.RdfFormat.N_QUADS)


def format_for(path: str | Path) -> str:
    """The output format a file name asks for (``x.nq.gz`` → ``nq``); N-Quads when it says nothing."""
    suffixes = [s.lstrip(".") for s in Path(path).suffixes if s != ".gz"]
    return suffixes[-1] if suffixes and suffixes[-1] in OUTPUT_FORMATS else "nq"


def write_graph(
    path_or_stream: Target, products: int, seed: int = 0, *, fmt: str | None = None,
    graph: str | None = None, profile: Profile | None = None, progress: Progress | None = None,
) -> int:
    """Write the graph to a file (gzip when its name ends in ``.gz``) or a text/binary stream.

    Returns the number of lines (triples or quads) written. ``progress`` is called with the
    number of products written so far, about every 10,000 products.
    """
    if isinstance(path_or_stream, (str, Path)):
        path = Path(path_or_stream)
        fmt = fmt or format_for(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".gz":
            with open(path, "wb") as raw_file, gzip.GzipFile(filename="", mode="wb", fileobj=raw_file,
                                                               compresslevel=1, mtime=0) as zipped:
                with io.TextIOWrapper(zipped, encoding="utf-8", newline="\n") as text:
                    return _write(text, products, seed, fmt, graph, profile, progress)
        with open(path, "w", encoding="utf-8", newline="\n") as text:
            return _write(text, products, seed, fmt, graph, profile, progress)
    stream: Any = path_or_stream
    if isinstance(stream, (io.RawIOBase, io.BufferedIOBase)) or "b" in getattr(stream, "mode", ""):
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="\n", write_through=True)
        try:
            return _write(text, products, seed, fmt or "nq", graph, profile, progress)
        finally:
            text.flush()
            text.detach()
    return _write(stream, products, seed, fmt or "nq", graph, profile, progress)


def _write(
    out: IO[str], products: int, seed: int, fmt: str, graph: str | None, profile: Profile | None,
    progress: Progress | None,
) -> int:
    lines = 0
    reported = 0
    for block, made in _blocks(products, seed, fmt, graph, profile):
        out.write(block)
        lines += block.count("\n")
        if progress is not None and made >= reported + PROGRESS_EVERY:
            progress(made)
            reported = made
    if progress is not None and reported < products:
        progress(products)
    return lines
