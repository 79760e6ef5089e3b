"""The dependency report in every format: JSON-LD that parses as RDF, CSV, an XLSX workbook, HTML."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pyoxigraph as ox
import pytest
from openpyxl import load_workbook

from dependency_small_graph import small_store
from reasoner.dependency.report import build_dependency_report
from reasoner.dependency.report_csv import render_csv
from reasoner.dependency.report_html import render_html
from reasoner.dependency.report_jsonld import render_jsonld
from reasoner.dependency.report_xlsx import render_xlsx
from reasoner.errors import InputError
from reasoner.namespaces import MS

ON = date(2026, 11, 23)


@pytest.fixture(scope="module")
def report():
    return build_dependency_report(small_store(), scope="all", on=ON)


def test_unknown_scope_is_refused_with_the_scopes_to_choose_from() -> None:
    with pytest.raises(InputError, match="union-list, nl-critical, all"):
        build_dependency_report(small_store(), scope="everything", on=ON)


def test_union_list_scope_keeps_only_union_list_substances_and_their_products() -> None:
    report = build_dependency_report(small_store(), scope="union-list", on=ON)
    assert [s.label for s in report.substances] == ["amoxicillin"]
    assert report.product_count == 3  # two amoxicillin products and the combination listed by ATC code


def test_json_report_is_json_ld_over_the_ontology(report) -> None:
    body = render_jsonld(report)
    document = json.loads(body)
    assert document["@context"]["@vocab"] == str(MS)
    quads = list(ox.parse(body, format=ox.RdfFormat.JSON_LD))
    predicates = {q.predicate.value for q in quads}
    assert str(MS.supplyTier) in predicates and str(MS.reconstructed) in predicates
    assert any(q.subject.value.endswith("substance/amoxicillin") for q in quads)


def test_every_report_carries_a_receipt_with_criteria_citations_sources_and_synthetic_graphs(report) -> None:
    receipt = json.loads(render_jsonld(report))["receipt"]
    assert receipt["criteria"] and all(c["sources"] and c["sources"][0]["citation"] for c in receipt["criteria"])
    assert {s["graph"].rsplit("/", 1)[-1] for s in receipt["sources"]} == {"api-suppliers", "synthetic"}
    assert [g.rsplit("/", 1)[-1] for g in receipt["synthetic_graphs"]] == ["synthetic"]
    assert receipt["named_graphs"]


def test_csv_has_one_row_per_substance_and_tier_with_its_receipt(report) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(report).decode())))
    amox_api = next(r for r in rows if r["label"] == "amoxicillin" and r["tier"].endswith("ApiTier"))
    assert amox_api["hhi_country"] == "5555.6" and amox_api["top_country"] == "CN"
    assert amox_api["verdict"] == "vulnerable" and amox_api["report_date"] == "2026-11-23"
    assert "no supplier in the EU/EEA" in amox_api["criteria_fired"]


def test_xlsx_has_one_sheet_per_section(report) -> None:
    book = load_workbook(io.BytesIO(render_xlsx(report)), read_only=True)
    assert book.sheetnames == ["summary", "substances", "products", "countries", "single points of failure", "sources"]
    products = list(book["products"].iter_rows(values_only=True))
    assert len(products) == 1 + 4 and products[0][0] == "product"
    summary = {row[0]: row[1] for row in book["summary"].iter_rows(values_only=True) if row and row[0]}
    assert summary["date"] == "2026-11-23"


def test_html_is_self_contained_with_inline_svg_charts(report) -> None:
    html = render_html(report).decode()
    assert html.count("<svg") == 3
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "").split("<body>")[0]
    assert "<script" not in html and "@media print" in html
    assert "high concentration ≥ 2,500" in html


def test_a_second_report_on_unchanged_data_reuses_the_analysis_and_says_the_same(store) -> None:
    """The metrics, cuts and verdicts are kept per store revision and date (``supply_analysis``): a
    report in another scope after the first starts from them, and must say what a report computed
    from scratch (its own read of the facts, so its own analysis) says."""
    from reasoner.dependency.facts import read_supply_facts
    from reasoner.dependency.analysis import supply_analysis
    from reasoner.revision_cache import cached

    first = build_dependency_report(store, scope="union-list", on=ON, with_product_names=False)
    second = build_dependency_report(store, scope="all", on=ON, with_product_names=False)
    analysis = supply_analysis(store, ON, first.facts, lambda _m: None)
    assert analysis is cached(store, ("supply-analysis", ON, id(second.facts)), lambda: None)
    assert {s.iri for s in first.substances} < {s.iri for s in analysis.substances}
    assert all(a is b for a, b in zip(second.substances, analysis.substances))
    fresh = build_dependency_report(store, scope="all", on=ON, with_product_names=False,
                                    facts=read_supply_facts(store, ON))
    assert fresh.facts is not second.facts

    def said(report):
        return ([(s.iri, s.verdict.as_dict(), {t: c.__dict__ for t, c in s.cuts.items()}) for s in report.substances],
                [(p.substances, p.atc_codes, p.verdict.as_dict(), p.cut.__dict__, p.products) for p in report.profiles],
                report.summary)
    assert said(second) == said(fresh)
