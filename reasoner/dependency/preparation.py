"""The dependency analysis prepared before anyone asks: today's supply facts read in the background.

A report or scenario spends almost all its time reading the supply facts and stock positions from
the store (16 s and 11 s at 100k products, minutes at a million) and building the analysis on
them (metrics, the supply graph's cuts, the verdicts); all of it depends only on the data and the
date, and is kept per store revision and date (:mod:`reasoner.revision_cache`). So the service
prepares it for today in a background thread when it starts and after each load: the first
report or scenario of the day is then served warm (figures in ``bench/reports-results.md``).

While a preparation runs it shares the GIL with the requests being served; set
``MEDSUPPLY_PREPARE_REPORTS=false`` where steady request latency matters more.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

from reasoner.dependency.facts import product_names, supply_facts
from reasoner.dependency.report import build_dependency_report
from reasoner.dependency.scenario_basis import product_stock, scenario_basis

log = logging.getLogger("medsupply.preparation")


def prepare(store: Any, on: date) -> None:
    """Fill the revision cache of ``store`` with everything a report or scenario on ``on`` reads:
    the supply facts, the analysis of every substance and profile (a report over every scope), the
    product names, each product's stock and the basis of every scenario.

    The stock and the names are read in a second thread meanwhile: the store evaluates queries
    without holding the GIL, so the reads share the machine's cores."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="medsupply-preparation-reads") as reads:
        stock_and_names = reads.submit(lambda: (product_stock(store, on), product_names(store)))
        build_dependency_report(store, scope="all", on=on, with_product_names=False)
        scenario_basis(store, on, supply_facts(store, on))
        stock_and_names.result()


@dataclass
class PreparationStatus:
    state: str = "idle"
    """idle (never started), preparing, ready or failed."""
    date: str | None = None
    revision: int | None = None
    seconds: float | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"state": self.state, "date": self.date, "store_revision": self.revision,
                "seconds": self.seconds, "error": self.error}


class Preparation:
    """At most one background preparation at a time; a request made while one runs (the store was
    written meanwhile) is run once the current one ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = False
        self._pending: tuple[Any, date] | None = None
        self.status = PreparationStatus()

    def start(self, store: Any, on: date) -> None:
        with self._lock:
            if self._running:
                self._pending = (store, on)
                return
            self._running = True
        threading.Thread(target=self._run, args=(store, on), name="medsupply-preparation", daemon=True).start()

    def _run(self, store: Any, on: date) -> None:
        while True:
            revision = getattr(store, "revision", None)
            self.status = PreparationStatus("preparing", on.isoformat(), revision)
            started = time.perf_counter()
            try:
                prepare(store, on)
                self.status = PreparationStatus("ready", on.isoformat(), revision, round(time.perf_counter() - started, 1))
                log.info("dependency analysis prepared", extra={"date": on.isoformat(), "seconds": self.status.seconds})
            except Exception as error:  # noqa: BLE001 - a failed preparation only means a cold first report
                self.status = PreparationStatus("failed", on.isoformat(), revision, error=str(error))
                log.warning("dependency analysis not prepared: %s", error)
            with self._lock:
                if self._pending is None:
                    self._running = False
                    return
                (store, on), self._pending = self._pending, None

    def wait(self, timeout_s: float) -> bool:
        """Whether no preparation is running, waiting up to ``timeout_s`` (for tests and tools)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if not self._running:
                    return True
            time.sleep(0.05)
        return False
