"""Store benchmark: generate, load and query the synthetic graph at 10k, 100k and 1M products.

Measures, per size:

- generation time and file size (``reasoner.synthetic.write_graph``, N-Quads, uncompressed);
- pyoxigraph ``Store.bulk_load`` into an on-disk store: time, store size on disk, peak memory;
- the transactional path users take (``OxigraphStore.load``: parse all, then one transaction),
  up to 100k products;
- rdflib in-memory ``Dataset.parse``, up to 100k products (at 1M it neither fits the time nor,
  on this machine, comfortably the memory: 35M triples at roughly 1 KiB each);
- SPARQL timings of the queries in ``bench/queries/`` on pyoxigraph (every size) and on rdflib
  (10k only: rdflib evaluates joins in Python).

Every measurement runs in a child process of its own, so that peak memory (``ru_maxrss``) is that
measurement's and a run that takes too long is stopped (``--timeout``). Progress goes to standard
error; results go to ``bench/out/load-results.json`` and, as Markdown tables, to
``bench/out/load-results.md`` (copied into ``bench/RESULTS.md`` by hand).

    python -m bench.bench_load                         # 10k and 100k
    python -m bench.bench_load --sizes 1000000         # 1M (about 15 minutes here)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.machine import machine, peak_rss_mib, tree_size_mib

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
QUERIES = HERE / "queries"
DEFAULT_SIZES = (10_000, 100_000)
SEED = 20261123
REPEATS = 5
REPEATS_UP_TO = 100_000  # above this, the first run only: a 1M-product query takes minutes on 2 busy cores
REPORT_EVERY = 100_000
BYTES_PER_PRODUCT = 15_000  # N-Quads file (~35 quads of ~220 bytes) plus the on-disk store
OXIGRAPH_TRANSACTIONAL_MAX = 100_000
RDFLIB_PARSE_MAX = 100_000
RDFLIB_QUERY_MAX = 10_000
ONE_QUERY_A_PROCESS_FROM = 1_000_000  # from this size each query gets a process and a time limit of its own
QUERY_TIMEOUT_S = 420
ONLY_QUERY: str | None = None  # set in a child that runs one query
RDFLIB_QUERY_LIMIT_S = 180  # per query (first run and one repeat)


def say(message: str) -> None:
    print(f"[bench_load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Measurements (each runs in its own child process)
# --------------------------------------------------------------------------------------------

def _queries() -> list[tuple[str, str, str]]:
    """(name, title, SPARQL with the project prologue) for every benchmark query."""
    from reasoner.namespaces import sparql_prologue
    from reasoner.queries import all_queries

    return [(q.name, q.title, sparql_prologue() + q.sparql) for q in all_queries(QUERIES)]


def _time_query(run: Callable[[], int], repeats: int) -> dict[str, Any]:
    """First run and the median of ``repeats`` further runs, consuming every row."""
    started = time.perf_counter()
    rows = run()
    first = time.perf_counter() - started
    times = [first] if repeats == 0 else []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return {"rows": rows, "first_ms": round(first * 1000, 2), "median_ms": round(statistics.median(times) * 1000, 2),
            "repeats": repeats}


class _OutOfTime(Exception):
    pass


def _within(seconds: int, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run pure-Python ``work`` with an alarm, so that one runaway query does not stop the others."""
    def expire(_signum: int, _frame: Any) -> None:
        raise _OutOfTime()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        return work()
    except _OutOfTime:
        return {"error": f"stopped after {seconds} s"}
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def case_generate(size: int, file: Path, workdir: Path) -> dict[str, Any]:
    from reasoner.synthetic import write_graph

    shown = [0]

    def progress(done: int) -> None:
        if done - shown[0] >= REPORT_EVERY or done == size:
            shown[0] = done
            say(f"  generated {done:,} of {size:,} products")

    started = time.perf_counter()
    lines = write_graph(file, size, SEED, progress=progress)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "quads": lines, "file_mib": tree_size_mib(file),
            "quads_per_s": round(lines / seconds)}


