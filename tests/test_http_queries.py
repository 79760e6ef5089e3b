"""Named policy queries over HTTP and on the command line."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from tests.test_named_queries import POLICY


def test_get_queries_lists_the_twelve_with_english_and_dutch_titles_and_parameters(live_server: str) -> None:
    listed = {q["name"]: q for q in httpx.get(f"{live_server}/queries", timeout=30).json()["queries"]}
    assert set(POLICY) <= set(listed)
    exposed = listed["products-exposed-to-country"]
    assert exposed["title"]["en"] and exposed["title"]["nl"] and exposed["description"]["nl"]
    assert exposed["parameters"] == [{"name": "country", "type": "string", "default": "CN",
                                      "description": "ISO 3166-1 alpha-2 code of the country (e.g. CN, IN, US)"}]
    assert exposed["href"] == "/queries/products-exposed-to-country"


@pytest.mark.parametrize("fmt, parse", [
    ("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML),
    ("csv", ox.QueryResultsFormat.CSV), ("tsv", ox.QueryResultsFormat.TSV),
])
def test_a_named_query_runs_in_every_result_format(live_server: str, fmt: str, parse: ox.QueryResultsFormat) -> None:
    response = httpx.get(f"{live_server}/queries/products-exposed-to-country",
                         params={"country": "IN", "format": fmt}, timeout=60)
    assert response.status_code == 200
    if fmt == "csv":  # lossy by design: read it as a spreadsheet would
        substances = [row["substance"] for row in csv.DictReader(io.StringIO(response.text))]
    else:
        substances = [s["substance"].value for s in ox.parse_query_results(response.content, format=parse)]
    assert any(s.endswith("/substance/amoxicillin") for s in substances)


def test_named_query_result_format_follows_the_accept_header(live_server: str) -> None:
    response = httpx.get(f"{live_server}/queries/ulcm-and-nl-red", headers={"Accept": "text/csv"}, timeout=60)
    assert response.headers["content-type"].startswith("text/csv")
    assert len(list(csv.DictReader(io.StringIO(response.text)))) == 89


def test_named_query_default_parameter_is_used_and_echoed(live_server: str) -> None:
    rows = httpx.get(f"{live_server}/queries/products-exposed-to-country", timeout=60).json()["results"]["bindings"]
    assert rows and {r["country"]["value"] for r in rows} == {"CN"}


def test_malformed_date_parameter_is_a_422_naming_it(live_server: str) -> None:
    response = httpx.get(f"{live_server}/queries/mah-stock-below-requirement", params={"date": "31-01-2026"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["where"] == "date" and "YYYY-MM-DD" in problem["detail"]


def test_unknown_parameter_is_a_422_listing_the_known_ones(live_server: str) -> None:
    response = httpx.get(f"{live_server}/queries/mah-stock-below-requirement", params={"day": "2026-01-01"})
    assert response.status_code == 422
    assert response.json()["where"] == "day" and "date" in response.json()["detail"]


def test_unknown_query_is_a_404(live_server: str) -> None:
    response = httpx.get(f"{live_server}/queries/no-such-query")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def _cli(store_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MEDSUPPLY_STORE=str(store_dir))
    return subprocess.run([sys.executable, "-m", "api.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def test_cli_lists_and_runs_a_named_query_with_a_parameter(prepared_store_dir: Path, tmp_path: Path) -> None:
    import shutil

    store_dir = shutil.copytree(prepared_store_dir, tmp_path / "store")
    listed = json.loads(_cli(store_dir, "query", "--list", "--lang", "nl").stdout)
    assert {q["name"] for q in listed} >= set(POLICY)
    run = _cli(store_dir, "query", "products-exposed-to-country", "--param", "country=IN", "--format", "csv")
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert any(r["substance"].endswith("/substance/amoxicillin") for r in rows)
    bad = _cli(store_dir, "query", "mah-stock-below-requirement", "--param", "date=tomorrow")
    assert bad.returncode == 2 and "date" in bad.stderr
