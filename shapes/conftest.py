"""Pytest collector for the worked examples beside each instrument (``*.examples.yaml``).

Each case becomes a test named ``<rule>::<case>`` (e.g. ``nl-safety-stock-mah::exempts-medicinal-gas``).
Cases run through the real library function on an in-memory store holding the shapes graph only,
so a case that leaves out the critical category or Union-list membership gets "unknown" from the
graph lookup, never a value from the default dataset.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from reasoner.namespaces import graph_iri
from reasoner.rules.check import check_product
from reasoner.rules.examples import Case, judge, load_cases
from reasoner.store import OxigraphStore, rdf_format

SHAPES_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def _law_store() -> OxigraphStore:
    store = OxigraphStore()
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        store.load(path, rdf_format(path), graph=graph_iri("shapes"), where=str(path))
    return store


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.name.endswith(".examples.yaml"):
        return WorkedExamples.from_parent(parent, path=file_path)
    return None


class WorkedExamples(pytest.File):
    def collect(self) -> Any:
        for case in load_cases(self.path):
            yield WorkedExample.from_parent(self, name=case.test_id, case=case)


class WorkedExample(pytest.Item):
    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        response = check_product(_law_store(), {"product": self.case.product}, self.case.date, self.case.regime)
        problems = judge(self.case, response)
        if problems:
            raise WorkedExampleFailed(problems)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, WorkedExampleFailed):
            return f"{self.case.test_id} ({self.case.date}, {self.case.regime}):\n  " + "\n  ".join(excinfo.value.args[0])
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"worked example {self.case.test_id}"


class WorkedExampleFailed(Exception):
    """A worked example's result differs from what the example expects."""
