"""HTTP load test: the real ``medsupply serve`` on a 100k-product store, driven by ``wrk``.

Scenarios: the compliance GET (a random product of the store each request), the compliance POST
(a product JSON), and a named query; each with 1 and with 2 uvicorn workers. Reports requests per
second, p50 and p99 latency, errors (non-2xx and socket errors) and the resident memory of the
whole server process tree (uvicorn, its workers and the query worker processes) sampled every
second, first and last sample, so that growth over the run shows. Loopback only.

    python -m bench.bench_http --products 100000 --duration 30 --connections 8
    python -m bench.bench_http --soak 600          # one long compliance-GET run for memory

``wrk`` comes from Debian (``apt-get install wrk``); the store (the default dataset plus
``reasoner.synthetic`` products) is built once by ``bench/scale_store.py`` and copied for each server.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox

from bench.machine import machine
from bench.scale_store import DEFAULT_WORK, scale_store
from reasoner.namespaces import graph_iri
from reasoner.store import OxigraphStore

HERE = Path(__file__).resolve().parent
POST_BODY = {"product": {"id": "RVG 99999", "kind": "medicine", "prescription_only": True, "atc_code": "J01CA04",
                         "shelf_life_months": 36, "medicinal_gas": False, "named_patient": False}}
NAMED_QUERY = "/queries/ulcm-and-nl-red"


@dataclass
class Run:
    scenario: str
    workers: int
    connections: int
    duration_s: int
    requests: int = 0
    rps: float = 0.0
    p50_ms: float | None = None
    p99_ms: float | None = None
    non_2xx: int = 0
    socket_errors: int = 0
    rss_start_mib: float | None = None
    rss_end_mib: float | None = None
    rss_max_mib: float | None = None
    rss_samples: list[float] = field(default_factory=list)


def registrations(store_dir: Path, limit: int = 5000) -> list[str]:
    store = OxigraphStore(store_dir, read_only=True)
    rows = store.select(
        "SELECT ?g ?r WHERE { GRAPH ?g { ?p ms:registrationNumber ?r } } LIMIT " + str(limit),
        substitutions={"g": ox.NamedNode(graph_iri("synthetic-scale"))})
    return [r["r"].value for r in rows]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _link_or_copy(source: str, target: str) -> None:
    """SST files never change once written: hard-link them; copy the log and manifest files."""
    if source.endswith(".sst"):
        os.link(source, target)
    else:
        shutil.copy2(source, target)


class Server:
    """``medsupply serve`` in its own process group, over a private copy of the store."""

    def __init__(self, store_dir: Path, workers: int, work: Path) -> None:
        self.dir = Path(tempfile.mkdtemp(dir=work, prefix=f"serve-w{workers}-"))
        shutil.copytree(store_dir, self.dir / "store", copy_function=_link_or_copy)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # steady-state latency: no background preparation of the dependency analysis during the runs
        env = dict(os.environ, MEDSUPPLY_STORE=str(self.dir / "store"), MEDSUPPLY_LOG_LEVEL="WARNING",
                   MEDSUPPLY_PREPARE_REPORTS=os.environ.get("MEDSUPPLY_PREPARE_REPORTS", "false"))
        self.log = open(self.dir / "server.log", "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers)], env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited; see {self.dir / 'server.log'}")
            try:
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.5)
        raise RuntimeError("server did not start")

    def rss_mib(self) -> float:
        """Resident memory of the server and every descendant process."""
        total = 0
        pids = [self.process.pid]
        seen: set[int] = set()
        while pids:
            pid = pids.pop()
            if pid in seen:
                continue
            seen.add(pid)
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
                pids += [int(c) for c in children]
            except OSError:
                continue
        return round(total / 1024, 1)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # workers still finishing abandoned checks
        except ProcessLookupError:
            pass
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def lua_script(work: Path, scenario: str, ids: list[str], named_query: str = NAMED_QUERY) -> Path:
    path = work / f"{scenario}.lua"
    if scenario == "compliance-get":
        paths = [f"/products/{quote(r, safe='')}/compliance?date=2026-06-01" for r in ids]
        body = "paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
        body += "request = function()\n  return wrk.format('GET', paths[math.random(#paths)])\nend\n"
    elif scenario == "compliance-post":
        body = ("wrk.method = 'POST'\nwrk.headers['Content-Type'] = 'application/json'\n"
                f"wrk.body = {json.dumps(json.dumps(POST_BODY))}\n"
                "wrk.path = '/compliance?date=2026-06-01'\n")
    elif scenario == "health":
        body = "wrk.path = '/health'\n"
    else:
        body = f"wrk.path = {json.dumps(named_query)}\n"
    path.write_text(body + "done = function(summary, latency, requests)\n"
                    "  io.write(string.format('JSON {\"p50\": %f, \"p99\": %f, \"requests\": %d, \"non2xx\": %d, "
                    "\"errors\": %d}\\n', latency:percentile(50)/1000, latency:percentile(99)/1000, summary.requests, "
                    "summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + "
                    "summary.errors.timeout))\nend\n")
    return path


def run_wrk(server: Server, run: Run, script: Path) -> None:
    samples: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append(server.rss_mib())
            stop.wait(1.0)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = subprocess.run(["wrk", "-t1", f"-c{run.connections}", f"-d{run.duration_s}s", "--timeout", "120s",
                          "-s", str(script), server.base + "/"], capture_output=True, text=True)
    stop.set()
    sampler.join()
    match = re.search(r"JSON (\{.*\})", out.stdout)
    if not match:
        raise RuntimeError(f"wrk failed: {out.stdout}\n{out.stderr}")
    result = json.loads(match.group(1))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out.stdout)
    run.requests = result["requests"]
    run.rps = float(rps.group(1)) if rps else result["requests"] / run.duration_s
    run.p50_ms, run.p99_ms = round(result["p50"], 2), round(result["p99"], 2)
    run.non_2xx, run.socket_errors = result["non2xx"], result["errors"]
    run.rss_samples = samples
    if samples:
        run.rss_start_mib, run.rss_end_mib, run.rss_max_mib = samples[0], samples[-1], max(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--duration", type=int, default=30, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--scenarios", nargs="+", default=["health", "compliance-get", "compliance-post", "named-query"],
                        help="health is the baseline: the HTTP stack with one store lookup")
    parser.add_argument("--named-query", default=NAMED_QUERY, help="path and parameters of the named query run")
    parser.add_argument("--soak", type=int, default=0, help="also a long run of this many seconds (memory)")
    parser.add_argument("--soak-scenario", default="compliance-post")
    parser.add_argument("--stores", type=Path, default=DEFAULT_WORK,
                        help="where scale stores are built once and reused (bench/scale_store.py)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "medsupply-bench-http")
    parser.add_argument("--output", type=Path, default=HERE / "out" / "http-results.json")
    parser.add_argument("--append", action="store_true", help="add the runs to an existing output file")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install wrk", file=sys.stderr)
        return 2
    args.work.mkdir(parents=True, exist_ok=True)
    store_dir, _figures = scale_store(args.products, args.seed, args.stores)
    ids = registrations(store_dir)
    random.Random(args.seed).shuffle(ids)
    runs: list[Run] = []
    # A fresh server for every scenario: requests abandoned by wrk at the end of a run keep a
    # worker busy (a check is not cancelled when its client goes away) and would slow the next.
    for workers in args.workers:
        for scenario in args.scenarios:
            server = Server(store_dir, workers, args.work)
            try:
                script = lua_script(args.work, scenario, ids, args.named_query)
                run_wrk(server, Run(scenario, workers, 1, 3), script)  # warm-up: caches, rule plans
                run = Run(scenario, workers, args.connections, args.duration)
                run_wrk(server, run, script)
                runs.append(run)
                print(json.dumps({k: v for k, v in asdict(run).items() if k != "rss_samples"}), file=sys.stderr)
            finally:
                server.stop()
    if args.soak:
        server = Server(store_dir, args.workers[-1], args.work)
        try:
            run = Run(f"{args.soak_scenario}-soak", args.workers[-1], args.connections, args.soak)
            run_wrk(server, run, lua_script(args.work, args.soak_scenario, ids, args.named_query))
            runs.append(run)
            print(json.dumps({k: v for k, v in asdict(run).items() if k != "rss_samples"}), file=sys.stderr)
        finally:
            server.stop()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(args.output.read_text())["runs"] if args.append and args.output.exists() else []
    args.output.write_text(json.dumps({
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
        "products": args.products, "runs": previous + [asdict(r) for r in runs]}, indent=2))
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
