"""The supply graph (networkx): country → supplier or site → substance at a tier, and where it breaks.

Nodes are ``("source",)`` (a super-source feeding every country), ``("country", key)``,
``("supplier", iri)`` and ``("supply", substance, tier)`` — the supply of one substance through
one tier. Edges follow the goods: source → country → supplier → supply.

A substance reaches a product only if every required tier delivers it (AND), while within a tier
any one supplier will do (OR). Flow and dominator analysis hold for the OR part, so the graph
stops at the ``supply`` nodes and products are joined afterwards:

- **cut vertices** of a supply node are its dominators from the source — countries or suppliers
  every path passes through (``networkx.immediate_dominators``): lose one and that supply is gone;
- a **minimal cut** is the smallest set of nodes whose loss cuts the supply node off from every
  country (``networkx.minimum_node_cut``, Menger);
- for a **product**, its cut vertices are the union over its substances and required tiers, and
  its minimal cut the smallest of theirs (any one of them stops the product);
- a **single point of failure** is a country or supplier that is a cut vertex of at least one
  product; reports count for how many (critical) products and substances.

Only tiers whose suppliers have a location and that every unit must pass are analysed (the
supply model's required tiers minus the product-level MAH tier, whose one holder is trivially a
cut vertex of its own product).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from reasoner.dependency.facts import SupplierEdge

SOURCE = ("source",)
Node = tuple[str, ...]


@dataclass(frozen=True)
class SupplyCut:
    """Where one supply (substance × tier) breaks."""

    substance: str
    tier: str
    cut_vertices: tuple[Node, ...]
    """Countries and suppliers on every path from any country (nearest the source first)."""
    minimal_cut: tuple[Node, ...]
    """A smallest set of nodes whose loss ends this supply."""


def node_label(node: Node) -> str:
    return node[1] if len(node) > 1 else node[0]


class SupplyGraph:
    """The supply graph of the given edges at the given tiers."""

    def __init__(self, edges: Iterable[SupplierEdge], tiers: Iterable[str]) -> None:
        wanted = set(tiers)
        self.graph = nx.DiGraph()
        self.graph.add_node(SOURCE)
        for edge in edges:
            if edge.tier not in wanted:
                continue
            supply = ("supply", edge.substance, edge.tier)
            supplier = ("supplier", edge.supplier)
            self.graph.add_edge(supplier, supply)
            if edge.country is not None:
                country = ("country", edge.country)
                self.graph.add_edge(SOURCE, country)
                self.graph.add_edge(country, supplier)
        self._dominators: dict[Node, Node] | None = None
        self._cuts: dict[tuple[str, str], SupplyCut] = {}

    def supplies(self) -> list[Node]:
        return [n for n in self.graph if n[0] == "supply"]

    def _idom(self) -> dict[Node, Node]:
        if self._dominators is None:
            self._dominators = nx.immediate_dominators(self.graph, SOURCE)
        return self._dominators

    def cut(self, substance: str, tier: str) -> SupplyCut | None:
        """Cut vertices and a minimal cut of one supply; None when it has no located supplier."""
        key = (substance, tier)
        if key in self._cuts:
            return self._cuts[key]
        node = ("supply", substance, tier)
        idom = self._idom()
        if node not in idom:
            return None
        chain: list[Node] = []
        current = idom[node]
        while current != SOURCE:
            chain.append(current)
            current = idom[current]
        chain.reverse()
        if chain:
            minimal: tuple[Node, ...] = (chain[0],)
        else:
            minimal = self._minimal_cut(node)
        result = SupplyCut(substance, tier, tuple(chain), minimal)
        self._cuts[key] = result
        return result

    def lazy_cuts(self) -> "LazyCuts":
        """A mapping-like view computing each supply's cut on first use (reports need only those in scope)."""
        return LazyCuts(self)

    def _minimal_cut(self, node: Node) -> tuple[Node, ...]:
        """A smallest node set cutting ``node`` off from every country.

        When every supplier upstream sits in exactly one country the graph is layered and the answer
        is known without a flow computation: one node per country — the country itself (cutting its
        suppliers one by one is never cheaper). Otherwise networkx computes it (Menger, max-flow).
        """
        countries: set[Node] = set()
        layered = True
        for supplier in self.graph.predecessors(node):
            located = list(self.graph.predecessors(supplier))
            if len(located) != 1:
                layered = False
                break
            countries.add(located[0])
        if layered:
            return tuple(sorted(countries))
        return tuple(sorted(nx.minimum_node_cut(self._upstream(node), SOURCE, node)))

    def _upstream(self, node: Node) -> nx.DiGraph:
        """A small standalone copy of everything upstream of ``node`` (flow runs on it, not on a view)."""
        upstream = nx.DiGraph()
        for supplier in self.graph.predecessors(node):
            upstream.add_edge(supplier, node)
            for country in self.graph.predecessors(supplier):
                upstream.add_edge(country, supplier)
                upstream.add_edge(SOURCE, country)
        return upstream

    def all_cuts(self) -> dict[tuple[str, str], SupplyCut]:
        for node in self.supplies():
            self.cut(node[1], node[2])
        return dict(self._cuts)


