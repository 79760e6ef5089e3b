"""``medsupply stats``: counts of what the graph holds, the same JSON as ``GET /stats``."""

from __future__ import annotations

import argparse

from reasoner.cli import print_json, progress_printer, settings_from
from reasoner.dataset import open_store
from reasoner.stats import graph_stats


def register(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser("stats", help="counts of products, substances, lists, rules and facts per source")
    parser.add_argument("--json", action="store_true", help="print JSON (the default; kept for scripts)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    store = open_store(settings_from(args), progress=progress_printer())
    print_json(graph_stats(store))
    return 0
