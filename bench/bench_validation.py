"""Whole-graph validation: our engine vs pySHACL (and pyrudof where it loads the shapes), plus per-product latency.

Until ``medsupply generate`` (reasoner/synthetic.py) lands, products come from the minimal generator
below: N medicinal products with stock positions, prices and Wgp groups, in one in-memory store.
Run: .venv/bin/python bench/bench_validation.py 10000 100000
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import pyoxigraph as ox

HOME = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HOME))

from reasoner.config import load_settings  # noqa: E402
from reasoner.namespaces import ID, MS, graph_iri  # noqa: E402
from reasoner.rules.check import KIND, check_all, check_product, engine_for, evaluate_plan  # noqa: E402
from reasoner.rules.snapshot import all_from_store  # noqa: E402
from reasoner.store import OxigraphStore, rdf_format  # noqa: E402

XSD = "http://www.w3.org/2001/XMLSchema#"


def lit(v, dt):
    return ox.Literal(str(v), datatype=ox.NamedNode(XSD + dt))


def generate(store: OxigraphStore, n: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    g = ox.NamedNode(graph_iri("synthetic"))
    quads = []
    atcs = ["J01CA04", "N02BE01", "N05AN01", "C07AB02", "R03AC02"]
    for code in atcs:
        a = ox.NamedNode(str(ID[f"atc/{code}"]))
        quads.append(ox.Quad(a, ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation"), ox.Literal(code), g))
    for i in range(n):
        p = ox.NamedNode(str(ID[f"product/rvg-{100000 + i}"]))
        add = lambda pr, o: quads.append(ox.Quad(p, ox.NamedNode(str(MS[pr])), o, g))  # noqa: E731
        quads.append(ox.Quad(p, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(str(MS.MedicinalProduct)), g))
        add("registrationNumber", ox.Literal(f"RVG {100000 + i}"))
        add("prescriptionOnly", lit("true" if rnd.random() < 0.8 else "false", "boolean"))
        add("pharmacyPurchasePriceEur", lit(round(rnd.uniform(1, 40), 2), "decimal"))
        add("shelfLifeMonths", lit(rnd.choice([6, 24, 36]), "integer"))
        add("medicinalGas", lit("false", "boolean"))
        add("namedPatientUse", lit("false", "boolean"))
        add("nlRegistered", lit("true", "boolean"))
        add("atcCode", ox.NamedNode(str(ID[f"atc/{rnd.choice(atcs)}"])))
        for role in ("MahRole", "WholesalerRole"):
            sp = ox.NamedNode(str(ID[f"stock/{i}/{role}"]))
            for pr, o in (("stockOf", p), ("holderRole", ox.NamedNode(str(MS[role]))),
                          ("weeksOfDemand", lit(round(rnd.uniform(0, 10), 1), "decimal")),
                          ("positionDate", lit("2026-01-01", "date"))):
                quads.append(ox.Quad(sp, ox.NamedNode(str(MS[pr])), o, g))
    store.add_quads(quads)


def law_store() -> OxigraphStore:
    store = OxigraphStore()
    for path in sorted((HOME / "shapes").glob("*.ttl")):
        store.load(path, rdf_format(path), graph=graph_iri("shapes"), where=str(path))
    return store


def pyshacl_whole_graph(store: OxigraphStore, on: date) -> float:
    """pySHACL over the same snapshots: every applicable requirement targeted at every product snapshot."""
    import pyshacl
    from rdflib import RDF, BNode, Graph, URIRef

    from reasoner.rules.model import SH
    from reasoner.rules.reference import snapshot_graph

    settings = load_settings()
    engine = engine_for(store)
    snaps = list(all_from_store(store, on, settings.queries_dir, KIND))
    data = Graph()
    for snap in snaps:
        for t in snapshot_graph(snap, [snap.focus]):
            data.add(t)
        data.add((URIRef(snap.focus), RDF.type, URIRef(str(MS.ProductSnapshot))))
    shapes = Graph()
    for t in engine.rules.graph:
        shapes.add(t)
    for meta in list(shapes.subjects(SH.targetClass, None)):
        shapes.remove((meta, SH.targetClass, None))
    for item in engine.plan(on, "in-force"):
        if item.version is None:
            continue
        for shape in (item.version.scope, item.version.requirement):
            w = BNode()
            shapes.add((w, RDF.type, SH.NodeShape))
            shapes.add((w, SH.targetClass, URIRef(str(MS.ProductSnapshot))))
            shapes.add((w, SH.node, shape))
    start = time.perf_counter()
    pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=False)
    return time.perf_counter() - start


def main(sizes: list[int]) -> None:
    on = date(2026, 6, 1)
    for n in sizes:
        store = law_store()
        t0 = time.perf_counter()
        generate(store, n)
        gen = time.perf_counter() - t0
        engine_for(store)
        t0 = time.perf_counter()
        summary = check_all(store, on)
        whole = time.perf_counter() - t0
        lat = []
        for i in range(200):
            t0 = time.perf_counter()
            check_product(store, f"RVG {100000 + (i * 7919) % n}", on)
            lat.append((time.perf_counter() - t0) * 1000)
        line = (f"n={n}: generate {gen:.1f}s; engine whole graph {whole:.2f}s ({summary['products']} products); "
                f"check one product median {statistics.median(lat):.2f} ms, p95 {sorted(lat)[int(len(lat) * 0.95)]:.2f} ms")
        if n <= 10000:
            ps = pyshacl_whole_graph(store, on)
            line += f"; pySHACL whole graph {ps:.1f}s (validation only, snapshots prebuilt)"
        print(line, flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10000])
