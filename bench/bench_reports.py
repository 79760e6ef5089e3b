"""Benchmark: the Union-list dependency report and a one-country disruption scenario at scale.

    .venv/bin/python bench/bench_reports.py --products 100000 [--products 1000000] [--base-store DIR]

For each size: copy a store holding the default dataset (with inferences), add the synthetic
graph of ``reasoner.synthetic`` (``iter_quads(products, seed)``) to it, then time

- ``build_dependency_report(scope="union-list")`` (the report model, everything read from the store),
- rendering it as JSON-LD (the biggest format),
- ``run_scenario(countries=["CN"], weeks=8, surge=1.5)`` (every product judged; stock read for the
  products whose stock would drain),

each run ``--repeat`` times (best and median kept). Targets (issue 5): report < 5 s at 1M
products; scenario < 2 s at 100k and < 15 s at 1M. Results go to ``bench/reports-results.md``
(appended) and to standard output as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reasoner.config import load_settings  # noqa: E402
from reasoner.dataset import open_store  # noqa: E402
from reasoner.dependency.report import build_dependency_report  # noqa: E402
from reasoner.dependency.report_jsonld import render_jsonld  # noqa: E402
from reasoner.dependency.scenario import Disruption, run_scenario  # noqa: E402
from reasoner.derivations import derive  # noqa: E402
from reasoner.store import OxigraphStore  # noqa: E402
from reasoner.synthetic import iter_quads  # noqa: E402

ON = date(2026, 11, 23)
RESULTS = Path(__file__).with_name("reports-results.md")


def _timed(fn, repeat: int) -> tuple[float, float, object]:  # type: ignore[no-untyped-def]
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), value


def _base_store(path: Path | None, work: Path) -> Path:
    if path is not None:
        return path
    base = work / "base"
    print("building the default-dataset store once (ontology, data, OWL 2 RL inferences)…", file=sys.stderr)
    store = open_store(load_settings(store_path=base), progress=lambda m: print(f"  {m}", file=sys.stderr))
    store.flush()
    del store
    return base


def bench(products: int, base: Path, work: Path, repeat: int, seed: int) -> dict[str, object]:
    target = work / f"store-{products}"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(base, target)
    store = OxigraphStore(target)
    started = time.perf_counter()
    batch: list = []
    added = 0
    for quad in iter_quads(products, seed):
        batch.append(quad)
        if len(batch) >= 200_000:
            store.raw.extend(batch)
            added += len(batch)
            batch = []
    store.raw.extend(batch)
    added += len(batch)
    derive(store)  # what a load does after writing: the derived links the queries rely on
    store.flush()
    load_s = time.perf_counter() - started
    print(f"{products:,} products: {added:,} synthetic quads loaded in {load_s:.1f} s", file=sys.stderr)

    report_best, report_median, report = _timed(
        lambda: build_dependency_report(store, scope="union-list", on=ON, with_product_names=False), repeat)
    json_best, json_median, body = _timed(lambda: render_jsonld(report), 1)  # type: ignore[arg-type]
    names_best, _, _ = _timed(
        lambda: build_dependency_report(store, scope="union-list", on=ON, with_product_names=True), 1)
    disruption = Disruption(countries=("CN",), weeks=8, demand_surge=1.5, start=ON)
    scenario_best, scenario_median, result = _timed(lambda: run_scenario(store, disruption), repeat)
    plain = Disruption(countries=("CN",), weeks=8, demand_surge=1.0, start=ON)
    plain_best, plain_median, _ = _timed(lambda: run_scenario(store, plain), repeat)
    row = {
        "products": products, "quads_added": added, "store_quads": len(store), "load_s": round(load_s, 1),
        "report_products_in_scope": report.product_count, "report_substances": len(report.substances),  # type: ignore[union-attr]
        "report_best_s": round(report_best, 2), "report_median_s": round(report_median, 2),
        "report_with_names_s": round(names_best, 2),
        "jsonld_render_s": round(json_best, 2), "jsonld_mb": round(len(body) / 1e6, 1),  # type: ignore[arg-type]
        "scenario_surge_1_5_best_s": round(scenario_best, 2), "scenario_surge_1_5_median_s": round(scenario_median, 2),
        "scenario_surge_1_0_best_s": round(plain_best, 2), "scenario_surge_1_0_median_s": round(plain_median, 2),
        "scenario_totals": result.totals,  # type: ignore[union-attr]
    }
    del store
    shutil.rmtree(target, ignore_errors=True)
    return row


def _machine() -> str:
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, load average {load:.1f} at start"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, action="append", help="sizes (default 100000)")
    parser.add_argument("--base-store", type=Path, help="a store already holding the default dataset (copied, not changed)")
    parser.add_argument("--work", type=Path, help="working folder (default a temporary one)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sizes = args.products or [100_000]
    work = args.work or Path(tempfile.mkdtemp(prefix="medsupply-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    machine = _machine()
    base = _base_store(args.base_store, work)
    rows = [bench(n, base, work, args.repeat, args.seed) for n in sizes]
    print(json.dumps({"machine": machine, "rows": rows}, indent=2))
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"\n## Run of {stamp}\n", f"Machine: {machine}.\n",
             "| products | synthetic quads | load s | in scope | report s (best/median) | + names s | JSON-LD s (MB) | "
             "scenario CN ×1.5 s (best/median) | scenario CN ×1.0 s (best/median) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(
            f"| {r['products']:,} | {r['quads_added']:,} | {r['load_s']} | {r['report_products_in_scope']:,} | "
            f"{r['report_best_s']} / {r['report_median_s']} | {r['report_with_names_s']} | "
            f"{r['jsonld_render_s']} ({r['jsonld_mb']}) | {r['scenario_surge_1_5_best_s']} / "
            f"{r['scenario_surge_1_5_median_s']} | {r['scenario_surge_1_0_best_s']} / {r['scenario_surge_1_0_median_s']} |")
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