def _timed_load(path: Path, open_store: Callable[[Path], Any], load: Callable[[Any], Any],
                *, keep: bool) -> dict[str, Any]:
    """Open an empty store at ``path``, time ``load`` plus the flush, and size the folder.

    Every load path goes through here so that the engines are measured the same way.
    """
    shutil.rmtree(path, ignore_errors=True)
    store = open_store(path)
    started = time.perf_counter()
    load(store)
    store.flush()
    seconds = time.perf_counter() - started
    quads = len(store)
    del store
    result = {"seconds": round(seconds, 2), "quads": quads, "store_mib": tree_size_mib(path),
              "quads_per_s": round(quads / seconds)}
    if not keep:
        shutil.rmtree(path, ignore_errors=True)
    return result


def case_oxigraph_bulk(size: int, file: Path, workdir: Path) -> dict[str, Any]:
    """pyoxigraph's ``Store.bulk_load`` (no transaction); the store is kept for the query case."""
    import pyoxigraph as ox

    return _timed_load(workdir / "oxigraph-bulk", lambda p: ox.Store(str(p)),
                       lambda store: store.bulk_load(path=str(file), format=ox.RdfFormat.N_QUADS), keep=True)


def case_oxigraph_transactional(size: int, file: Path, workdir: Path) -> dict[str, Any]:
    """medsupply's ``OxigraphStore.load``: parse everything, then one transaction."""
    import pyoxigraph as ox

    from reasoner.store import OxigraphStore

    return _timed_load(workdir / "oxigraph-transactional", OxigraphStore,
                       lambda store: store.load(file, ox.RdfFormat.N_QUADS, where=str(file)), keep=False)


def case_oxigraph_native_load(size: int, file: Path, workdir: Path) -> dict[str, Any]:
    """pyoxigraph's own transactional ``Store.load`` (parsing in Rust, no Python quads)."""
    import pyoxigraph as ox

    return _timed_load(workdir / "oxigraph-native-load", lambda p: ox.Store(str(p)),
                       lambda store: store.load(path=str(file), format=ox.RdfFormat.N_QUADS), keep=False)


def case_oxigraph_queries(size: int, file: Path, workdir: Path) -> dict[str, Any]:
    from reasoner.store import OxigraphStore

    store = OxigraphStore(workdir / "oxigraph-bulk", read_only=True)
    results = {}
    for name, title, sparql in _queries():
        if ONLY_QUERY and name != ONLY_QUERY:
            continue
        say(f"  pyoxigraph query {name}")

        def run() -> int:
            return sum(1 for _ in store.query(sparql))

        results[name] = _time_query(run, REPEATS if size <= REPEATS_UP_TO else 0)
    return {"queries": results}


def case_rdflib(size: int, file: Path, workdir: Path) -> dict[str, Any]:
    import rdflib

    dataset = rdflib.Dataset(default_union=True)
    started = time.perf_counter()
    dataset.parse(str(file), format="nquads")
    seconds = time.perf_counter() - started
    quads = len(dataset)  # triples in the union of the graphs (each sits in one graph)
    result: dict[str, Any] = {"seconds": round(seconds, 2), "quads": quads, "quads_per_s": round(quads / seconds)}
    if size <= RDFLIB_QUERY_MAX:
        queries = {}
        for name, title, sparql in _queries():
            say(f"  rdflib query {name}")

            def run() -> int:
                return sum(1 for _ in dataset.query(sparql))

            queries[name] = _within(RDFLIB_QUERY_LIMIT_S, lambda: _time_query(run, 1))
        result["queries"] = queries
    return result


CASES: dict[str, Callable[[int, Path, Path], dict[str, Any]]] = {
    "generate": case_generate,
    "oxigraph-bulk": case_oxigraph_bulk,
    "oxigraph-queries": case_oxigraph_queries,
    "oxigraph-transactional": case_oxigraph_transactional,
    "oxigraph-native-load": case_oxigraph_native_load,
    "rdflib": case_rdflib,
}


def plan(size: int) -> list[str]:
    """Which cases run at ``size`` (rdflib and the transactional path stop at 100k)."""
    cases = ["generate", "oxigraph-bulk", "oxigraph-queries"]
    if size <= OXIGRAPH_TRANSACTIONAL_MAX:
        cases += ["oxigraph-native-load", "oxigraph-transactional"]
    if size <= RDFLIB_PARSE_MAX:
        cases.append("rdflib")
    return cases


