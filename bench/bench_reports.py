"""Benchmark: the Union-list dependency report and a one-country disruption scenario at scale.

    .venv/bin/python bench/bench_reports.py --products 100000 [--products 1000000]

For each size, on the store of ``bench/scale_store.py`` (the default dataset plus N synthetic
products, built once and reused), opened read-only, time

- ``build_dependency_report(scope="union-list")`` cold (a new store handle: every supply fact read
  from the store) and warm (after ``preparation.prepare``, what the service does in the background
  at start and after each load — timed as "prepared in": the supply facts, the analysis, the names
  and the stock positions of that date are then kept on this handle, see ``reasoner/revision_cache``);
- rendering it as JSON-LD (the biggest format);
- ``run_scenario(countries=["CN"], weeks=8, surge=1.5)`` (every product judged; stock read for the
  products whose stock would drain), cold and warm, and with surge 1.0 (warm);

warm runs ``--repeat`` times (best and median kept); ``--warm-only`` leaves out the cold runs and the
JSON-LD rendering (each cold run holds its own copy of the supply facts: at 1M, memory). Targets (issue 5): report < 5 s at 1M
products; scenario < 2 s at 100k and < 15 s at 1M. Results go to ``bench/reports-results.md``
(appended) and to standard output as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scale_store import DEFAULT_WORK, scale_store  # noqa: E402
from reasoner.dependency.preparation import prepare  # noqa: E402
from reasoner.dependency.report import build_dependency_report  # noqa: E402
from reasoner.dependency.report_jsonld import render_jsonld  # noqa: E402
from reasoner.dependency.scenario import Disruption, run_scenario  # noqa: E402
from reasoner.store import OxigraphStore  # noqa: E402

ON = date(2026, 11, 23)
RESULTS = Path(__file__).with_name("reports-results.md")


def _timed(fn, repeat: int) -> tuple[float, float, object]:  # type: ignore[no-untyped-def]
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), value


def bench(products: int, stores: Path, repeat: int, seed: int, warm_only: bool = False) -> dict[str, object]:
    path, built = scale_store(products, seed, stores)

    def handle() -> OxigraphStore:  # a new handle has an empty cache: the next read is cold
        return OxigraphStore(path, read_only=True)

    skipped = (None, None, None)
    report_cold, _, _ = skipped if warm_only else _timed(
        lambda: build_dependency_report(handle(), scope="union-list", on=ON, with_product_names=False), 1)
    store = handle()
    prepare_s, _, _ = _timed(lambda: prepare(store, ON), 1)  # what the service does in the background
    report_best, report_median, report = _timed(
        lambda: build_dependency_report(store, scope="union-list", on=ON, with_product_names=False), repeat)
    json_best, _, body = skipped if warm_only else _timed(lambda: render_jsonld(report), 1)  # type: ignore[arg-type]
    names_best, _, _ = _timed(
        lambda: build_dependency_report(store, scope="union-list", on=ON, with_product_names=True), 1)
    disruption = Disruption(countries=("CN",), weeks=8, demand_surge=1.5, start=ON)
    scenario_cold, _, _ = skipped if warm_only else _timed(lambda: run_scenario(handle(), disruption), 1)
    scenario_best, scenario_median, result = _timed(lambda: run_scenario(store, disruption), repeat)
    plain = Disruption(countries=("CN",), weeks=8, demand_surge=1.0, start=ON)
    plain_best, plain_median, _ = _timed(lambda: run_scenario(store, plain), repeat)
    row = {
        "products": products, "store_quads": len(store), "store_build": built,
        "report_products_in_scope": report.product_count, "report_substances": len(report.substances),  # type: ignore[union-attr]
        "report_cold_s": _round(report_cold), "prepare_s": round(prepare_s, 2),
        "report_best_s": round(report_best, 2), "report_median_s": round(report_median, 2),
        "report_with_names_s": round(names_best, 2),
        "jsonld_render_s": _round(json_best), "jsonld_mb": round(len(body) / 1e6, 1) if body else None,  # type: ignore[arg-type]
        "scenario_cold_s": _round(scenario_cold),
        "scenario_surge_1_5_best_s": round(scenario_best, 2), "scenario_surge_1_5_median_s": round(scenario_median, 2),
        "scenario_surge_1_0_best_s": round(plain_best, 2), "scenario_surge_1_0_median_s": round(plain_median, 2),
        "scenario_totals": result.totals,  # type: ignore[union-attr]
    }
    return row


def _round(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 2)


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
    parser.add_argument("--stores", type=Path, default=DEFAULT_WORK, help="where scale stores are built once and reused")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--warm-only", action="store_true",
                        help="skip the cold report, the cold scenario and the JSON-LD rendering (memory at 1M)")
    args = parser.parse_args()
    sizes = args.products or [100_000]
    machine = _machine()
    rows = [bench(n, args.stores, args.repeat, args.seed, args.warm_only) for n in sizes]
    print(json.dumps({"machine": machine, "rows": rows}, indent=2))
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"\n## Run of {stamp}\n", f"Machine: {machine}.\n",
             "| products | store quads | in scope | report cold s | report warm s (best/median) | + names s | "
             "JSON-LD s (MB) | scenario CN ×1.5 cold s | warm s (best/median) | scenario CN ×1.0 warm s (best/median) | "
             "prepared in s |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        r = {k: ("–" if v is None else v) for k, v in r.items()}
        lines.append(
            f"| {r['products']:,} | {r['store_quads']:,} | {r['report_products_in_scope']:,} | {r['report_cold_s']} | "
            f"{r['report_best_s']} / {r['report_median_s']} | {r['report_with_names_s']} | "
            f"{r['jsonld_render_s']} ({r['jsonld_mb']}) | {r['scenario_cold_s']} | {r['scenario_surge_1_5_best_s']} / "
            f"{r['scenario_surge_1_5_median_s']} | {r['scenario_surge_1_0_best_s']} / {r['scenario_surge_1_0_median_s']} | "
            f"{r['prepare_s']} |")
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
