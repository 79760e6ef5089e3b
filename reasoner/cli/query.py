"""``medsupply query``: run a named policy query (``queries/policy/NAME.rq``) or list them.

The same typed parameters, limits and result formats as ``GET /queries/{name}``; the answer goes
to standard output so it can be piped into a spreadsheet or R.
"""

from __future__ import annotations

import argparse
import sys

from reasoner.cli import print_json, progress_printer, settings_from
from reasoner.dataset import open_store
from reasoner.errors import InputError
from reasoner.queries import NamedQuery, all_queries, bind_parameters, named_query
from reasoner.sparql_guard import SOLUTION_FORMATS, QueryRequest, execute

POLICY_FOLDER = "policy"


def register(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser(
        "query", help="run a named policy query (medsupply query --list shows them)",
        description="Run a named policy query from queries/policy/ and print its results.")
    parser.add_argument("name", nargs="?", help="query name, e.g. products-exposed-to-country")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a query parameter (repeatable), e.g. --param country=IN")
    parser.add_argument("--format", choices=sorted(SOLUTION_FORMATS), default="json",
                        help="result format (default json)")
    parser.add_argument("--list", action="store_true", help="list the named queries and their parameters")
    parser.add_argument("--lang", choices=["en", "nl"], default="en", help="language of --list (default en)")
    parser.set_defaults(func=_run)


def _short(query: NamedQuery) -> str:
    return query.name.removeprefix(f"{POLICY_FOLDER}/")


def _list(args: argparse.Namespace) -> int:
    queries = all_queries(settings_from(args).queries_dir, POLICY_FOLDER)
    suffix = "" if args.lang == "en" else "@nl"
    print_json([
        {
            "name": _short(q),
            "title": q.meta.get(f"title{suffix}") or q.title,
            "description": q.meta.get(f"description{suffix}") or q.meta.get("description"),
            "parameters": [{"name": p.name, "type": p.type, "default": p.default, "description": p.description}
                           for p in q.parameters],
        }
        for q in queries
    ])
    return 0


def _params(pairs: list[str]) -> dict[str, str]:
    given: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InputError(f"--param {pair!r} must be written NAME=VALUE, e.g. --param country=IN", where="--param")
        given[name.strip()] = value
    return given


def _run(args: argparse.Namespace) -> int:
    if args.list:
        return _list(args)
    if not args.name:
        raise InputError("give a query name, or --list to see them", where="NAME")
    settings = settings_from(args)
    query = named_query(settings.queries_dir, f"{POLICY_FOLDER}/{args.name.removeprefix(POLICY_FOLDER + '/')}")
    substitutions = bind_parameters(query, _params(args.param))
    store = open_store(settings, progress=progress_printer())
    outcome = execute(store, QueryRequest(
        sparql=query.sparql, solutions_format=args.format, substitutions=substitutions,
        timeout_s=settings.query_timeout_s, result_limit=settings.query_result_limit))
    sys.stdout.buffer.write(outcome.body)
    if not outcome.body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()
    return 0
