"""Today's dependency analysis prepared ahead of the first report (reasoner/dependency/preparation.py)."""

from __future__ import annotations

from datetime import date

from reasoner.dependency.facts import supply_facts
from reasoner.dependency.preparation import Preparation, prepare
from reasoner.dependency.report import build_dependency_report
from reasoner.dependency.scenario_basis import product_stock, scenario_basis
from reasoner.revision_cache import cached
from reasoner.store import OxigraphStore

ON = date(2026, 11, 23)


def test_a_prepared_store_serves_reports_and_scenarios_from_what_was_prepared(store: OxigraphStore) -> None:
    prepare(store, ON)
    facts = supply_facts(store, ON)
    stock = product_stock(store, ON)
    basis = scenario_basis(store, ON, facts)
    report = build_dependency_report(store, scope="union-list", on=ON, with_product_names=False)
    assert report.facts is facts
    assert cached(store, ("product-stock", ON), lambda: None) is stock
    assert cached(store, ("scenario-basis", ON, id(facts)), lambda: None) is basis
    assert cached(store, ("supply-analysis", ON, id(facts)), lambda: None) is not None


def test_a_preparation_asked_for_while_one_runs_runs_after_it_and_failures_are_reported(store: OxigraphStore) -> None:
    preparation = Preparation()
    preparation.start(store, ON)
    preparation.start(store, ON)  # pending: runs once the first ends
    assert preparation.wait(120)
    assert preparation.status.state == "ready" and preparation.status.date == ON.isoformat()
    preparation.start(object(), ON)  # not a store: the preparation fails, and says why
    assert preparation.wait(30)
    assert preparation.status.state == "failed" and preparation.status.error
