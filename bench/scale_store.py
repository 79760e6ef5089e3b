"""Scale stores for the benchmarks: the default dataset plus N synthetic products, built once.

The default dataset goes in the way the service loads it (``open_store``: every graph, OWL 2 RL
inferences, derived links); the synthetic products (``reasoner.synthetic.write_graph``, graph
``msg:synthetic-scale``) are written as N-Quads and bulk-loaded with pyoxigraph's ``bulk_load``
(no transaction: the way to fill a store with millions of quads); then inferences and derived
links are recomputed over the whole store, as a load would. A finished store is marked with a
``.done`` file beside it and reused by later runs with the same size and seed; a store built before
the default dataset, ontology, shapes or derivations changed is brought up to date first (the
default graphs reloaded, inferences and derivations recomputed), as the service would on start.

    python -m bench.scale_store 100000 1000000 --work bench/out/scale
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import pyoxigraph as ox

HOME = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HOME))

from reasoner.config import load_settings
from reasoner.dataset import dataset_version, loaded_version, open_store
from reasoner.derivations import derive
from reasoner.inference import materialise
from reasoner.namespaces import graph_iri
from reasoner.store import OxigraphStore
from reasoner.synthetic import write_graph

DEFAULT_WORK = HOME / "bench" / "out" / "scale"


def _current(path: Path) -> bool:
    """Whether a built store holds the current version of the default dataset (and its derivations)."""
    store = OxigraphStore(path, read_only=True)
    try:
        return loaded_version(store) == dataset_version(load_settings())
    finally:
        del store


def base_store(work: Path) -> Path:
    """A store holding only the default dataset, built once."""
    base = work / "base"
    if (work / "base.done").exists() and _current(base):
        return base
    shutil.rmtree(base, ignore_errors=True)
    store = open_store(load_settings(store_path=base), progress=lambda m: print(f"  {m}", file=sys.stderr))
    store.flush()
    del store
    (work / "base.done").write_text("ok")
    return base


def scale_store(products: int, seed: int = 7, work: Path = DEFAULT_WORK) -> tuple[Path, dict[str, float]]:
    """The path of a store with the default dataset and ``products`` synthetic products, and the
    seconds each build step took (empty when the store was already built)."""
    work.mkdir(parents=True, exist_ok=True)
    target = work / f"store-{products}-{seed}"
    done = work / f"{target.name}.done"
    if done.exists():
        figures = json.loads(done.read_text())
        if not _current(target):
            # the default dataset, the ontology, the shapes or a derivation changed since the build:
            # reload them the way the service does (inferences and derivations over every product)
            started = time.perf_counter()
            open_store(load_settings(store_path=target), progress=lambda m: print(f"  {m}", file=sys.stderr)).flush()
            figures["refresh_s"] = time.perf_counter() - started
            done.write_text(json.dumps(figures))
        return target, figures
    base = base_store(work)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(base, target)
    figures: dict[str, float] = {}
    started = time.perf_counter()
    data = work / f"synthetic-{products}-{seed}.nq"
    figures["quads"] = write_graph(data, products, seed, graph=graph_iri("synthetic-scale"))
    figures["generate_s"] = time.perf_counter() - started
    started = time.perf_counter()
    raw = ox.Store(str(target))
    raw.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    raw.flush()
    del raw
    data.unlink()
    figures["bulk_load_s"] = time.perf_counter() - started
    store = OxigraphStore(target)
    started = time.perf_counter()
    figures["inferred"] = materialise(store)
    figures["inference_s"] = time.perf_counter() - started
    started = time.perf_counter()
    figures["derived"] = derive(store)
    figures["derive_s"] = time.perf_counter() - started
    store.flush()
    del store
    done.write_text(json.dumps(figures))
    return target, figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    args = parser.parse_args()
    for n in args.sizes:
        path, figures = scale_store(n, args.seed, args.work)
        print(json.dumps({"products": n, "store": str(path), **figures}), flush=True)


if __name__ == "__main__":
    main()
