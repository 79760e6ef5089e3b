"""``medsupply validate``: check every product in the store as of a date.

Writes a summary JSON to standard output and, with ``--output``, a CSV of product × rule × status.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from reasoner.cli import print_json, progress_printer, settings_from
from reasoner.dataset import open_store


def register(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser("validate", help="check every product in the store as of a date")
    parser.add_argument("--date", required=True, help="check date, YYYY-MM-DD")
    parser.add_argument("--regime", default="in-force", choices=["in-force", "proposed"])
    parser.add_argument("--output", type=Path, help="CSV file for one row per product and rule")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from reasoner.rules.check import check_all

    settings = settings_from(args)
    store = open_store(settings, progress=progress_printer())
    result = check_all(store, args.date, args.regime, settings=settings, progress=progress_printer())
    rows = result.pop("rows")
    if args.output is not None:
        with args.output.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=["product", "registration_number", "obligation", "status", "rule_version"])
            writer.writeheader()
            writer.writerows(rows)
        print(f"medsupply: wrote {len(rows)} rows to {args.output}", file=sys.stderr)
    print_json(result)
    return 0
