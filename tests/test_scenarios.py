"""Disruption scenarios: lost, degraded, stock cover along the chain, when a product runs short."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from dependency_small_graph import small_store
from reasoner.dependency.scenario import Disruption, run_scenario, scenario_as_dict
from reasoner.errors import InputError
from reasoner.namespaces import ID

ON = date(2026, 11, 23)


def _by_product(result):
    return {o.product.rsplit("/", 1)[-1]: o for o in result.outcomes}


@pytest.fixture(scope="module")
def china():
    return run_scenario(small_store(), Disruption(countries=("CN",), weeks=8, demand_surge=1.5, start=ON),
                        include_unaffected=True)


def test_combination_whose_component_comes_only_from_the_country_is_lost(china) -> None:
    outcome = _by_product(china)["rvg-2"]
    assert outcome.status == "lost" and outcome.capacity == 0.0
    assert {c.because for c in outcome.impact.causes} == {"country CN"}
    assert {c.substance.rsplit("/", 1)[-1] for c in outcome.impact.causes} == {"lamivudine"}


def test_substance_with_some_suppliers_left_is_degraded_to_their_share(china) -> None:
    outcome = _by_product(china)["rvg-1"]
    assert outcome.status == "degraded" and outcome.capacity == pytest.approx(1 / 3)


def test_stock_cover_sums_latest_positions_along_the_chain_and_is_marked_synthetic(china) -> None:
    outcome = _by_product(china)["rvg-1"]
    assert outcome.stock_weeks == pytest.approx(4.0 + 2.0)  # MAH's latest (not the older 9) + wholesaler
    assert outcome.stock_synthetic


def test_product_runs_short_on_the_day_its_stock_is_used_up(china) -> None:
    outcome = _by_product(china)["rvg-1"]
    # drains at 1.5 − 1/3 weeks of demand a week: 6 / 1.1667 = 5.14 weeks
    assert outcome.runs_short is True
    assert outcome.weeks_until_short == pytest.approx(6 / (1.5 - 1 / 3))
    assert outcome.short_on == date(2026, 12, 29)


def test_lost_product_with_enough_stock_does_not_run_short(china) -> None:
    outcome = _by_product(china)["rvg-2"]
    assert outcome.stock_weeks == 20.0 and outcome.runs_short is False  # 20 / 1.5 = 13.3 weeks > 8


def test_no_stock_known_means_unknown_not_covered(china) -> None:
    assert _by_product(china)["rvg-4"].runs_short is None


def test_totals_count_by_critical_category_and_atc_chapter(china) -> None:
    document = scenario_as_dict(china)
    assert document["totals"]["products"] == 4 and document["totals"]["lost"] == 1
    assert document["by_atc_chapter"]["J"]["lost"] == 1
    assert document["by_critical_category"]["red"]["degraded"] == 1
    assert document["by_critical_category"]["not critical"]["unaffected"] == 1


def test_organisation_stops_its_sites_and_its_products_as_holder() -> None:
    result = run_scenario(small_store(), Disruption(organisations=(str(ID["org/mah-b"]),), weeks=4, start=ON))
    outcomes = _by_product(result)
    assert outcomes["rvg-2"].status == "lost" and outcomes["rvg-4"].status == "lost"
    para = run_scenario(small_store(), Disruption(organisations=(str(ID["org/para-maker"]),), weeks=4, start=ON),
                        include_unaffected=True)
    assert _by_product(para)["rvg-3"].capacity == pytest.approx(0.5)  # two of its four sites


def test_unknown_country_is_refused_with_a_hint() -> None:
    with pytest.raises(InputError, match="ISO 3166-1"):
        run_scenario(small_store(), Disruption(countries=("XX",), start=ON))


def test_scenario_endpoint_answers_for_china_on_the_default_dataset(live_server: str) -> None:
    response = httpx.post(f"{live_server}/scenarios/disruption", timeout=120, json={
        "countries": ["CN"], "suppliers": [], "organisations": [], "weeks": 8, "demand_surge": 1.5,
        "date": "2026-11-23"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["totals"]["products"] > 1000 and body["totals"].get("lost", 0) > 0
    lost = next(p for p in body["products"] if p["status"] == "lost")
    assert lost["why"] and any("CN" in w["because"] for w in lost["why"])
    assert "J" in body["by_atc_chapter"]


def test_scenario_endpoint_lists_only_the_most_severe_products_up_to_a_limit_and_still_counts_all(
        live_server: str) -> None:
    asked = {"countries": ["CN"], "weeks": 8, "demand_surge": 1.5, "date": "2026-11-23"}
    everything = httpx.post(f"{live_server}/scenarios/disruption", timeout=120, json=asked).json()
    first = httpx.post(f"{live_server}/scenarios/disruption", timeout=120, json={**asked, "limit": 3}).json()
    assert first["listed"] == {"products": 3, "of": len(everything["products"]), "limit": 3}
    assert everything["listed"]["products"] == everything["listed"]["of"] > 3
    assert first["products"] == everything["products"][:3] and first["products"][0]["status"] == "lost"
    assert first["totals"] == everything["totals"] and first["by_atc_chapter"] == everything["by_atc_chapter"]
    refused = httpx.post(f"{live_server}/scenarios/disruption", timeout=60, json={**asked, "limit": -1})
    assert refused.status_code == 422 and "limit" in refused.text


def test_scenario_endpoint_refuses_bad_input_as_a_problem(live_server: str) -> None:
    response = httpx.post(f"{live_server}/scenarios/disruption", timeout=60,
                          json={"countries": ["CN"], "weeks": -1})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    response = httpx.post(f"{live_server}/scenarios/disruption", timeout=60, json={"countries": []})
    assert response.status_code == 422 and "country" in response.json()["detail"]
