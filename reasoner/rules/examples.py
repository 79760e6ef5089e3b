"""Worked examples (``shapes/<instrument>.examples.yaml``): loading, building the request, judging.

Used by the pytest collector (``shapes/conftest.py``) and by ``medsupply rules-table``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Case:
    rule: str
    name: str
    date: str
    regime: str
    product: dict[str, Any]
    expect: dict[str, Any]
    file: Path

    @property
    def test_id(self) -> str:
        return f"{self.rule}::{self.name}"


def _merge(base: Any, over: Any, replace: set[str], top: bool = True) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            if top and key in replace:
                merged[key] = copy.deepcopy(value)
            else:
                merged[key] = _merge(base.get(key), value, replace, top=False) if key in base else copy.deepcopy(value)
        return merged
    return copy.deepcopy(over)


def load_cases(path: Path) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cases: list[Case] = []
    for rule, spec in (data.get("rules") or {}).items():
        base = spec.get("base") or {}
        for raw in spec.get("cases") or []:
            product = _merge(base, raw.get("product") or {}, set(raw.get("replace") or []))
            for field in raw.get("unset") or []:
                product.pop(field, None)
            when = raw["date"]
            cases.append(Case(rule, raw["name"], when.isoformat() if isinstance(when, date) else str(when),
                              raw.get("regime", "in-force"), product, raw.get("expect") or {}, path))
    return cases


def all_cases(shapes_dir: Path) -> list[Case]:
    return [case for path in sorted(shapes_dir.glob("*.examples.yaml")) for case in load_cases(path)]


def judge(case: Case, response: dict[str, Any]) -> list[str]:
    """What differs between the expected and the actual result of the case's rule (empty = pass)."""
    results = [r for r in response["results"] if r["obligation"] == case.rule]
    if not results:
        return [f"no result for rule {case.rule}"]
    result = results[0]
    problems = []
    for key, expected in case.expect.items():
        if key == "exemption":
            actual = (result.get("exemption") or {}).get("id", "")
            if not actual.endswith("/" + expected):
                problems.append(f"exemption: expected {expected}, got {actual or 'none'}")
            continue
        actual = result.get(key)
        if isinstance(expected, (int, float)) and isinstance(actual, (int, float)) and not isinstance(expected, bool):
            if abs(float(actual) - float(expected)) > 1e-9:
                problems.append(f"{key}: expected {expected!r}, got {actual!r}")
        elif actual != expected:
            problems.append(f"{key}: expected {expected!r}, got {actual!r}")
    if problems:
        problems.append(f"message: {result['message']}")
    return problems