def run_child(case: str, size: int, file: Path, workdir: Path, timeout: float) -> dict[str, Any]:
    """Run one case in a fresh interpreter; a case past ``timeout`` seconds is stopped and noted."""
    if case == "oxigraph-queries" and size >= ONE_QUERY_A_PROCESS_FROM:
        queries: dict[str, Any] = {}
        for name, _title, _sparql in _queries():
            say(f"  pyoxigraph query {name} (own process, limit {QUERY_TIMEOUT_S} s)")
            one = _spawn(case, size, file, workdir, min(timeout, QUERY_TIMEOUT_S), ["--query", name])
            queries[name] = one.get("queries", {}).get(name, {"error": one.get("error", "no result")})
        return {"queries": queries}
    return _spawn(case, size, file, workdir, timeout, [])


def _spawn(case: str, size: int, file: Path, workdir: Path, timeout: float, extra: list[str]) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.bench_load", "--child", case, "--size", str(size),
               "--file", str(file), "--workdir", str(workdir), *extra]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, timeout=timeout, cwd=HERE.parent, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:.0f} s (timeout)"}
    if done.returncode != 0:
        return {"error": f"exit code {done.returncode}", "wall_s": round(time.perf_counter() - started, 1)}
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def child(case: str, size: int, file: Path, workdir: Path) -> int:
    load_before = os.getloadavg()[0]
    result = CASES[case](size, file, workdir)
    result["peak_rss_mib"] = peak_rss_mib()
    result["load_avg_1min"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    print(json.dumps(result), flush=True)
    return 0


# --------------------------------------------------------------------------------------------
# Driver and report
# --------------------------------------------------------------------------------------------

def measure(sizes: list[int], out: Path, timeout: float, keep: bool, only: list[str] | None = None) -> dict[str, Any]:
    results_file = out / "load-results.json"
    previous = json.loads(results_file.read_text()) if results_file.is_file() else {}
    report: dict[str, Any] = {"machine": machine(), "seed": SEED, "sizes": dict(previous.get("sizes", {}))}
    for size in sizes:
        workdir = out / f"load-{size}"
        workdir.mkdir(parents=True, exist_ok=True)
        file = workdir / f"synthetic-{size}.nq"
        entry: dict[str, Any] = dict(report["sizes"].get(str(size), {})) if only else {}
        cases = [c for c in plan(size) if not only or c in only]
        if only and "oxigraph-queries" in cases and not (workdir / "oxigraph-bulk").is_dir() \
                and "oxigraph-bulk" not in cases:
            cases.insert(0, "oxigraph-bulk")  # the queries need the store
        if only and not file.is_file() and "generate" not in cases:
            cases.insert(0, "generate")  # the file is needed and was deleted after the last run
        kept = {c: entry[c] for c in cases if only and c not in only and c in entry}
        for case in cases:
            say(f"{size:,} products: {case}")
            if case == "oxigraph-queries" and "error" in entry.get("oxigraph-bulk", {}):
                entry[case] = {"error": "not run: the bulk load did not finish", "queries": {}}
                continue
            entry[case] = run_child(case, size, file, workdir, timeout)
            if case in kept:  # re-run only to rebuild a deleted file or store: keep the earlier figures
                entry[case] = kept[case]
            say(f"{size:,} products: {case} -> {json.dumps({k: v for k, v in entry[case].items() if k != 'queries'})}")
            if case == "generate" and "error" in entry[case]:
                break
        report["sizes"][str(size)] = entry
        results_file.write_text(json.dumps(report, indent=2))
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    (out / "load-results.md").write_text(markdown(report))
    return report


def _cell(entry: dict[str, Any], case: str, key: str, suffix: str = "") -> str:
    value = entry.get(case, {})
    if not value:
        return "not run"
    if "error" in value:
        return value["error"] if key == "seconds" else "–"
    return f"{value[key]:,}{suffix}" if isinstance(value.get(key), (int, float)) else "–"


def markdown(report: dict[str, Any]) -> str:
    """The results as Markdown tables (one per benchmark), for bench/RESULTS.md."""
    sizes = sorted(report["sizes"], key=int)
    lines = ["#### Generation (`medsupply generate`, N-Quads, uncompressed)", "",
             "| products | quads | seconds | quads/s | file MiB | peak RSS MiB |", "|---:|---:|---:|---:|---:|---:|"]
    for size in sizes:
        e = report["sizes"][size]
        lines.append(f"| {int(size):,} | {_cell(e, 'generate', 'quads')} | {_cell(e, 'generate', 'seconds')} | "
                     f"{_cell(e, 'generate', 'quads_per_s')} | {_cell(e, 'generate', 'file_mib')} | "
                     f"{_cell(e, 'generate', 'peak_rss_mib')} |")
    lines += ["", "#### Load", "",
              "| products | engine / path | seconds | quads/s | store on disk MiB | peak RSS MiB |",
              "|---:|---|---:|---:|---:|---:|"]
    labels = {"oxigraph-bulk": "pyoxigraph `Store.bulk_load` (on disk)",
              "oxigraph-native-load": "pyoxigraph `Store.load` (transactional, parsed in Rust)",
              "oxigraph-transactional": "pyoxigraph `OxigraphStore.load` (parse all, one transaction)",
              "rdflib": "rdflib `Dataset.parse` (in memory)"}
    for size in sizes:
        e = report["sizes"][size]
        for case, label in labels.items():
            store = _cell(e, case, "store_mib") if case != "rdflib" else "– (memory only)"
            lines.append(f"| {int(size):,} | {label} | {_cell(e, case, 'seconds')} | {_cell(e, case, 'quads_per_s')} | "
                         f"{store} | {_cell(e, case, 'peak_rss_mib')} |")
    lines += ["", "#### SPARQL (median of repeated runs after a first run; every row consumed)", "",
              "| products | query | rows | pyoxigraph first ms | pyoxigraph median ms | rdflib first ms | rdflib median ms |",
              "|---:|---|---:|---:|---:|---:|---:|"]
    for size in sizes:
        e = report["sizes"][size]
        ox_q = e.get("oxigraph-queries", {}).get("queries", {})
        rd_q = e.get("rdflib", {}).get("queries", {})
        for name, timing in ox_q.items():
            rd = rd_q.get(name)
            if rd is None:
                rd_cells = "not run | not run"
            elif "error" in rd:
                rd_cells = f"{rd['error']} | –"
            else:
                rd_cells = f"{rd['first_ms']:,} | {rd['median_ms']:,}"
            mismatch = " (rdflib rows differ!)" if rd and "rows" in rd and rd["rows"] != timing["rows"] else ""
            lines.append(f"| {int(size):,} | `{name}` | {timing['rows']:,}{mismatch} | {timing['first_ms']:,} | "
                         f"{timing['median_ms']:,} | {rd_cells} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_load", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                        help="comma-separated product counts (default 10000,100000)")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for generated files and results (git-ignored)")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds before one measurement is stopped")
    parser.add_argument("--keep", action="store_true", help="keep generated files and stores")
    parser.add_argument("--cases", help=f"comma-separated cases to (re)run, merged into the last results: "
                                        f"{', '.join(CASES)}")
    parser.add_argument("--markdown", action="store_true", help="only print the tables from the last results")
    parser.add_argument("--child", choices=sorted(CASES), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--query", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        global ONLY_QUERY
        ONLY_QUERY = args.query
        return child(args.child, args.size, args.file, args.workdir)
    if args.markdown:
        print(markdown(json.loads((args.out / "load-results.json").read_text())))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(args.out).free / 2**30
    sizes = [int(s) for s in args.sizes.split(",") if s]
    needed = max(sizes) * BYTES_PER_PRODUCT / 2**30
    if free < needed:
        say(f"only {free:.0f} GiB free in {args.out}; {needed:.0f} GiB needed for {max(sizes):,} products")
        return 2
    say(f"sizes {sizes}, results in {args.out}")
    only = [c for c in args.cases.split(",") if c] if args.cases else None
    report = measure(sizes, args.out, args.timeout, args.keep, only)
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
