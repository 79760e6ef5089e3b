"""``medsupply scenario``: what a disruption of countries, suppliers or organisations does to every product."""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from collections.abc import Callable

from reasoner.cli import print_json, progress_printer, settings_from
from reasoner.dataset import open_store
from reasoner.dependency.dates import parse_date
from reasoner.dependency.scenario import Disruption, product_names_for, run_scenario, scenario_as_dict
from reasoner.errors import InputError


def register(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser("scenario", help="disruption scenario: which products are lost or degraded, and when they run short")
    parser.add_argument("--country", action="append", default=[], help="ISO code or IRI of a country that stops supplying (repeatable)")
    parser.add_argument("--supplier", action="append", default=[], help="IRI of a supplier or site that stops (repeatable)")
    parser.add_argument("--organisation", action="append", default=[], help="IRI of an organisation that stops, with its sites (repeatable)")
    parser.add_argument("--weeks", type=float, default=8.0, help="how long the disruption lasts (default 8)")
    parser.add_argument("--surge", type=float, default=1.0, help="demand factor meanwhile (default 1.0)")
    parser.add_argument("--date", help="start date YYYY-MM-DD (default today)")
    parser.add_argument("--format", choices=("json", "csv"), default="json", help="output format (default json)")
    parser.add_argument("--all-products", action="store_true", help="list unaffected products too")
    parser.add_argument("--limit", type=int, help="list at most this many products, the most severe first "
                                                  "(totals always count every product)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress on standard error")
    parser.set_defaults(func=_run)


CSV_COLUMNS = ["product", "name", "registration", "status", "capacity", "stock_cover_weeks", "stock_synthetic",
               "runs_short", "weeks_until_short", "short_on", "chapter", "categories", "why"]


def _run(args: argparse.Namespace) -> int:
    say = _timed_progress(progress_printer(not args.quiet))
    disruption = Disruption(tuple(args.country), tuple(args.supplier), tuple(args.organisation), args.weeks,
                            args.surge, parse_date(args.date, "--date"))
    if not (disruption.countries or disruption.suppliers or disruption.organisations):
        raise InputError("name at least one --country, --supplier or --organisation", where="arguments")
    store = open_store(settings_from(args), progress=say)
    result = run_scenario(store, disruption, progress=say, include_unaffected=args.all_products)
    document = scenario_as_dict(result, product_names_for(store, result), args.limit)
    if args.format == "json":
        print_json(document)
        return 0
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in document["products"]:  # type: ignore[union-attr]
        why = "; ".join(sorted({f"{w['tier_label']}: {w['substance_label'] or ''} {w['because']}".strip()
                                for w in row["why"]}))
        writer.writerow([*("" if row[c] is None else row[c] for c in CSV_COLUMNS[:-2]),
                         " ".join(row["categories"]), why])
    sys.stdout.write(out.getvalue())
    return 0


def _timed_progress(say: Callable[[str], None]) -> Callable[[str], None]:
    """Prefix each progress line with the seconds since the command started, so a long run shows its pace."""
    started = time.perf_counter()
    return lambda message: say(f"[{time.perf_counter() - started:6.1f} s] {message}")
