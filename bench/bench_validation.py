"""Whole-graph validation side by side: our engine, pySHACL and pyrudof, plus per-product check latency.

For each size N: ``reasoner.synthetic.write_graph`` writes N synthetic products (N-Quads) under
``bench/out/validation-N/`` (git-ignored), pyoxigraph ``bulk_load`` puts them with the ontology and
the shapes into an on-disk store there, then:

- engine: ``check_all`` (every fact family streamed over all products, grouped in Python, compiled
  predicates, memoised per rule) — the time of ``medsupply validate`` without the CSV;
- latency: ``check_product`` for ``--sample`` random products by registration number (p50/p99);
- pySHACL and pyrudof: the same SHACL Core shapes (every scope and requirement of the rules in force
  on the date, wrapped with ``sh:targetClass``) over the same product snapshots (built by our
  engine's fact queries: the two engines get data they can validate; snapshot building is not in
  their time). pySHACL runs in a child process killed after ``--timeout`` seconds.

Apache Jena SHACL does not start on this machine (see /work/shared/BENCH-NOTES.md): not measured.
Run: .venv/bin/python bench/bench_validation.py 10000 100000 [--sample 1000] [--timeout 600] [--keep]
     .venv/bin/python bench/bench_validation.py 1000000 --reuse --skip-whole-graph --skip-references  (latency on a kept store)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import random
import shutil
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph as ox

HOME = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HOME))

from reasoner.config import load_settings  # noqa: E402
from reasoner.derivations import derive  # noqa: E402
from reasoner.namespaces import MS, graph_iri  # noqa: E402
from reasoner.rules.check import KIND, check_all, check_product, engine_for  # noqa: E402
from reasoner.rules.whole_graph import all_from_store  # noqa: E402
from reasoner.store import OxigraphStore  # noqa: E402

ON = date(2026, 11, 23)
OUT = HOME / "bench" / "out"


def build_store(n: int, seed: int) -> tuple[OxigraphStore, dict[str, float]]:
    from reasoner.synthetic import write_graph

    work = OUT / f"validation-{n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    figures: dict[str, float] = {}
    t0 = time.perf_counter()
    data = work / "synthetic.nq"
    write_graph(data, n, seed)
    figures["generate_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    raw = ox.Store(str(work / "store"))
    raw.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    for folder, graph in (("ontology", "ontology"), ("shapes", "shapes")):
        for path in sorted((HOME / folder).glob("*.ttl")):
            raw.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph_iri(graph)))
    raw.flush()
    del raw
    data.unlink()
    figures["load_s"] = time.perf_counter() - t0
    store = OxigraphStore(work / "store")
    t0 = time.perf_counter()
    derive(store)
    store.flush()
    figures["derive_s"] = time.perf_counter() - t0
    return store, figures


def wrapped_shapes(store: OxigraphStore) -> tuple[Any, Any]:
    """The rules graph with every scope and requirement in force on ON targeted at all snapshots."""
    from rdflib import RDF, BNode, Graph, URIRef

    from reasoner.rules.model import SH

    engine = engine_for(store)
    shapes = Graph()
    for triple in engine.rules.graph:
        shapes.add(triple)
    for meta in list(shapes.subjects(SH.targetClass, None)):
        shapes.remove((meta, SH.targetClass, None))
    target = URIRef(str(MS.ProductSnapshot))
    for item in engine.plan(ON, "in-force"):
        if item.version is None:
            continue
        for shape in (item.version.scope, item.version.requirement):
            wrapper = BNode()
            shapes.add((wrapper, RDF.type, SH.NodeShape))
            shapes.add((wrapper, SH.targetClass, target))
            shapes.add((wrapper, SH.node, shape))
    return shapes, target


def snapshot_graph_all(store: OxigraphStore, target: Any) -> Any:
    from rdflib import RDF, Graph, URIRef

    from reasoner.rules.reference import snapshot_graph

    data = Graph()
    for snap in all_from_store(store, ON, load_settings().queries_dir, KIND):
        for triple in snapshot_graph(snap, [snap.focus]):
            data.add(triple)
        data.add((URIRef(snap.focus), RDF.type, target))
    return data


def _pyshacl_child(data_ttl: str, shapes_ttl: str, queue: Any) -> None:
    import pyshacl
    from rdflib import Graph

    data, shapes = Graph().parse(data=data_ttl, format="turtle"), Graph().parse(data=shapes_ttl, format="turtle")
    t0 = time.perf_counter()
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=False)
    queue.put((time.perf_counter() - t0, len(report)))


def pyshacl_run(data_ttl: str, shapes_ttl: str, timeout: float) -> str:
    queue: Any = mp.Queue()
    child = mp.Process(target=_pyshacl_child, args=(data_ttl, shapes_ttl, queue))
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.kill()
        child.join()
        return f"did not finish in {timeout / 60:.0f} min"
    if queue.empty():
        return f"failed (exit {child.exitcode})"
    seconds, _size = queue.get()
    return f"{seconds:.1f} s"


def pyrudof_run(data_ttl: str, shapes_ttl: str) -> str:
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    try:
        rudof.read_data(data_ttl, pyrudof.RDFFormat.Turtle)
        rudof.read_shacl(shapes_ttl, pyrudof.ShaclFormat.Turtle)
        t0 = time.perf_counter()
        rudof.validate_shacl()
        return f"{time.perf_counter() - t0:.1f} s"
    except Exception as exc:  # report what pyrudof cannot run rather than stop the benchmark
        return f"could not run: {type(exc).__name__}: {str(exc)[:200]}"


def latency(store: OxigraphStore, sample: int, seed: int) -> dict[str, float]:
    regs = [row["r"].value for row in store.select(
        "SELECT ?r WHERE { ?p a ms:MedicinalProduct ; ms:registrationNumber ?r }")]
    picks = random.Random(seed).sample(regs, min(sample, len(regs)))
    check_product(store, picks[0], ON)  # warm the compiled plan
    times = []
    for reg in picks:
        t0 = time.perf_counter()
        check_product(store, reg, ON)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"n": len(times), "p50_ms": statistics.median(times), "p99_ms": times[int(len(times) * 0.99) - 1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10000])
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-references", action="store_true", help="engine and latency only")
    parser.add_argument("--keep", action="store_true", help="keep bench/out/validation-N")
    parser.add_argument("--reuse", action="store_true", help="use bench/out/validation-N/store when a run kept it")
    parser.add_argument("--skip-whole-graph", action="store_true", help="one-product latency only (e.g. at 1M)")
    args = parser.parse_args()
    print(json.dumps({"machine": platform.processor() or platform.machine(), "python": platform.python_version(),
                      "pyoxigraph": ox.__version__, "date": ON.isoformat()}), flush=True)
    for n in args.sizes:
        kept = OUT / f"validation-{n}" / "store"
        if args.reuse and (kept / "CURRENT").exists():
            store, figures = OxigraphStore(kept), {"reused_store": 1.0}
        else:
            store, figures = build_store(n, args.seed)
        t0 = time.perf_counter()
        engine_for(store)
        figures["rules_load_s"] = time.perf_counter() - t0
        if not args.skip_whole_graph:
            phases: list[str] = []
            t0 = time.perf_counter()
            summary = check_all(store, ON, progress=phases.append)
            figures["engine_whole_graph_s"] = time.perf_counter() - t0
            figures["engine_phases"] = phases
            figures["products"] = summary["products"]
            figures["verdicts"] = summary["verdicts"]
        print(json.dumps({"n": n, **figures}), flush=True)
        figures["latency"] = latency(store, args.sample, args.seed)
        print(json.dumps({"n": n, "latency": figures["latency"]}), flush=True)
        if not args.skip_references:
            shapes, target = wrapped_shapes(store)
            t0 = time.perf_counter()
            data = snapshot_graph_all(store, target)
            figures["reference_snapshot_build_s"] = time.perf_counter() - t0
            data_ttl, shapes_ttl = data.serialize(format="turtle"), shapes.serialize(format="turtle")
            figures["pyrudof"] = pyrudof_run(data_ttl, shapes_ttl)
            print(json.dumps({"n": n, "pyrudof": figures["pyrudof"]}), flush=True)
            figures["pyshacl"] = pyshacl_run(data_ttl, shapes_ttl, args.timeout)
            print(json.dumps({"n": n, "pyshacl": figures["pyshacl"]}), flush=True)
        del store
        if not (args.keep or args.reuse):
            shutil.rmtree(OUT / f"validation-{n}", ignore_errors=True)


if __name__ == "__main__":
    main()
