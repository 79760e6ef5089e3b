"""`medsupply stats --json` and `GET /stats` give the same counts of the same store."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import httpx


def test_cli_stats_with_store_after_the_command_equals_http_stats(
    prepared_store_dir: Path, live_server: str, tmp_path: Path
) -> None:
    store_copy = tmp_path / "store"
    shutil.copytree(prepared_store_dir, store_copy)
    completed = subprocess.run(
        [sys.executable, "-m", "api.cli", "stats", "--json", "--store", str(store_copy)],
        capture_output=True, text=True, timeout=600, check=True,
    )
    from_cli = json.loads(completed.stdout)
    from_http = httpx.get(f"{live_server}/stats", timeout=60).json()
    assert from_cli == from_http
    assert from_cli["ulcm_atc_codes"] == 299
    assert from_cli["nl_critical_atc_codes"] == {"red": 166, "orange": 267, "yellow": 150}
