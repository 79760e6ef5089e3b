"""Run every benchmark present: each ``bench/bench_*.py`` module, one after the other.

Each benchmark runs as ``python -m bench.<name>`` in its own process with a time limit, so one
slow or failing benchmark neither hides the others nor runs forever. ``make bench`` calls this.

    python -m bench.run                    # all benchmarks, their default sizes
    python -m bench.run --only bench_load  # one of them
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_TIMEOUT_S = 3600


def benchmarks() -> list[str]:
    """Module names of the benchmarks present, sorted."""
    return sorted(p.stem for p in HERE.glob("bench_*.py"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description="Run medsupply's benchmarks.")
    parser.add_argument("--only", action="append", choices=benchmarks(), help="run only this benchmark (repeatable)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds allowed per benchmark")
    args = parser.parse_args(argv)
    failed: list[str] = []
    for name in args.only or benchmarks():
        print(f"[bench.run] {name}: starting (limit {args.timeout:.0f} s)", file=sys.stderr, flush=True)
        started = time.monotonic()
        try:
            code = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=HERE.parent, timeout=args.timeout,
                                  check=False).returncode
        except subprocess.TimeoutExpired:
            code = -1
            print(f"[bench.run] {name}: stopped after {args.timeout:.0f} s", file=sys.stderr, flush=True)
        elapsed = time.monotonic() - started
        print(f"[bench.run] {name}: exit {code} after {elapsed:.0f} s", file=sys.stderr, flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"[bench.run] failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
