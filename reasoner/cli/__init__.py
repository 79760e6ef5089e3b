"""The ``medsupply`` command line. Each sub-command is a module in this package with a
``register(subcommands)`` function; the HTTP ``serve`` command is added by :mod:`api.cli`.

Exit codes: 0 success (or compliant), 1 non-compliant, 2 error, 3 incomplete.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from reasoner.config import Settings, load_settings
from reasoner.errors import MedsupplyError

EXIT_OK = 0
EXIT_NON_COMPLIANT = 1
EXIT_ERROR = 2
EXIT_INCOMPLETE = 3

Registrar = Callable[[argparse._SubParsersAction], None]


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with ``--store`` from the command line winning."""
    store = getattr(args, "store", None)
    return load_settings(store_path=Path(store) if store else None)


def progress_printer(enabled: bool = True) -> Callable[[str], None]:
    """A progress callback that writes to standard error, so standard output stays parseable."""

    def say(message: str) -> None:
        if enabled:
            print(f"medsupply: {message}", file=sys.stderr, flush=True)

    return say


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def build_parser(extra: Sequence[Registrar] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="medsupply",
        description="Knowledge graph and rules engine for medicine supply security (NL/EU).",
    )
    parser.add_argument("--store", help="store folder (default: $MEDSUPPLY_STORE or ./.medsupply-store)")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subcommands)
    for registrar in extra:
        registrar(subcommands)
    for command in subcommands.choices.values():
        # accepted after the command too (`medsupply serve --store DIR`); SUPPRESS keeps the global value
        command.add_argument("--store", default=argparse.SUPPRESS, help="store folder (overrides the global --store)")
    return parser


def run(argv: Sequence[str] | None = None, extra: Sequence[Registrar] = ()) -> int:
    parser = build_parser(extra)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except MedsupplyError as exc:
        print(f"medsupply: error: {exc}", file=sys.stderr)
        for detail in exc.details[:50]:
            print(f"  - {_describe(detail)}", file=sys.stderr)
        if len(exc.details) > 50:
            print(f"  … and {len(exc.details) - 50} more", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("medsupply: interrupted", file=sys.stderr)
        return EXIT_ERROR


def _describe(detail: Any) -> str:
    """One problem as a line a data steward can read: where first, then what."""
    if not isinstance(detail, dict):
        return str(detail)
    where = detail.get("where") or ", ".join(
        f"{k} {detail[k]}" for k in ("file", "row", "column", "field") if detail.get(k) not in (None, "")
    )
    message = detail.get("message") or detail.get("why") or detail.get("detail") or ""
    rest = {k: v for k, v in detail.items() if k not in {"where", "file", "row", "column", "field", "message", "why", "detail"}}
    text = f"{where}: {message}" if where else str(message)
    return f"{text} ({', '.join(f'{k}={v}' for k, v in rest.items())})" if rest else text


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point without the HTTP service (library users); the installed command is api.cli."""
    return run(argv)
