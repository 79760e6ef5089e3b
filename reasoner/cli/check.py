"""``medsupply check``: is one product compliant on a date, and why not (prints the response JSON).

Exit codes: 0 compliant, 1 non-compliant, 3 incomplete, 2 error.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from reasoner.cli import EXIT_INCOMPLETE, EXIT_NON_COMPLIANT, EXIT_OK, print_json, progress_printer, settings_from
from reasoner.dataset import open_store
from reasoner.errors import InputError

EXIT_FOR_VERDICT = {"compliant": EXIT_OK, "non-compliant": EXIT_NON_COMPLIANT, "incomplete": EXIT_INCOMPLETE}


def register(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser("check", help="check one product against every rule as of a date")
    parser.add_argument("product", nargs="?", help="registration number as the graph holds it (\"RVG 12345\") or product IRI")
    parser.add_argument("--product-json", type=Path, help="a request JSON file ({\"product\": {...}}) instead of a product id")
    parser.add_argument("--date", required=True, help="check date, YYYY-MM-DD")
    parser.add_argument("--regime", default="in-force", choices=["in-force", "proposed"], help="in-force (default) or proposed")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from reasoner.rules.check import check_product

    if (args.product is None) == (args.product_json is None):
        raise InputError("give either PRODUCT_ID or --product-json FILE", where="product")
    product: str | dict
    if args.product_json is not None:
        try:
            product = json.loads(args.product_json.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read product JSON: {exc}", where=str(args.product_json)) from None
    else:
        product = args.product
    settings = settings_from(args)
    store = open_store(settings, progress=progress_printer())
    response = check_product(store, product, args.date, args.regime, settings=settings)
    print_json(response)
    return EXIT_FOR_VERDICT[response["verdict"]]
