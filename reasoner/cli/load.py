"""``medsupply load``: load the default dataset, or RDF files into a named graph of their own."""

from __future__ import annotations

import argparse
from pathlib import Path

from reasoner.cli import print_json, progress_printer, settings_from
from reasoner.dataset import load_default_dataset, open_store
from reasoner.namespaces import graph_iri
from reasoner.store import rdf_format


def register(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser("load", help="load the default dataset, or RDF files into the store")
    parser.add_argument("files", nargs="*", type=Path, help="RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML)")
    parser.add_argument("--graph", help="named graph for the files (default: one graph per file, named after it)")
    parser.add_argument("--default", action="store_true", help="reload the committed default dataset")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    say = progress_printer()
    store = open_store(settings, progress=say)
    if args.default or not args.files:
        print_json(load_default_dataset(store, settings, say))
        return 0
    counts = {}
    for path in args.files:
        graph = graph_iri(args.graph or f"user/{path.stem}")
        counts[graph] = store.load(path, rdf_format(path), graph=graph, where=str(path))
        say(f"loaded {counts[graph]} quads from {path} into {graph}")
    store.flush()
    print_json(counts)
    return 0
