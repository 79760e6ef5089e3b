"""The fast path agrees with pySHACL on the same shapes and snapshots.

Agreement, precisely: (1) the fast path's two-valued mode (standard SHACL semantics) equals pySHACL
on every scope, requirement and exemption shape; (2) wherever the fast path's three-valued status is
not unknown and rests on a definite scope and definite exemption conditions, pySHACL's status is the
same (a "satisfied anyway" under an unknown scope is a claim pySHACL cannot make: it reads the
missing scope fact as "out of scope"); (3) where the fast path says unknown, pySHACL's answer is
one the missing facts could give (no check: pySHACL reads missing facts as vacuously satisfied).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from reasoner.namespaces import graph_iri
from reasoner.rules.check import KIND, engine_for, evaluate_plan, snapshot_for
from reasoner.rules.examples import all_cases
from reasoner.rules.reference import reference_conformance, reference_status
from reasoner.config import load_settings
from reasoner.store import OxigraphStore, rdf_format

SHAPES = Path(__file__).resolve().parent.parent / "shapes"


@pytest.fixture(scope="module")
def law_store() -> OxigraphStore:
    store = OxigraphStore()
    for path in sorted(SHAPES.glob("*.ttl")):
        store.load(path, rdf_format(path), graph=graph_iri("shapes"), where=str(path))
    return store


def _compare(store: OxigraphStore, snap, on: date, regime: str) -> list[str]:
    engine = engine_for(store)
    plan = engine.plan(on, regime)
    two = {o.item.obligation.iri: o for o in evaluate_plan(plan, snap, two_valued=True)}
    three = evaluate_plan(plan, snap)
    verdicts = reference_conformance(plan, snap, engine.rules.graph,
                                     {iri: o.applies is True for iri, o in two.items()})
    problems = []
    for outcome in three:
        item = outcome.item
        if item.version is None:
            continue
        ob = item.obligation.id
        fast2 = two[item.obligation.iri]
        if fast2.scope.tv != verdicts[(ob, "scope")]:
            problems.append(f"{ob} scope: fast {fast2.scope.tv}, pySHACL {verdicts[(ob, 'scope')]}")
        if fast2.requirement.tv != verdicts[(ob, "requirement")]:
            problems.append(f"{ob} requirement: fast {fast2.requirement.tv}, pySHACL {verdicts[(ob, 'requirement')]}")
        ref = reference_status(item, verdicts)
        definite = outcome.scope.tv is not None and not outcome.unknown_exemptions
        if outcome.status != "unknown" and definite and outcome.status != ref:
            problems.append(f"{ob} status: fast {outcome.status}, pySHACL {ref}")
    return problems


def test_fast_path_agrees_with_pyshacl_on_every_worked_example(law_store: OxigraphStore) -> None:
    settings = load_settings()
    problems = []
    for case in all_cases(SHAPES):
        snap = snapshot_for(law_store, {"product": case.product}, date.fromisoformat(case.date), settings)
        problems += [f"{case.test_id}: {p}" for p in _compare(law_store, snap, date.fromisoformat(case.date), case.regime)]
    assert problems == []


def test_fast_path_agrees_with_pyshacl_on_default_dataset_products(store: OxigraphStore) -> None:
    """At least 200 real products (snapshots read by the whole-graph path), spread evenly over the dataset."""
    from reasoner.rules.whole_graph import all_from_store

    settings = load_settings()
    on = date(2026, 11, 23)
    snaps = sorted(all_from_store(store, on, settings.queries_dir, KIND), key=lambda s: s.focus)
    assert len(snaps) >= 200, "the default dataset has at least 200 products"
    problems = []
    for snap in snaps[:: len(snaps) // 200][:200]:
        problems += [f"{snap.focus}: {p}" for p in _compare(store, snap, on, "in-force")]
        problems += [f"{snap.focus} (proposed): {p}" for p in _compare(store, snap, on, "proposed")]
    assert problems == []
