"""Supplier-concentration metrics per substance and tier, on a small hand-checked graph."""

from __future__ import annotations

from datetime import date

import pytest

from dependency_small_graph import small_store
from reasoner.dependency.facts import SupplierEdge, read_supply_facts
from reasoner.dependency.metrics import hhi, profile_metrics, substance_metrics, tier_metrics
from reasoner.namespaces import ID, MS

ON = date(2026, 11, 23)
API, BATCH, MAH = str(MS.ApiTier), str(MS.BatchReleaseTier), str(MS.MahTier)


@pytest.fixture(scope="module")
def facts():
    return read_supply_facts(small_store(), ON)


@pytest.fixture(scope="module")
def metrics(facts):
    return substance_metrics(facts.edges)


def test_hhi_is_zero_to_ten_thousand_over_country_shares() -> None:
    assert hhi([1]) == 10_000
    assert hhi([1, 1, 1, 1]) == pytest.approx(2_500)
    assert hhi([2, 1]) == pytest.approx(100**2 * (4 + 1) / 9)
    assert hhi([]) == 0


def test_amoxicillin_api_tier_counts_suppliers_countries_hhi_top_country_and_eu_share(metrics) -> None:
    m = metrics[str(ID["substance/amoxicillin"])][API]
    assert (m.n_suppliers, m.n_countries) == (3, 2)
    assert m.hhi_country == pytest.approx(5555.56, abs=0.01)
    assert (m.top_country, m.top_country_share) == ("CN", pytest.approx(2 / 3))
    assert m.eu_eea_share == 0.0
    assert not m.single_supplier and not m.single_country
    assert m.reconstructed


def test_single_country_and_single_supplier_flags(metrics) -> None:
    lamivudine = metrics[str(ID["substance/lamivudine"])][API]
    assert lamivudine.single_country and not lamivudine.single_supplier and lamivudine.hhi_country == 10_000
    release = metrics[str(ID["substance/amoxicillin"])][BATCH]
    assert release.single_supplier and release.single_country and release.eu_eea_share == 1.0


def test_top_country_ties_go_to_the_alphabetically_first_iso_code() -> None:
    edges = [SupplierEdge("s", API, f"x{i}", None, c, False, False, None) for i, c in enumerate(["IN", "CN", "DE"])]
    assert tier_metrics("s", API, edges).top_country == "CN"


def test_mah_tier_counts_the_holders_of_the_substances_products(metrics) -> None:
    m = metrics[str(ID["substance/amoxicillin"])][MAH]
    assert m.n_suppliers == 2 and m.n_countries == 2


def test_combination_product_takes_its_weakest_component_per_tier(facts, metrics) -> None:
    components = {iri: info.components for iri, info in facts.substances.items() if info.components}
    combo = (str(ID["substance/abacavir--lamivudine"]),)
    profile = profile_metrics(combo, metrics, [API, BATCH], components)
    # abacavir HHI 5000 (IN, DE) vs lamivudine HHI 10000 (CN only): lamivudine is weaker
    assert profile.tiers[API].weakest.substance == str(ID["substance/lamivudine"])
    assert set(profile.tiers[API].weighed) == {str(ID["substance/abacavir"]), str(ID["substance/lamivudine"])}
    # batch release is recorded on the combination itself
    assert profile.tiers[BATCH].weakest.substance == combo[0]


def test_product_without_data_at_a_tier_lists_the_missing_substance(metrics) -> None:
    paracetamol = (str(ID["substance/paracetamol"]),)
    profile = profile_metrics(paracetamol, metrics, [API, BATCH])
    assert profile.tiers[BATCH].weakest is None and profile.tiers[BATCH].missing == paracetamol
    assert profile.tiers[API].weakest.hhi_country == pytest.approx(2500)


def test_suppliers_reached_through_their_operator_get_its_country(facts) -> None:
    sites = {e.supplier: e for e in facts.edges if e.substance == str(ID["substance/paracetamol"]) and e.tier == API}
    assert sites[str(ID["site/para-de"])].operator == str(ID["org/para-maker"])
    assert sites[str(ID["site/para-de"])].country == "DE"
