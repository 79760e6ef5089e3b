"""The rules engine end to end: law data checks, input errors, the store path, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from rdflib import Graph

from reasoner.derivations import derive
from reasoner.errors import InputError, NotFound, RuleDataError
from reasoner.namespaces import graph_iri
from reasoner.rules.check import check_all, check_product
from reasoner.rules.model import load_rules, load_rules_from_files
from reasoner.rules.versions import REGIMES, versions_covering
from reasoner.store import OxigraphStore, rdf_format

HOME = Path(__file__).resolve().parent.parent
SHAPES = HOME / "shapes"

PRODUCT_TTL = r"""
@prefix ms: <https://w3id.org/medsupply/ontology#> .
@prefix msid: <https://w3id.org/medsupply/id/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
msid:product\/rvg-99901 a ms:MedicinalProduct ; ms:registrationNumber "RVG 99901" ;
    ms:prescriptionOnly true ; ms:pharmacyPurchasePriceEur 9.5 ; ms:shelfLifeMonths 36 ;
    ms:medicinalGas false ; ms:namedPatientUse false ; ms:nlRegistered true ;
    ms:atcCode msid:atc\/J01CA04 ; ms:inWgpProductGroup msid:wgp\/amox .
msid:atc\/J01CA04 a ms:ATCCode ; skos:notation "J01CA04" ; ms:nlCriticalCategory ms:CriticalRed .
msid:wgp\/amox a ms:WgpProductGroup ; ms:maximumPriceEur 10.0 .
msid:entry\/1 a ms:UnionListEntry ; ms:atcCode msid:atc\/J01CA04 .
"""
STOCK_TTL = r"""
@prefix ms: <https://w3id.org/medsupply/ontology#> .
@prefix msid: <https://w3id.org/medsupply/id/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
msid:stock\/1 a ms:StockPosition ; ms:stockOf msid:product\/rvg-99901 ; ms:holderRole ms:MahRole ;
    ms:weeksOfDemand 4.0 ; ms:positionDate "2026-01-01"^^xsd:date .
msid:stock\/2 a ms:StockPosition ; ms:stockOf msid:product\/rvg-99901 ; ms:holderRole ms:MahRole ;
    ms:weeksOfDemand 7.0 ; ms:positionDate "2026-05-01"^^xsd:date .
msid:stock\/3 a ms:StockPosition ; ms:stockOf msid:product\/rvg-99901 ; ms:holderRole ms:WholesalerRole ;
    ms:weeksOfDemand 5.0 ; ms:positionDate "2026-03-01"^^xsd:date .
