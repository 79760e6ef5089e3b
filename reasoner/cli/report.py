"""``medsupply report dependencies``: the HERA dependency report as JSON-LD, CSV, XLSX or HTML.

Progress goes to standard error (a long report says what it is doing and how long it took);
the report goes to ``--output`` or, without it, to standard output.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from reasoner.cli import progress_printer, settings_from
from reasoner.dataset import open_store
from reasoner.dependency.dates import parse_date
from reasoner.dependency.report import SCOPES, build_dependency_report
from reasoner.dependency.report_formats import FORMAT_NAMES, report_format


def register(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser("report", help="reports for HERA submissions (dependency analysis)")
    kinds = parser.add_subparsers(dest="report_kind", metavar="REPORT", required=True)
    dep = kinds.add_parser("dependencies", help="supplier concentration, HERA vulnerability, single points of failure")
    dep.add_argument("--scope", choices=SCOPES, default="union-list", help="which medicines (default union-list)")
    dep.add_argument("--date", help="as-of date YYYY-MM-DD (default today)")
    dep.add_argument("--format", choices=FORMAT_NAMES, default="json", help="output format (default json = JSON-LD)")
    dep.add_argument("--output", "-o", type=Path, help="file to write (default standard output)")
    dep.add_argument("--quiet", "-q", action="store_true", help="no progress on standard error")
    dep.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    say = _timed_progress(progress_printer(not args.quiet))
    started = time.perf_counter()
    on = parse_date(args.date, "--date")
    fmt = report_format(args.format)
    store = open_store(settings_from(args), progress=say)
    report = build_dependency_report(store, scope=args.scope, on=on, progress=say)
    say(f"rendering {fmt.name}")
    body = fmt.render(report)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_bytes(body)
        say(f"wrote {args.output} ({len(body):,} bytes) in {time.perf_counter() - started:.1f} s")
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
    return 0


def _timed_progress(say: Callable[[str], None]) -> Callable[[str], None]:
    """Prefix each progress line with the seconds since the command started, so a long run shows its pace."""
    started = time.perf_counter()
    return lambda message: say(f"[{time.perf_counter() - started:6.1f} s] {message}")
