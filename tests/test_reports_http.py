"""``GET /reports/dependencies`` over the real HTTP server, in every format, and the CLI with progress."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

URL = "/reports/dependencies?scope=union-list&date=2026-11-23"


@pytest.mark.parametrize(("fmt", "media", "disposition"), [
    ("json", "application/ld+json", "inline"),
    ("csv", "text/csv", "attachment"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "attachment"),
    ("html", "text/html", "inline"),
])
def test_report_endpoint_serves_each_format_with_its_media_type_and_file_name(live_server: str, fmt: str, media: str,
                                                                             disposition: str) -> None:
    response = httpx.get(f"{live_server}{URL}&format={fmt}", timeout=180)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    assert response.headers["content-disposition"] == (
        f'{disposition}; filename="medsupply-dependencies-union-list-2026-11-23.{"jsonld" if fmt == "json" else fmt}"')
    if fmt == "xlsx":
        assert "single points of failure" in load_workbook(io.BytesIO(response.content), read_only=True).sheetnames


def test_union_list_report_over_http_has_verdicts_and_a_receipt(live_server: str) -> None:
    document = httpx.get(f"{live_server}{URL}&format=json", timeout=180).json()
    assert document["summary"]["substances"] >= 250
    assert document["summary"]["substance_verdicts"].get("vulnerable", 0) > 0
    receipt = document["receipt"]
    assert receipt["dataset_version"] and receipt["date"] == "2026-11-23"
    assert any(s["synthetic"] for s in receipt["sources"])
    amox = next(s for s in document["substance_reports"] if s["@id"].endswith("/substance/amoxicillin"))
    api = next(t for t in amox["tier_metrics"] if t["tier"].endswith("ApiTier"))
    assert api["n_suppliers"] == 19 and api["top_country"] == "CN"


def test_report_endpoint_refuses_unknown_scope_format_and_date(live_server: str) -> None:
    for query in ("scope=planet", "format=pdf", "date=23-11-2026"):
        response = httpx.get(f"{live_server}/reports/dependencies?{query}", timeout=60)
        assert response.status_code == 422, query
        assert response.headers["content-type"].startswith("application/problem+json")


def test_cli_writes_the_report_and_shows_progress_on_stderr(prepared_store_dir: Path, tmp_path: Path) -> None:
    import shutil

    store = shutil.copytree(prepared_store_dir, tmp_path / "store")
    output = tmp_path / "report.csv"
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "--store", str(store), "report", "dependencies", "--scope", "union-list",
         "--date", "2026-11-23", "--format", "csv", "--output", str(output)],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "judging substances" in done.stderr and "wrote" in done.stderr
    assert output.read_text().startswith("scope,report_date,dataset_version,substance")
    scenario = subprocess.run(
        [sys.executable, "-m", "api.cli", "--store", str(store), "scenario", "--country", "IN", "--weeks", "8",
         "--surge", "1.5", "--date", "2026-11-23", "--limit", "2", "--quiet"], capture_output=True, text=True, timeout=300)
    assert scenario.returncode == 0, scenario.stderr
    document = json.loads(scenario.stdout)
    assert document["scenario"]["countries"] == ["IN"]
    assert len(document["products"]) == 2 and document["listed"]["of"] > 2
