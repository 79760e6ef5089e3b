"""``medsupply generate``: write a synthetic graph of N products for scale tests and benchmarks."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from reasoner.cli import print_json, progress_printer
from reasoner.synthetic import OUTPUT_FORMATS, format_for, load_profile, resolve_graph, write_graph

REPORT_EVERY = 100_000


def register(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser(
        "generate", help="write a synthetic supply graph of N products (N-Quads/N-Triples, streamed)",
        description="Write a realistic synthetic graph (30 to 35 triples a product) in the project's "
                    "vocabulary, driven by data/synthetic-profile.yaml. The same seed gives the same output.",
    )
    parser.add_argument("--products", type=int, required=True, help="number of products (1 to millions)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--output", type=Path, help="file to write (gzip when it ends in .gz); default standard output")
    parser.add_argument("--format", choices=OUTPUT_FORMATS,
                        help="nq (N-Quads, default), nt or ttl (N-Triples text, which is also Turtle)")
    parser.add_argument("--graph", help="named graph: a name (msg:<name>) or a full IRI (default synthetic-scale)")
    parser.add_argument("--profile", type=Path, help="profile file (default data/synthetic-profile.yaml)")
    parser.add_argument("--quiet", action="store_true", help="no progress on standard error")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    profile = load_profile(args.profile)
    say = progress_printer(not args.quiet and args.output is not None)
    started = time.monotonic()

    next_report = 0

    def progress(done: int) -> None:
        nonlocal next_report
        if done >= next_report or done == args.products:
            next_report = done + REPORT_EVERY
            say(f"{done:,} of {args.products:,} products ({time.monotonic() - started:.1f} s)")

    if args.output is None:
        try:
            write_graph(sys.stdout, args.products, args.seed, fmt=args.format or "nq",
                        graph=args.graph, profile=profile)
            sys.stdout.flush()
        except BrokenPipeError:  # the reader (head, less) stopped early: not an error
            sys.stderr.close()
        return 0
    fmt = args.format or format_for(args.output)
    lines = write_graph(args.output, args.products, args.seed, fmt=fmt, graph=args.graph, profile=profile,
                        progress=progress)
    print_json({"output": str(args.output), "format": fmt, "graph": resolve_graph(args.graph, profile),
                "products": args.products, "seed": args.seed, "statements": lines,
                "seconds": round(time.monotonic() - started, 2)})
    return 0
