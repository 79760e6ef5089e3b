"""Ingest benchmark: synthetic product CSVs of 100k and 1M rows loaded and validated end to end.

Each size runs in a fresh subprocess (so peak RSS is that run's) against an on-disk store holding
the ontology and the reference graphs the shapes join with (countries, ATC). Reported: wall time
of prepare (read, map, validate, stage) and commit, peak RSS, triples. Optionally the same CSV is
mapped by morph-kgc (RML, ``bench/morph/products.rml.ttl``) for comparison, with the Python of a
separate venv that has morph-kgc installed (it pins an older pyoxigraph).

    python -m bench.bench_ingest --rows 100000 1000000 [--morph-python /tmp/morph-venv/bin/python]
    python -m bench.bench_ingest --generate 200MB --out big.csv   # the 200 MB file case

Results go to bench/ingest-results.md (by hand, with machine and date).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FORMS = ["tablet", "capsule", "oral solution", "injection fluid", "cream", "suppository"]
UNITS = ["mg", "g", "µg", "ml", "IE", "%", "mg/ml"]
ATC = ["N02BE01", "J01CA04", "C07AB02", "A10BA02", "N05BA01", "R03AC02", "B01AC06", "C10AA01", "M01AE01",
       "N06AB06", "H03AA01", "A02BC01", "C09AA02", "J01FA10", "N03AX09"]
SUBSTANCES = ["paracetamol", "amoxicillin", "metoprolol", "metformin", "diazepam", "salbutamol",
              "acetylsalicylic-acid", "simvastatin", "ibuprofen", "sertraline", "levothyroxine"]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """A products CSV in the template's columns (Dutch headers, decimal commas, both date styles absent)."""
    rnd = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(["registratienummer", "productnaam", "producttype", "farmaceutische_vorm", "sterkte",
                      "verpakkingsgrootte", "atc", "werkzame_stof", "handelsvergunninghouder", "receptplichtig",
                      "medicinaal_gas", "nl_geregistreerd", "houdbaarheid_maanden"])
        for i in range(rows):
            substance = rnd.choice(SUBSTANCES)
            out.writerow([
                f"RVG {100000 + i}", f"{substance.title()} {rnd.choice([5, 10, 20, 250, 500])} product {i}",
                "geneesmiddel", rnd.choice(FORMS), f"{rnd.choice([5, 10, 20, 250, 500])} {rnd.choice(UNITS)}",
                str(rnd.choice([10, 20, 30, 60, 100])) + ("" if rnd.random() < 0.7 else ",0"), rnd.choice(ATC),
                substance, f"Synthetic Pharma {rnd.randrange(500)} B.V.", rnd.choice(["ja", "nee"]),
                "nee", "ja", str(rnd.choice([12, 24, 36, 60])),
            ])


def generate_bytes(path: Path, size: int) -> int:
    """A products CSV of at least ``size`` bytes; returns its row count."""
    rows = max(1000, size // 150)
    generate(path, rows)
    while path.stat().st_size < size:
        rows = int(rows * size / path.stat().st_size) + 1000
        generate(path, rows)
    return rows


def _reference_store(path: Path) -> None:
    import pyoxigraph as ox

    from reasoner.config import load_settings
    from reasoner.namespaces import graph_iri

    settings = load_settings()
    store = ox.Store(str(path))
    for ttl in sorted(settings.ontology_dir.glob("*.ttl")):
        store.bulk_load(path=str(ttl), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph_iri("ontology")))
    for name in ("countries", "atc"):
        ttl = settings.default_dataset_dir / f"{name}.ttl"
        if ttl.exists():
            store.bulk_load(path=str(ttl), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph_iri(name)))
    store.flush()