class LazyCuts:
    """``get((substance, tier))`` → that supply's cut, computed once, None without located suppliers."""

    def __init__(self, graph: SupplyGraph) -> None:
        self._graph = graph

    def get(self, key: tuple[str, str], default: SupplyCut | None = None) -> SupplyCut | None:
        found = self._graph.cut(*key)
        return found if found is not None else default


@dataclass(frozen=True)
class ProductCut:
    """Where a product (through all its substances and required tiers) breaks."""

    cut_vertices: tuple[Node, ...]
    minimal_cut: tuple[Node, ...]
    analysed: tuple[tuple[str, str], ...]
    """The (substance, tier) supplies that were analysed."""


def product_cut(substances: Sequence[str], cuts: Mapping[tuple[str, str], SupplyCut] | LazyCuts, tiers: Sequence[str],
                components: Mapping[str, Sequence[str]] | None = None) -> ProductCut:
    """Join the cuts of a product's supplies: any one cut vertex of any supply stops the product."""
    components = components or {}
    vertices: list[Node] = []
    best: tuple[Node, ...] | None = None
    analysed: list[tuple[str, str]] = []
    for substance in substances:
        for tier in tiers:
            found = cuts.get((substance, tier))
            parts = [found] if found is not None else [cuts.get((p, tier)) for p in components.get(substance, ())]
            for cut in parts:
                if cut is None:
                    continue
                analysed.append((cut.substance, tier))
                vertices.extend(v for v in cut.cut_vertices if v not in vertices)
                if best is None or len(cut.minimal_cut) < len(best):
                    best = cut.minimal_cut
    return ProductCut(tuple(vertices), best or (), tuple(analysed))


@dataclass(frozen=True)
class SinglePointOfFailure:
    node: Node
    substances: tuple[tuple[str, str], ...]
    """The (substance, tier) supplies it alone can stop."""
    products: int
    critical_products: int

    @property
    def kind(self) -> str:
        return self.node[0]

    @property
    def key(self) -> str:
        return node_label(self.node)


def single_points_of_failure(
    cuts: Iterable[SupplyCut], products: Iterable[tuple[ProductCut, int, int]],
) -> list[SinglePointOfFailure]:
    """Every country and supplier that alone can stop a supply, with how many (critical) products it stops.

    ``cuts`` are the supplies looked at; ``products`` gives, per group of products sharing a cut (a
    product profile), its cut and how many products and critical products it stands for: a
    million products cost one pass over their profiles.
    """
    supplies: dict[Node, list[tuple[str, str]]] = defaultdict(list)
    for cut in cuts:
        for vertex in cut.cut_vertices:
            supplies[vertex].append((cut.substance, cut.tier))
    stopped: Counter[Node] = Counter()
    critical: Counter[Node] = Counter()
    for cut, n, n_critical in products:
        for vertex in cut.cut_vertices:
            stopped[vertex] += n
            critical[vertex] += n_critical
    return sorted(
        (SinglePointOfFailure(node, tuple(sorted(items)), stopped[node], critical[node])
         for node, items in supplies.items()),
        key=lambda s: (-s.critical_products, -s.products, -len(s.substances), s.node),
    )
