"""The networkx supply graph: cut vertices, minimal cuts and single points of failure."""

from __future__ import annotations

from datetime import date

import pytest

from dependency_small_graph import small_store
from reasoner.dependency.facts import SupplierEdge, read_supply_facts
from reasoner.dependency.report import build_dependency_report
from reasoner.dependency.supply_graph import SupplyGraph, product_cut
from reasoner.namespaces import ID, MS

API, BATCH = str(MS.ApiTier), str(MS.BatchReleaseTier)


@pytest.fixture(scope="module")
def graph():
    facts = read_supply_facts(small_store(), date(2026, 11, 23))
    return SupplyGraph(facts.edges, [API, BATCH]), facts


def test_one_country_is_a_cut_vertex_of_a_single_country_substance(graph) -> None:
    g, _ = graph
    cut = g.cut(str(ID["substance/lamivudine"]), API)
    assert cut.cut_vertices == (("country", "CN"),)
    assert cut.minimal_cut == (("country", "CN"),)


def test_a_single_site_and_its_country_are_both_cut_vertices(graph) -> None:
    g, _ = graph
    cut = g.cut(str(ID["substance/amoxicillin"]), BATCH)
    assert cut.cut_vertices == (("country", "DE"), ("supplier", str(ID["supplier/amoxicillin/batch-release/DE/1"])))


def test_minimal_cut_between_a_substance_and_its_countries_is_the_smallest_node_set(graph) -> None:
    g, _ = graph
    cut = g.cut(str(ID["substance/amoxicillin"]), API)
    assert cut.cut_vertices == ()
    # CN (two suppliers) plus the one Indian supplier — or the Indian country: two nodes either way
    assert len(cut.minimal_cut) == 2 and ("country", "CN") in cut.minimal_cut


def test_product_cut_joins_every_substance_and_tier(graph) -> None:
    g, facts = graph
    components = {iri: info.components for iri, info in facts.substances.items() if info.components}
    cut = product_cut((str(ID["substance/abacavir--lamivudine"]),), g.all_cuts(), [API, BATCH], components)
    assert ("country", "CN") in cut.cut_vertices  # lamivudine's API comes only from China
    assert ("country", "ES") in cut.cut_vertices  # the combination's only batch release site is in Spain
    assert len(cut.minimal_cut) == 1


def test_shared_supplier_serving_two_substances_is_counted_for_both() -> None:
    edges = [SupplierEdge("a", API, "plant", None, "CN", False, False, None),
             SupplierEdge("b", API, "plant", None, "CN", False, False, None),
             SupplierEdge("b", API, "other", None, "IN", False, False, None)]
    g = SupplyGraph(edges, [API])
    assert ("supplier", "plant") in g.cut("a", API).cut_vertices
    assert g.cut("b", API).cut_vertices == ()


def test_single_points_of_failure_count_critical_products(graph) -> None:
    report = build_dependency_report(small_store(), scope="all", on=date(2026, 11, 23))
    spof = {s.node: s for s in report.single_points_of_failure}
    germany = spof[("country", "DE")]
    assert germany.products == 2 and germany.critical_products == 2  # both amoxicillin products
    assert spof[("country", "CN")].products == 1