msid:catalog-synthetic ms:x 1 .
"""


@pytest.fixture(scope="module")
def small_store() -> OxigraphStore:
    """Shapes plus one product in a source graph and its stock positions in graph synthetic, then the
    load-time derivations."""
    store = OxigraphStore()
    for path in sorted(SHAPES.glob("*.ttl")):
        store.load(path, rdf_format(path), graph=graph_iri("shapes"), where=str(path))
    store.load(PRODUCT_TTL.encode(), rdf_format("ttl"), graph=graph_iri("catalog-products"))
    store.load(STOCK_TTL.encode(), rdf_format("ttl"), graph=graph_iri("synthetic"))
    derive(store)  # as every load does: the derived links the fact queries read
    return store


def _result(response: dict, rule: str) -> dict:
    return next(r for r in response["results"] if r["obligation"] == rule)


def test_meta_shape_rejects_obligation_without_legal_basis() -> None:
    graph = Graph()
    for path in sorted(SHAPES.glob("*.ttl")):
        graph.parse(path)
    graph.update("DELETE { ?o <https://w3id.org/medsupply/ontology#legalBasis> ?a } WHERE { "
                 "?o <https://w3id.org/medsupply/ontology#obligationId> 'nl-safety-stock-mah' ; "
                 "<https://w3id.org/medsupply/ontology#legalBasis> ?a }")
    with pytest.raises(RuleDataError) as err:
        load_rules(graph)
    assert "legal basis" in err.value.message


def test_meta_shape_rejects_in_force_version_without_valid_from() -> None:
    graph = Graph()
    for path in sorted(SHAPES.glob("*.ttl")):
        graph.parse(path)
    graph.update("DELETE WHERE { <https://w3id.org/medsupply/law/nl-safety-stock-mah/v2023-01-01> "
                 "<https://w3id.org/medsupply/ontology#validFrom> ?d }")
    with pytest.raises(RuleDataError):
        load_rules(graph)


def test_overlapping_versions_are_an_error_naming_both() -> None:
    graph = Graph()
    for path in sorted(SHAPES.glob("*.ttl")):
        graph.parse(path)
    graph.update("DELETE { ?v <https://w3id.org/medsupply/ontology#validUntil> ?d } INSERT { ?v "
                 "<https://w3id.org/medsupply/ontology#validUntil> '2023-08-01'^^<http://www.w3.org/2001/XMLSchema#date> } "
                 "WHERE { BIND(<https://w3id.org/medsupply/law/nl-safety-stock-wholesaler/v2023-01-01> AS ?v) ?v "
                 "<https://w3id.org/medsupply/ontology#validUntil> ?d }")
    with pytest.raises(RuleDataError) as err:
        load_rules(graph)
    assert "v2023-01-01" in err.value.message and "v2023-07-01" in err.value.message


def test_sweep_2022_to_2027_at_most_one_version_per_rule_and_regime() -> None:
    rules = load_rules_from_files(SHAPES)
    days = {date(2022, 1, 1) + timedelta(days=7 * i) for i in range(0, 6 * 53)}
    for ob in rules.obligations:
        for v in ob.versions:
            for d in (v.valid_from, v.valid_until):
                if d:
                    days |= {d - timedelta(days=1), d, d + timedelta(days=1)}
    for on in sorted(d for d in days if date(2022, 1, 1) <= d <= date(2027, 12, 31)):
        for ob in rules.obligations:
            for tier in REGIMES:
                covering = versions_covering(ob, on, tier)
                assert len(covering) <= 1, (ob.id, on, tier, [v.iri for v in covering])


def test_input_error_names_the_field(small_store: OxigraphStore) -> None:
    with pytest.raises(InputError) as err:
        check_product(small_store, {"product": {"kind": "medicine", "stock_weeks": {"wholesaler": "lots"}}}, "2026-06-01")
    assert err.value.where == "product.stock_weeks.wholesaler"
    with pytest.raises(InputError) as err:
        check_product(small_store, {"product": {"kind": "pill"}}, "2026-06-01")
    assert err.value.where == "product.kind"
    with pytest.raises(InputError) as err:
        check_product(small_store, {"product": {"kind": "medicine", "supply_interruptions": [{"notified_on": "2026-02-30"}]}}, "2026-06-01")
    assert err.value.where == "product.supply_interruptions[0].notified_on"
    with pytest.raises(InputError) as err:
        check_product(small_store, {"product": {"kind": "medicine", "colour": "red"}}, "2026-06-01")
    assert err.value.where == "product.colour"
    with pytest.raises(InputError):
        check_product(small_store, {"product": {"kind": "medicine"}}, "2026-13-01")
    with pytest.raises(InputError):
        check_product(small_store, {"product": {"kind": "medicine"}}, "2026-06-01", regime="dreamt")


def test_store_product_uses_latest_stock_position_on_or_before_the_date(small_store: OxigraphStore) -> None:
    before = check_product(small_store, "RVG 99901", "2026-04-01")
    after = check_product(small_store, "RVG 99901", "2026-06-01")
    assert _result(before, "nl-safety-stock-mah")["status"] == "violated"
    assert _result(before, "nl-safety-stock-mah")["actual"] == 4
    assert _result(after, "nl-safety-stock-mah")["status"] == "satisfied"
    facts = {f["property"]: f for f in _result(after, "nl-safety-stock-mah")["facts"]}
    assert facts["ms:mahStockWeeks"]["source_graph"] == "synthetic"
    assert facts["ms:mahStockWeeks"]["synthetic"] is True
    assert facts["ms:prescriptionOnly"]["source_graph"] == "catalog-products"


def test_store_product_critical_category_and_wgp_come_from_the_graph(small_store: OxigraphStore) -> None:
    response = check_product(small_store, "https://w3id.org/medsupply/id/product/rvg-99901", "2026-06-01")
    red = _result(response, "nl-extra-stock-critical-red")
    assert red["status"] == "violated" and red["required"] == "≥ 6" and red["actual"] == 5
    assert _result(response, "nl-wgp-maximum-price")["status"] == "satisfied"
    assert response["verdict"] == "non-compliant"
    proposed = check_product(small_store, "RVG 99901", "2026-06-01", regime="proposed")
    assert _result(proposed, "eu-cma-procurement")["status"] == "satisfied"


def test_request_without_category_looks_it_up_by_atc_code(small_store: OxigraphStore) -> None:
    response = check_product(small_store, {"product": {"kind": "medicine", "prescription_only": True, "atc_code": "J01CA04",
                                                        "pharmacy_purchase_price_eur": 9, "stock_weeks": {"wholesaler": 6}}},
                             "2026-06-01")
    red = _result(response, "nl-extra-stock-critical-red")
    assert red["status"] == "satisfied"
    assert any(f["property"] == "ms:nlCriticalCategory" and f["source_graph"] == "catalog-products" for f in red["facts"])


def test_unknown_product_is_not_found(small_store: OxigraphStore) -> None:
    with pytest.raises(NotFound):
        check_product(small_store, "RVG 00000", "2026-06-01")


def test_receipt_names_engine_hashes_date_and_regime(small_store: OxigraphStore) -> None:
    response = check_product(small_store, "RVG 99901", "2026-06-01")
    receipt = response["receipt"]
    assert set(receipt) == {"engine_version", "ontology_hash", "shapes_hash", "data_hash", "date", "regime"}
    assert receipt["date"] == "2026-06-01" and receipt["regime"] == "in-force"
    assert receipt["data_hash"] == check_product(small_store, "RVG 99901", "2026-06-01")["receipt"]["data_hash"]


def test_import_exemption_chain_shows_suspension_and_instruction(small_store: OxigraphStore) -> None:
    response = check_product(small_store, {"product": {
        "kind": "medicine", "nl_registered": False, "atc_code": "N05AN01",
        "import_exemption": {"decision_reference": "X", "valid_from": "2025-10-01", "suspended_on": "2026-02-04"}}},
        "2026-03-01")
    result = _result(response, "nl-import-exemption")
    assert result["status"] == "not-applicable"
    assert "Stcrt. 2026, 3853" in result["message"] and "2026-02-04" in result["message"]
    assert result["exemption"]["legal_basis"][0]["identifier"] == "Stcrt. 2026, 3853"


def test_check_all_gives_one_row_per_product_and_rule(small_store: OxigraphStore) -> None:
    summary = check_all(small_store, "2026-06-01")
    assert summary["products"] == 1
    assert len(summary["rows"]) == len(summary["rules"])


def test_cli_check_product_json_exit_code_is_incomplete_or_verdict(tmp_path: Path) -> None:
    request = tmp_path / "p.json"
    request.write_text(json.dumps({"product": {"kind": "medicine", "prescription_only": True, "nl_registered": True,
                                               "named_patient": False, "medicinal_gas": False, "shelf_life_months": 24,
                                               "stock_weeks": {"marketing_authorisation_holder": 2}}}))
    run = subprocess.run([sys.executable, "-m", "api.cli", "--store", str(tmp_path / "store"), "check",
                          "--product-json", str(request), "--date", "2026-06-01"],
                         capture_output=True, text=True, cwd=HOME, timeout=600)
    assert run.returncode == 1, run.stderr[-2000:]
    assert json.loads(run.stdout)["verdict"] == "non-compliant"
    bad = subprocess.run([sys.executable, "-m", "api.cli", "--store", str(tmp_path / "store"), "check",
                          "--product-json", str(request), "--date", "2026-02-30"],
                         capture_output=True, text=True, cwd=HOME, timeout=600)
    assert bad.returncode == 2
