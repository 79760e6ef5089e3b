"""``medsupply load``: load your own files (CSV, XLSX, RDF) as validated, traceable loads, list,
inspect, replace and delete them; or reload the committed default dataset with ``--default``.

Each file becomes its own named graph ``msg:load/<id>`` (the id comes from the file's SHA-256, so
loading the same file twice changes nothing). Every file is validated before anything is
written; one refused file refuses the whole command and every problem is listed on stderr.
Output on stdout is JSON; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reasoner.cli import EXIT_ERROR, EXIT_OK, print_json, progress_printer, settings_from
from reasoner.dataset import load_default_dataset, open_store
from reasoner.errors import MedsupplyError
from reasoner.ingest import loads
from reasoner.ingest.progress import ProgressBar


def register(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser(
        "load", help="load your own CSV/XLSX/RDF files as validated loads, or manage loads",
        description="Load files into their own named graphs after validating them; list, show, replace or "
                    "delete loads; or reload the default dataset.")
    parser.add_argument("files", nargs="*", type=Path,
                        help="files: CSV or XLSX (templates in data/templates), or RDF (Turtle, N-Triples, "
                             "N-Quads, TriG, JSON-LD, RDF/XML)")
    parser.add_argument("--mapping", help="mapping for tables (data/mappings/<name>.yaml); default: chosen by headers")
    parser.add_argument("--format", help="file format when the extension does not say (e.g. ttl, csv, text/turtle)")
    parser.add_argument("--replace", metavar="ID", help="the one FILE replaces load ID (new graph, then the old one goes)")
    parser.add_argument("--list", action="store_true", help="list the loads in the store")
    parser.add_argument("--show", metavar="ID", help="describe one load and what its graph holds")
    parser.add_argument("--delete", metavar="ID", help="delete a load and its graph")
    parser.add_argument("--as", dest="agent", help="who is loading (default: the login name)")
    parser.add_argument("--transaction-limit", type=int, default=loads.TRANSACTION_LIMIT,
                        help="loads of more triples are bulk-written with a commit marker (default %(default)s)")
    parser.add_argument("--default", action="store_true", help="reload the committed default dataset")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    say = progress_printer(not args.quiet)
    store = open_store(settings, progress=say)
    if args.default:
        print_json(load_default_dataset(store, settings, say))
        return EXIT_OK
    if args.list:
        print_json(loads.list_loads(store, settings))
        return EXIT_OK
    if args.show:
        print_json(loads.describe_load(store, args.show))
        return EXIT_OK
    if args.delete:
        print_json({"deleted": loads.delete_load(store, args.delete)})
        return EXIT_OK
    if not args.files:
        print_json(load_default_dataset(store, settings, say))
        return EXIT_OK
    bar = ProgressBar() if not args.quiet else None
    requests = [loads.LoadRequest(path=p, format=args.format, mapping=args.mapping) for p in args.files]
    try:
        results = loads.load_files(store, settings, requests, agent=args.agent, replace=args.replace,
                                   transaction_limit=args.transaction_limit, say=say, progress=bar)
    except MedsupplyError as exc:
        if bar:
            bar.finish()
        _print_refusal(exc)
        return EXIT_ERROR
    finally:
        if bar:
            bar.finish()
    for result in results:
        state = "unchanged (already loaded)" if result.get("unchanged") else "loaded"
        say(f"{result.get('file')}: {state} as load {result.get('id')}: {result.get('rows', 0):,} rows, "
            f"{result.get('triples', 0):,} triples in {result.get('graph')}")
        for warning in result.get("warnings", [])[:20]:
            say(f"  warning: {warning.get('file')}, row {warning.get('row', '-')}, column {warning.get('column', '-')}: "
                f"{warning.get('value', '')!r}: {warning.get('message')}")
    print_json(results)
    return EXIT_OK


def _print_refusal(exc: MedsupplyError) -> None:
    """Every problem on its own line, as a data steward reads it: file, row, column, value, why."""
    from reasoner.ingest.validation import Problem

    print(f"medsupply: error: {exc}", file=sys.stderr)
    for detail in exc.details:
        try:
            line = str(Problem(**detail))
        except TypeError:
            line = str(detail)
        print(f"  - {line}", file=sys.stderr)
