"""The rules engine on the real default dataset: facts read from the graphs, sources cited, CLI exit codes.

Products are picked from the graph by SPARQL in each test (nothing about the data is hard-coded),
and the check date is the project date 2026-11-23.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from reasoner.config import load_settings
from reasoner.namespaces import MS
from reasoner.rules.check import check_product, engine_for, snapshot_for
from reasoner.store import OxigraphStore

ON = date(2026, 11, 23)
STATUSES = {"satisfied", "violated", "not-applicable", "unknown"}
VERDICTS = {"compliant", "non-compliant", "incomplete"}
EXIT_FOR_VERDICT = {"compliant": 0, "non-compliant": 1, "incomplete": 3}
HOME = Path(__file__).resolve().parent.parent


def _result(answer: dict, obligation: str) -> dict:
    return next(r for r in answer["results"] if r["obligation"] == obligation)


def _registrations(store: OxigraphStore, sparql: str, limit: int = 3) -> list[str]:
    rows = store.select(sparql + f" LIMIT {limit}")
    return [row["reg"].value for row in rows]


def test_synthetic_stock_fact_cites_graph_synthetic_and_says_synthetic(store: OxigraphStore) -> None:
    regs = _registrations(store, """
        SELECT DISTINCT ?reg WHERE {
          ?p a ms:MedicinalProduct ; ms:registrationNumber ?reg .
          GRAPH msg:synthetic { ?sp ms:stockOf ?p ; ms:holderRole ms:MahRole ; ms:weeksOfDemand ?w ; ms:positionDate ?d . }
          FILTER(?d <= "2026-11-23"^^xsd:date)
        } ORDER BY ?reg""")
    assert regs, "the default dataset has MAH stock positions in graph synthetic"
    answer = check_product(store, regs[0], ON)
    facts = [f for f in _result(answer, "nl-safety-stock-mah")["facts"] if f["property"] == "ms:mahStockWeeks"]
    assert facts and all(f["source_graph"] == "synthetic" and f["synthetic"] is True for f in facts)
    kind = [f for f in _result(answer, "nl-safety-stock-mah")["facts"] if f["property"] == "ms:kind"]
    assert kind and all(f["synthetic"] is False for f in kind)


def test_latest_stock_position_per_role_on_or_before_the_date_is_used(store: OxigraphStore) -> None:
    rows = store.select("""
        SELECT ?reg ?w ?d WHERE {
          ?p a ms:MedicinalProduct ; ms:registrationNumber ?reg .
          ?sp ms:stockOf ?p ; ms:holderRole ms:MahRole ; ms:weeksOfDemand ?w ; ms:positionDate ?d .
          FILTER(?d <= "2026-11-23"^^xsd:date)
        } ORDER BY ?reg LIMIT 1""")
    assert rows
    reg, weeks, when = rows[0]["reg"].value, Decimal(rows[0]["w"].value), date.fromisoformat(rows[0]["d"].value)
    snap = snapshot_for(store, reg, ON, load_settings())
    assert snap.values(str(MS.mahStockWeeks)) == [weeks]
    before = snapshot_for(store, reg, date.fromordinal(when.toordinal() - 1), load_settings())
    assert before.values(str(MS.mahStockWeeks)) == []


def test_verdicts_are_one_of_three_and_statuses_one_of_four(store: OxigraphStore) -> None:
    regs = _registrations(store, "SELECT ?reg WHERE { ?p a ms:MedicinalProduct ; ms:registrationNumber ?reg } ORDER BY ?reg", 25)
    for reg in regs:
        answer = check_product(store, reg, ON)
        assert answer["verdict"] in VERDICTS
        assert {r["status"] for r in answer["results"]} <= STATUSES


def test_missing_mah_stock_gives_unknown_never_compliant(store: OxigraphStore) -> None:
    regs = _registrations(store, """
        SELECT ?reg WHERE {
          ?p a ms:MedicinalProduct ; ms:registrationNumber ?reg ; ms:prescriptionOnly true ;
             ms:medicinalGas false ; ms:namedPatientUse false ; ms:shelfLifeMonths ?life .
          FILTER(?life >= 12)
          FILTER NOT EXISTS { ?sp ms:stockOf ?p ; ms:holderRole ms:MahRole }
        } ORDER BY ?reg""")
    assert regs, "the default dataset has prescription medicines without an MAH stock position"
    for reg in regs:
        answer = check_product(store, reg, ON)
        assert _result(answer, "nl-safety-stock-mah")["status"] == "unknown"
        assert answer["verdict"] != "compliant"


def test_missing_wholesaler_stock_is_never_satisfied(store: OxigraphStore) -> None:
    regs = _registrations(store, """
        SELECT ?reg WHERE {
          ?p a ms:MedicinalProduct ; ms:registrationNumber ?reg ; ms:prescriptionOnly true .
          FILTER NOT EXISTS { ?sp ms:stockOf ?p ; ms:holderRole ?role . FILTER(?role != ms:MahRole) }
        } ORDER BY ?reg""")
    assert regs
    for reg in regs:
        answer = check_product(store, reg, ON)
        for ob in ("nl-safety-stock-wholesaler", "nl-extra-stock-critical-red", "nl-extra-stock-critical-orange",
                   "nl-extra-stock-antibiotics"):
            assert _result(answer, ob)["status"] in {"unknown", "not-applicable"}


def test_wgp_maximum_price_comes_from_the_product_group(store: OxigraphStore) -> None:
    rows = store.select("""
        SELECT ?reg ?max ?price WHERE {
          ?p a ms:MedicinalProduct ; ms:registrationNumber ?reg ; ms:inWgpProductGroup ?group ; ms:pharmacyPurchasePriceEur ?price .
          ?group a ms:WgpProductGroup ; ms:maximumPriceEur ?max .
          FILTER(?max > 0)
        } ORDER BY ?reg LIMIT 1""")
    assert rows
    reg, maximum, price = rows[0]["reg"].value, Decimal(rows[0]["max"].value), Decimal(rows[0]["price"].value)
    snap = snapshot_for(store, reg, ON, load_settings())
    assert snap.values(str(MS.wgpMaximumPriceEur)) == [maximum]
    assert snap.sources[str(MS.wgpMaximumPriceEur)] == [str(MS).replace("ontology#", "graph/wgp-2019")]
    [ratio] = snap.values(str(MS.wgpPriceRatio))
    assert abs(ratio - price / maximum) < Decimal("1e-9")
    answer = check_product(store, reg, ON)
    assert _result(answer, "nl-wgp-maximum-price")["status"] in {"satisfied", "violated", "unknown"}


def test_product_by_iri_gives_the_same_answer_as_by_registration_number(store: OxigraphStore) -> None:
    rows = store.select("SELECT ?p ?reg WHERE { ?p a ms:MedicinalProduct ; ms:registrationNumber ?reg } ORDER BY ?reg LIMIT 1")
    by_reg = check_product(store, rows[0]["reg"].value, ON)
    by_iri = check_product(store, rows[0]["p"].value, ON)
    assert by_reg["results"] == by_iri["results"] and by_reg["verdict"] == by_iri["verdict"]


def test_critical_category_and_union_list_come_from_the_atc_code(store: OxigraphStore) -> None:
    rows = store.select("""
        SELECT ?reg ?category WHERE {
          ?p a ms:MedicinalProduct ; ms:registrationNumber ?reg ; ms:atcCode ?atc .
          ?atc ms:nlCriticalCategory ?category .
          ?entry a ms:UnionListEntry ; ms:atcCode ?atc .
        } ORDER BY ?reg LIMIT 1""")
    assert rows
    snap = snapshot_for(store, rows[0]["reg"].value, ON, load_settings())
    assert snap.values(str(MS.nlCriticalCategory)) == [rows[0]["category"].value]
    assert snap.values(str(MS.onUnionList)) == [True]


# ---------------------------------------------------------------- the real CLI

@pytest.fixture(scope="module")
def cli_store(prepared_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("cli") / "store"
    shutil.copytree(prepared_store_dir, target)
    return target


def _cli(store_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MEDSUPPLY_STORE=str(store_dir), MEDSUPPLY_LOG_LEVEL="WARNING")
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=HOME, env=env,
                          capture_output=True, text=True, timeout=600)


def test_check_cli_exit_code_matches_the_verdict(store: OxigraphStore, cli_store: Path) -> None:
    regs = _registrations(store, "SELECT ?reg WHERE { ?p a ms:MedicinalProduct ; ms:registrationNumber ?reg } ORDER BY ?reg", 60)
    by_verdict: dict[str, str] = {}
    for reg in regs:
        by_verdict.setdefault(check_product(store, reg, ON)["verdict"], reg)
    assert len(by_verdict) >= 2, "the sample covers at least two verdicts"
    for verdict, reg in sorted(by_verdict.items()):
        done = _cli(cli_store, "check", reg, "--date", ON.isoformat())
        assert done.returncode == EXIT_FOR_VERDICT[verdict], done.stderr
        assert f'"verdict": "{verdict}"' in done.stdout


def test_check_cli_unknown_product_exits_2_naming_it(cli_store: Path) -> None:
    done = _cli(cli_store, "check", "RVG 0000000000", "--date", ON.isoformat())
    assert done.returncode == 2
    assert "no product with registration number 'RVG 0000000000'" in done.stderr


def test_validate_cli_writes_one_row_per_product_and_obligation(store: OxigraphStore, cli_store: Path, tmp_path: Path) -> None:
    output = tmp_path / "x.csv"
    done = _cli(cli_store, "validate", "--date", ON.isoformat(), "--output", str(output))
    assert done.returncode == 0, done.stderr
    products = int(store.select("""SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {
        ?p a ?k . FILTER(?k IN (ms:MedicinalProduct, ms:MedicalDevice)) }""")[0]["n"].value)
    obligations = len(engine_for(store).rules.obligations)
    with output.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == products * obligations
    assert len({(r["product"], r["obligation"]) for r in rows}) == len(rows)
    assert {r["status"] for r in rows} <= STATUSES
