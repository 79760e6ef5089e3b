"""Figures resting on synthetic data are marked as such, on the default dataset."""

from __future__ import annotations

import csv
import io
from datetime import date

from reasoner.dependency.report import build_dependency_report
from reasoner.dependency.report_csv import render_csv


def test_api_figures_are_real_and_mah_figures_from_synthetic_holders_are_marked(store) -> None:
    report = build_dependency_report(store, scope="union-list", on=date(2026, 11, 23), with_product_names=False)
    synthetic = set(report.receipt.synthetic_graphs)
    assert synthetic, "the catalog marks at least one graph synthetic"
    rows = list(csv.DictReader(io.StringIO(render_csv(report).decode())))
    api = [r for r in rows if r["tier"].endswith("#ApiTier")]
    assert api and all(r["synthetic"] == "False" for r in api)
    amox = report.substances[[s.label for s in report.substances].index("amoxicillin")]
    for tier, metrics in amox.metrics.items():
        marked = next(r for r in rows if r["label"] == "amoxicillin" and r["tier"] == tier)["synthetic"] == "True"
        assert marked == bool(metrics.graphs & synthetic)