def run_one(csv_path: Path, store_path: Path) -> dict[str, object]:
    """Load one file into a reference store; time the two steps. Runs in its own process."""
    from reasoner.config import load_settings
    from reasoner.ingest import loads
    from reasoner.store import OxigraphStore

    _reference_store(store_path)
    settings = load_settings()
    store = OxigraphStore(store_path)
    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    started, cpu_started = time.perf_counter(), cpu()
    prepared = loads.prepare(store, settings, loads.LoadRequest(path=csv_path))
    prepared_at, cpu_prepared = time.perf_counter(), cpu()
    result = loads.commit(store, prepared, agent="bench")
    done, cpu_done = time.perf_counter(), cpu()
    return {"rows": result["rows"], "triples": result["triples"], "bytes": csv_path.stat().st_size,
            "prepare_s": round(prepared_at - started, 1), "commit_s": round(done - prepared_at, 1),
            "total_s": round(done - started, 1), "prepare_cpu_s": round(cpu_prepared - cpu_started, 1),
            "commit_cpu_s": round(cpu_done - cpu_prepared, 1), "load_average": os.getloadavg()[0],
            "warnings": len(result["warnings"]),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}


def run_morph(python: str, csv_path: Path, work: Path) -> dict[str, object]:
    """morph-kgc on the same CSV with the RML mapping in bench/morph, to N-Triples."""
    plain = work / "products.csv"
    if not plain.exists():
        with open(csv_path, encoding="utf-8") as src, open(plain, "w", encoding="utf-8", newline="") as dst:
            reader, writer = csv.reader(src, delimiter=";"), csv.writer(dst)
            for row in reader:
                writer.writerow(row)
    config = work / "morph.ini"
    config.write_text(
        "[CONFIGURATION]\noutput_file=" + str(work / "morph.nt") + "\noutput_format=N-TRIPLES\nlogging_level=WARNING\n"
        "[DataSource]\nmappings=" + str(HERE / "morph" / "products.rml.ttl") + "\nfile_path=" + str(plain) + "\n")
    command = [python, "-c", "import resource,time,sys,runpy;t=time.perf_counter();sys.argv=['morph_kgc',sys.argv[1]];"
               "runpy.run_module('morph_kgc',run_name='__main__');"
               "print(time.perf_counter()-t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss//1024)", str(config)]
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return {"error": out.stderr[-2000:]}
    seconds, rss = out.stdout.strip().splitlines()[-1].split()
    triples = sum(1 for _ in open(work / "morph.nt", "rb"))
    return {"total_s": round(float(seconds), 1), "peak_rss_mb": int(rss), "triples": triples,
            "note": "mapping only: no validation, no row locations, no store write"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--morph-python", help="python of a venv with morph-kgc, for the comparison")
    parser.add_argument("--generate", help="only write a CSV of this size (e.g. 200MB) to --out")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--one", nargs=2, type=Path, help=argparse.SUPPRESS)  # CSV, store: the child process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(*args.one)))
        return
    if args.generate:
        size = int(args.generate.upper().removesuffix("MB")) << 20
        rows = generate_bytes(args.out, size)
        print(json.dumps({"file": str(args.out), "rows": rows, "bytes": args.out.stat().st_size}))
        return
    print(json.dumps({"machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cores",
                      "python": platform.python_version(), "date": time.strftime("%Y-%m-%d")}))
    for rows in args.rows:
        with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
            work = Path(tmp)
            csv_path = work / f"products-{rows}.csv"
            generate(csv_path, rows)
            child = subprocess.run([sys.executable, "-m", "bench.bench_ingest", "--one", str(csv_path),
                                    str(work / "store")], capture_output=True, text=True, check=False)
            if child.returncode != 0:
                print(json.dumps({"rows": rows, "error": child.stderr[-3000:]}))
                continue
            result = json.loads(child.stdout.strip().splitlines()[-1])
            print(json.dumps({"medsupply": result}), flush=True)
            if args.morph_python:
                print(json.dumps({"morph-kgc": {"rows": rows, **run_morph(args.morph_python, csv_path, work)}}),
                      flush=True)


if __name__ == "__main__":
    main()
