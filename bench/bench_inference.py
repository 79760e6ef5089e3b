"""Benchmark OWL 2 RL materialisation options on the medsupply ontology and a synthetic supply chain.

Engines compared (each run in its own process, with a time limit):

- ``native``              reasoner.inference.materialise (rules read from the ontology graph,
                          applied to the triples whose predicates they mention) — the engine in use
- ``reasonable-full``     the previous implementation: every quad → rdflib → reasonable
- ``reasonable-filtered`` reasonable on the ontology plus only the triples whose predicates matter
- ``owlrl-full``          owlrl OWL 2 RL closure over every triple
- ``owlrl-filtered``      owlrl on the ontology plus the triples whose predicates matter
- ``owlready2-hermit``    owlready2 + HermiT with property-value inference (ABox realisation)

The synthetic data (about 4.6 triples a product) uses the property chain: products have an active
substance; each substance has three suppliers (two state ``suppliesSubstance``, one is reached
through ``suppliedBy`` from the substance side), each supplier is located in one of 30 countries.
Each result row gives the seconds taken and how many ``ms:dependsOnCountry`` triples the engine
produced; the right count is the one of ``native``, checked against owlrl in tests/test_inference.py.

Usage:  .venv/bin/python bench/bench_inference.py [--sizes 10000 100000] [--timeout 300]
Writes bench/inference-results.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import pyoxigraph as ox  # noqa: E402

from reasoner.config import load_settings  # noqa: E402
from reasoner.inference import INFERENCES, materialise, read_rules  # noqa: E402
from reasoner.namespaces import ID, MS, graph_iri  # noqa: E402
from reasoner.store import OxigraphStore  # noqa: E402

ENGINES = ["native", "reasonable-full", "reasonable-filtered", "owlrl-full", "owlrl-filtered", "owlready2-hermit"]
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def synthetic_ntriples(products: int, seed: int = 20261123) -> bytes:
    """A deterministic synthetic supply chain with ``products`` products, as N-Triples."""
    rng = random.Random(seed)
    substances, orgs, countries = max(100, products // 10), max(50, products // 20), 30
    t = f"<{RDF_TYPE}>"
    lines: list[str] = []
    for c in range(countries):
        lines.append(f"<{ID}country/C{c:02d}> {t} <{MS.Country}> .")
        lines.append(f'<{ID}country/C{c:02d}> <{MS.isoAlpha2}> "C{c:02d}" .')
    for o in range(orgs):
        lines.append(f"<{ID}org/o{o}> {t} <{MS.APIManufacturer}> .")
        lines.append(f"<{ID}org/o{o}> <{MS.locatedIn}> <{ID}country/C{rng.randrange(countries):02d}> .")
    for s in range(substances):
        lines.append(f"<{ID}substance/s{s}> {t} <{MS.ActiveSubstance}> .")
        lines.append(f'<{ID}substance/s{s}> <{MS.normalisedKey}> "s{s}" .')
        suppliers = rng.sample(range(orgs), 3)
        for o in suppliers[:2]:
            lines.append(f"<{ID}org/o{o}> <{MS.suppliesSubstance}> <{ID}substance/s{s}> .")
        lines.append(f"<{ID}substance/s{s}> <{MS.suppliedBy}> <{ID}org/o{suppliers[2]}> .")
    for p in range(products):
        lines.append(f"<{ID}product/rvg-{p}> {t} <{MS.MedicinalProduct}> .")
        lines.append(f"<{ID}product/rvg-{p}> <{MS.hasActiveSubstance}> <{ID}substance/s{rng.randrange(substances)}> .")
        lines.append(f'<{ID}product/rvg-{p}> <{MS.registrationNumber}> "RVG {p}" .')
        lines.append(f'<{ID}product/rvg-{p}> <{MS.productName}> "Product {p} 500 mg tablet" .')
    return ("\n".join(lines) + "\n").encode()


def build_store(products: int) -> OxigraphStore:
    store = OxigraphStore()
    for path in sorted(load_settings().ontology_dir.glob("*.ttl")):
        store.load(path, ox.RdfFormat.TURTLE, graph=graph_iri("ontology"))
    store.load(synthetic_ntriples(products), ox.RdfFormat.N_TRIPLES, graph=graph_iri("synthetic"))
    return store


def _relevant_quads(store: OxigraphStore) -> list[ox.Quad]:
    """The ontology graph plus the data triples whose predicates the rules mention (and rdf:type)."""
    keep = {p.value for p in read_rules(store).input_predicates()} | {RDF_TYPE}
    ontology = ox.NamedNode(graph_iri("ontology"))
    return [q for q in store.raw if q.graph_name == ontology or q.predicate.value in keep]


def _rdflib_graph(quads: list[ox.Quad]) -> Any:
    import rdflib

    graph = rdflib.Graph()
    body = "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in quads)
    graph.parse(data=body, format="nt")
    return graph


def _count(triples: Any, predicate: str) -> int:
    return sum(1 for _, p, _ in triples if str(p) == predicate)


def run_engine(engine: str, products: int) -> dict[str, Any]:
    """Build the store, then time the engine alone (store building is not counted)."""
    store = build_store(products)
    triples_in = len(store)
    chain = str(MS.dependsOnCountry)
    cpu_started = time.process_time() + _children_cpu()
    started = time.perf_counter()
    detail = ""
    if engine == "native":
        size = materialise(store)
        derived = sum(1 for _ in store.raw.quads_for_pattern(None, ox.NamedNode(chain), None, ox.NamedNode(graph_iri(INFERENCES))))
        detail = f"{size} triples written to graph inferences"
    elif engine.startswith("reasonable"):
        import reasonable

        quads = list(store.raw) if engine == "reasonable-full" else _relevant_quads(store)
        graph = _rdflib_graph(quads)
        converted = time.perf_counter() - started
        reasoner = reasonable.PyReasoner()
        reasoner.from_graph(graph)
        out = reasoner.reason()
        derived = _count(out, chain)
        detail = f"{len(quads)} triples in, {len(out)} out; rdflib conversion {converted:.1f} s"
    elif engine.startswith("owlrl"):
        import owlrl

        quads = list(store.raw) if engine == "owlrl-full" else _relevant_quads(store)
        graph = _rdflib_graph(quads)
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
        derived = _count(graph, chain)
        detail = f"{len(quads)} triples in, {len(graph)} after closure"
    elif engine == "owlready2-hermit":
        import owlready2

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "all.nt"
            with path.open("wb") as out_file:
                for quad in store.raw:
                    out_file.write(f"{quad.subject} {quad.predicate} {quad.object} .\n".encode())
            world = owlready2.World()
            onto = world.get_ontology(path.as_uri()).load(format="ntriples")
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0, ignore_unsupported_datatypes=True)
            derived = int(next(iter(world.sparql(f"SELECT (COUNT(?o) AS ?n) WHERE {{ ?s <{chain}> ?o }}")))[0])
    else:
        raise SystemExit(f"unknown engine {engine}")
    return {"engine": engine, "products": products, "triples_in": triples_in,
            "seconds": round(time.perf_counter() - started, 2),
            "cpu_seconds": round(time.process_time() + _children_cpu() - cpu_started, 2),
            "depends_on_country": derived, "detail": detail}


def _children_cpu() -> float:
    """CPU seconds of finished child processes (HermiT runs in a Java child)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(engine: str, products: int, timeout: float) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", engine, str(products)]
    # A session of its own, so that a timeout also stops the worker's children (HermiT's Java).
    worker = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=HERE.parent, start_new_session=True)
    try:
        stdout, stderr = worker.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.communicate()
        return {"engine": engine, "products": products, "seconds": None, "depends_on_country": None,
                "detail": f"stopped after {timeout:.0f} s"}
    done = subprocess.CompletedProcess(command, worker.returncode, stdout, stderr)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"engine": engine, "products": products, "seconds": None, "depends_on_country": None,
                "detail": f"failed: {last[:160]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_report(rows: list[dict[str, Any]], path: Path, timeout: float) -> None:
    lines = [
        "# Inference benchmark",
        "",
        f"Measured {dt.date.today().isoformat()} by `bench/bench_inference.py` on {platform.machine()}, "
        f"{os.cpu_count()} cores (shared with other jobs), Python {platform.python_version()}; "
        f"time limit {timeout:.0f} s a run. Load average during the run: {_load()}. Wall time "
        "suffers from the sharing; CPU time (all threads, and the Java child for HermiT) is the "
        "fairer comparison. Time is the engine alone (input in an in-memory "
        "OxigraphStore: ontology graph + synthetic graph), including conversion to rdflib where the "
        "engine needs it; for `native` it includes writing graph `inferences`.",
        "",
        "`dependsOnCountry` is how many `ms:dependsOnCountry` triples the engine produced: an engine that "
        "reports 0 does not apply `owl:propertyChainAxiom`.",
        "",
        "| engine | products | triples in | wall s | CPU s | dependsOnCountry | notes |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        seconds = "—" if r["seconds"] is None else f"{r['seconds']:.2f}"
        count = "—" if r["depends_on_country"] is None else str(r["depends_on_country"])
        cpu = "—" if r.get("cpu_seconds") is None else f"{r['cpu_seconds']:.2f}"
        lines.append(f"| {r['engine']} | {r['products']:,} | {r.get('triples_in', '—')} | {seconds} | {cpu} | {count} | {r['detail']} |")
    kept = ""
    if path.exists():  # hand-written findings below the table survive a re-run
        old = path.read_text(encoding="utf-8")
        if "\n## Findings" in old:
            kept = old[old.index("\n## Findings"):]
    path.write_text("\n".join(lines) + "\n" + kept, encoding="utf-8")


def _load() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg()) + " (1/5/15 min)"
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--engines", nargs="+", default=ENGINES, choices=ENGINES)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--out", type=Path, default=HERE / "inference-results.md")
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "PRODUCTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_engine(args.worker[0], int(args.worker[1]))))
        return
    rows: list[dict[str, Any]] = []
    given_up: set[str] = set()
    for size in sorted(args.sizes):
        for engine in args.engines:
            if engine in given_up:
                row = {"engine": engine, "products": size, "seconds": None, "depends_on_country": None,
                       "detail": "not run: did not finish at a smaller size"}
                rows.append(row)
                continue
            row = measure(engine, size, args.timeout)
            if row["seconds"] is None:
                given_up.add(engine)
            print(json.dumps(row), flush=True)
            rows.append(row)
            write_report(rows, args.out, args.timeout)


if __name__ == "__main__":
    main()
