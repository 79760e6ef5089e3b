"""``python -m data.build``: rebuild ``data/default/`` from the raw sources.

Options: ``--raw DIR`` (default ``$MEDSUPPLY_RAW_DATA`` or ``../shared/data/raw``) and
``--out DIR`` (default ``data/default``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from data.build.context import PROJECT, raw_data_dir
from data.build.pipeline import build_dataset
from reasoner.errors import MedsupplyError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.build", description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=None, help="raw-data folder (holds SOURCES.md)")
    parser.add_argument("--out", type=Path, default=PROJECT / "data" / "default", help="output folder")
    parser.add_argument("--attribution", type=Path, default=PROJECT / "data" / "ATTRIBUTION.md",
                        help="where to write the human-readable attribution (default data/ATTRIBUTION.md)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    try:
        report = build_dataset(args.raw or raw_data_dir(), args.out, args.attribution)
    except MedsupplyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not args.quiet:
        for line in report:
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
