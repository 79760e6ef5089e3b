"""The twelve named policy queries against the default dataset, each with facts checked by hand
against the raw sources (/work/shared/data/raw) or the law files."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest

from reasoner.config import load_settings
from reasoner.errors import InputError
from reasoner.queries import all_queries, bind_parameters, named_query
from reasoner.store import OxigraphStore

POLICY = [
    "critical-single-country-api", "critical-api-concentration", "api-share-china-india-by-atc-chapter",
    "mah-stock-below-requirement", "late-interruption-notifications", "single-preferred-supplier",
    "red-shortage-without-eu-api", "ulcm-and-nl-red", "igj-import-exemptions", "countries-by-critical-dependence",
    "products-exposed-to-country", "instruments-and-obligations",
]
QUERIES = load_settings().queries_dir


def run(store: OxigraphStore, name: str, **params: str) -> list[dict[str, Any]]:
    query = named_query(QUERIES, f"policy/{name}")
    rows = store.select(query.sparql, substitutions=bind_parameters(query, params))
    return [{k: v.value for k, v in row.items()} for row in rows]


def test_there_are_twelve_policy_queries_with_bilingual_headers() -> None:
    queries = {q.name.removeprefix("policy/"): q for q in all_queries(QUERIES, "policy")}
    assert set(POLICY) <= set(queries)
    for query in queries.values():
        for key in ("title", "title@nl", "description", "description@nl"):
            assert query.meta.get(key), f"{query.name} lacks {key}"


def test_critical_single_country_api_lists_acetazolamide_in_india_and_amikacin_in_china(store: OxigraphStore) -> None:
    rows = {r["label"]: r for r in run(store, "critical-single-country-api")}
    assert rows["acetazolamide"]["country"] == "IN"
    assert rows["amikacin"]["country"] == "CN"
    assert "amoxicillin" not in rows  # 19 CEP holders in 9 countries


def test_api_concentration_of_amoxicillin_matches_the_published_figures(store: OxigraphStore) -> None:
    rows = run(store, "critical-api-concentration")
    amoxicillin = next(r for r in rows if r["label"] == "amoxicillin")
    # substance_supply.csv: 19 CEP holders, 9 countries, top CN (5 of 19), HHI 1634.3
    assert (amoxicillin["apiSuppliers"], amoxicillin["countries"], amoxicillin["topCountry"]) == ("19", "9", "CN")
    assert Decimal(amoxicillin["hhi"]) == Decimal("1634.3") == Decimal(amoxicillin["publishedHhi"])
    hhis = [Decimal(r["hhi"]) for r in rows]
    assert hhis == sorted(hhis, reverse=True)
    assert all(abs(Decimal(r["hhi"]) - Decimal(r["publishedHhi"])) <= Decimal("0.1") for r in rows if "publishedHhi" in r)


def test_api_share_per_atc_chapter_counts_amoxicillins_chinese_suppliers_under_j(store: OxigraphStore) -> None:
    rows = {r["chapter"]: r for r in run(store, "api-share-china-india-by-atc-chapter")}
    j = rows["J"]
    assert j["chapterLabel"] == "ANTIINFECTIVES FOR SYSTEMIC USE"
    assert int(j["inChinaCount"]) >= 5 and int(j["inIndiaCount"]) >= 1
    for row in rows.values():
        assert 0 <= Decimal(row["chinaShare"]) + Decimal(row["indiaShare"]) <= 1


def test_mah_stock_below_requirement_takes_the_six_weeks_from_the_law_in_force(store: OxigraphStore) -> None:
    rows = run(store, "mah-stock-below-requirement", date="2026-11-01")
    assert rows
    assert {r["requiredWeeks"] for r in rows} == {"6"}
    assert all(Decimal(r["weeksOfDemand"]) < 6 and r["positionDate"] <= "2026-11-01" for r in rows)
    assert len({r["product"] for r in rows}) == len(rows)


def test_mah_stock_below_requirement_is_empty_before_the_obligation_existed(store: OxigraphStore) -> None:
    assert run(store, "mah-stock-below-requirement", date="2022-06-01") == []


def test_late_interruption_notifications_have_less_than_two_months_notice(store: OxigraphStore) -> None:
    rows = run(store, "late-interruption-notifications")
    assert rows
    for row in rows:
        assert int(row["noticeMonths"]) < int(row["requiredMonths"]) == 2
        assert row["notifiedOn"] <= row["expectedStart"] or int(row["noticeMonths"]) < 0


def test_single_preferred_supplier_names_accord_for_naltrexone_at_all_five_insurers(store: OxigraphStore) -> None:
    rows = {r["label"]: r for r in run(store, "single-preferred-supplier", date="2026-06-01")}
    # raw data.json: CZ, DSW, Menzis, VGZ and Zilveren Kruis all prefer Accord Healthcare for naltrexone
    assert rows["naltrexone"]["insurers"] == "5"
    assert "accord" in rows["naltrexone"]["preferredSupplier"]


def test_red_shortage_without_eu_api_finds_doxycycline_in_dutch_shortage(store: OxigraphStore) -> None:
    rows = {r["atcCode"]: r for r in run(store, "red-shortage-without-eu-api", date="2026-11-23")}
    # J01AA02 is rood in eml_atc5.json, in Farmanco's list, and its CEP holders are outside the EU/EEA
    assert "J01AA02" in rows
    assert rows["J01AA02"]["country"] == "NL"
    eu = {"AT", "BE", "DE", "ES", "FR", "IT", "NL", "PL", "PT", "SE", "DK", "FI", "IE", "CZ", "HU", "SI", "HR"}
    for row in rows.values():
        assert not set(row["apiSupplierCountries"].split(", ")) & eu


ULCM_AND_RED_SAMPLE = {"A07BA01", "A10AB01", "A10AB05", "B01AB01", "B01AC04", "B02BD02", "C01BD01", "C01CA03"}


def test_ulcm_and_nl_red_overlap_is_the_89_codes_of_the_raw_lists(store: OxigraphStore) -> None:
    codes = {r["atcCode"] for r in run(store, "ulcm-and-nl-red")}
    # critical.csv (299 ATC5) ∩ eml_atc5.json "rood" (166) = 89 codes
    assert len(codes) == 89
    assert ULCM_AND_RED_SAMPLE <= codes
    assert "J01CA04" not in codes  # amoxicillin: on the Union list, not red in NL


def test_ulcm_and_nl_red_overlap_equals_the_raw_files_when_present(store: OxigraphStore) -> None:
    from data.build.context import raw_data_dir

    raw = raw_data_dir()
    if not (raw / "SOURCES.md").is_file():
        pytest.skip(f"raw sources not found at {raw}")
    ulcm = set(re.findall(r"\b[A-Z]\d\d[A-Z][A-Z]\d\d\b", (raw / "elmadervic__MedicationSupply/critical.csv").read_text()))
    colours = json.loads((raw / "jorissmeets__Wereldkaart/eml_atc5.json").read_text())["map"]
    red = {code for code, colour in colours.items() if colour == "rood"}
    assert {r["atcCode"] for r in run(store, "ulcm-and-nl-red")} == ulcm & red


def test_igj_import_exemptions_lists_every_decision_with_its_reference(store: OxigraphStore) -> None:
    rows = run(store, "igj-import-exemptions")
    assert len({r["exemption"] for r in rows}) == 43  # NL_IGJ_shortage_2026-03-12.csv has 43 rows
    assert sum(1 for r in rows if r.get("decisionReference")) >= 40


def test_countries_by_critical_dependence_ranks_india_then_china(store: OxigraphStore) -> None:
    rows = run(store, "countries-by-critical-dependence")
    assert [r["country"] for r in rows[:2]] == ["IN", "CN"]
    counts = [int(r["criticalSubstances"]) for r in rows]
    assert counts == sorted(counts, reverse=True)
    stricter = run(store, "countries-by-critical-dependence", share="0.9")
    assert int(stricter[0]["criticalSubstances"]) <= counts[0]


def test_products_exposed_to_india_include_amoxicillin_products(store: OxigraphStore) -> None:
    rows = run(store, "products-exposed-to-country", country="IN")
    amoxicillin = [r for r in rows if r["substance"].endswith("/substance/amoxicillin")]
    assert amoxicillin
    assert {(r["inCountry"], r["apiSuppliers"]) for r in amoxicillin} == {("1", "19")}
    assert {r["country"] for r in rows} == {"IN"}
    assert run(store, "products-exposed-to-country", country="ZZ") == []


def test_instruments_and_obligations_derive_the_safety_stock_from_the_geneesmiddelenwet(store: OxigraphStore) -> None:
    rows = run(store, "instruments-and-obligations")
    gnw = [r for r in rows if r["instrument"].endswith("/law/geneesmiddelenwet")]
    assert any(r.get("obligation", "").endswith("/law/nl-safety-stock-mah") for r in gnw)
    mah = next(r for r in gnw if r.get("obligation", "").endswith("/law/nl-safety-stock-mah"))
    assert "2023-01-01" in mah["versions"]


@pytest.mark.parametrize("params, where", [
    ({"date": "31-01-2026"}, "date"),
    ({"date": "2026-02-30"}, "date"),
    ({"when": "2026-01-01"}, "when"),
])
def test_bad_parameters_name_the_parameter(params: dict[str, str], where: str) -> None:
    query = named_query(QUERIES, "policy/mah-stock-below-requirement")
    with pytest.raises(InputError) as caught:
        bind_parameters(query, params)
    assert caught.value.where == where


def test_decimal_parameter_refuses_text() -> None:
    query = named_query(QUERIES, "policy/countries-by-critical-dependence")
    with pytest.raises(InputError) as caught:
        bind_parameters(query, {"share": "half"})
    assert caught.value.where == "share"
