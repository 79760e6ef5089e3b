"""The HERA vulnerability criteria and the supply model, as data.

The criteria (``data/criteria/hera-vulnerability.ttl``) and the supply model
(``data/criteria/supply-model.ttl``) are read with ``queries/dependency/criteria.rq`` and
``supply-model.rq``. When the store already holds them (a deployment that loads ``data/criteria``
into a graph) the store's copy is used; otherwise the files are parsed into a small in-memory
store, so the thresholds never become Python literals and stay dated and cited.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from reasoner.config import load_settings
from reasoner.dependency.facts import run
from reasoner.errors import RuleDataError
from reasoner.namespaces import graph_iri
from reasoner.store import OxigraphStore, parse_rdf, rdf_format

COMPARATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "=": operator.eq,
}
"""How a criterion's ``ms:comparator`` string compares a metric with its threshold."""


@dataclass(frozen=True)
class Citation:
    """A source a criterion rests on."""

    iri: str
    label: str | None
    url: str | None
    citation: str | None
    issued: str | None
    note: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {"iri": self.iri, "label": self.label, "url": self.url, "citation": self.citation,
                "issued": self.issued, "note": self.note}


@dataclass(frozen=True)
class Criterion:
    """One criterion: essentiality (``essential_when`` lists/categories) or dependency (a metric test)."""

    iri: str
    kind: str
    """``essentiality`` or ``dependency``."""
    label: str
    definition: str | None
    measure: str | None
    comparator: str | None
    threshold: float | None
    tiers: frozenset[str]
    essential_when: frozenset[str]
    valid_from: str | None
    valid_until: str | None
    note: str | None
    sources: tuple[Citation, ...]

    def fires(self, value: float) -> bool:
        """True when ``value`` meets the criterion (an undesirable dependency)."""
        assert self.comparator is not None and self.threshold is not None
        return COMPARATORS[self.comparator](value, self.threshold)

    @property
    def rule_text(self) -> str:
        return f"{self.measure} {self.comparator} {_number(self.threshold)}"

    def as_dict(self) -> dict[str, object]:
        return {
            "iri": self.iri, "kind": self.kind, "label": self.label, "definition": self.definition,
            "measure": self.measure, "comparator": self.comparator, "threshold": self.threshold,
            "tiers": sorted(self.tiers), "essential_when": sorted(self.essential_when),
            "valid_from": self.valid_from, "valid_until": self.valid_until, "note": self.note,
            "sources": [s.as_dict() for s in self.sources],
        }


@dataclass(frozen=True)
class SupplyModel:
    """Which tiers exist and in what order, which a product must pass, which countries to chart."""

    tier_order: tuple[str, ...]
    required_tiers: frozenset[str]
    focus_countries: tuple[str, ...]
    """Country IRIs."""


@dataclass(frozen=True)
class CriteriaSet:
    criteria: tuple[Criterion, ...]
    model: SupplyModel
    origin: str
    """Where they were read from: ``store`` or the files' paths."""

    @property
    def essentiality(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.kind == "essentiality")

    @property
    def dependency(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.kind == "dependency")


def _number(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@lru_cache(maxsize=4)
def _criteria_files_store(folder: Path, stamp: tuple[tuple[str, float], ...]) -> OxigraphStore:
    memory = OxigraphStore(None)
    for path in sorted(folder.glob("*.ttl")):
        memory.add_quads(parse_rdf(path, rdf_format(path), graph=graph_iri("criteria"), where=str(path)))
    return memory


def criteria_source(store: OxigraphStore) -> tuple[OxigraphStore, str]:
    """The store holding the criteria: ``store`` itself when it has them, else ``data/criteria``."""
    has = store.query("ASK { ?c a ms:DependencyCriterion }")
    if bool(has):
        return store, "store"
    folder = load_settings().data_dir / "criteria"
    files = sorted(folder.glob("*.ttl"))
    if not files:
        raise RuleDataError(f"no vulnerability criteria: neither the store nor {folder} holds any",
                            where=str(folder))
    stamp = tuple((str(p), p.stat().st_mtime) for p in files)
    return _criteria_files_store(folder, stamp), ", ".join(str(p.relative_to(load_settings().home)) for p in files)


def load_criteria(store: OxigraphStore, on: date) -> CriteriaSet:
    """The criteria valid on ``on`` and the supply model."""
    source, origin = criteria_source(store)
    rows: dict[str, dict[str, object]] = {}
    for row in run(source, "criteria", on):
        iri = row["criterion"].value
        item = rows.setdefault(iri, {
            "kind": "dependency" if row["kind"].value.endswith("DependencyCriterion") else "essentiality",
            "label": row["label"].value, "definition": _v(row["definition"]), "measure": _v(row["measure"]),
            "comparator": _v(row["comparator"]),
            "threshold": float(row["threshold"].value) if row["threshold"] is not None else None,
            "tiers": set(), "essential_when": set(), "valid_from": _v(row["validFrom"]),
            "valid_until": _v(row["validUntil"]), "note": _v(row["note"]), "sources": {},
        })
        if row["tier"] is not None:
            item["tiers"].add(row["tier"].value)  # type: ignore[union-attr]
        if row["essentialWhen"] is not None:
            item["essential_when"].add(row["essentialWhen"].value)  # type: ignore[union-attr]
        if row["source"] is not None:
            item["sources"].setdefault(row["source"].value, Citation(  # type: ignore[union-attr]
                row["source"].value, _v(row["sourceLabel"]), _v(row["sourceUrl"]), _v(row["citation"]),
                _v(row["sourceIssued"]), _v(row["sourceNote"])))
    criteria = []
    for iri, item in sorted(rows.items()):
        if item["kind"] == "dependency" and (item["measure"] is None or item["comparator"] not in COMPARATORS):
            raise RuleDataError(f"criterion {iri} needs ms:measure, ms:comparator (one of {sorted(COMPARATORS)}) "
                                "and ms:threshold", where=origin)
        if not item["sources"]:
            raise RuleDataError(f"criterion {iri} cites no source (dcterms:source)", where=origin)
        criteria.append(Criterion(
            iri=iri, kind=str(item["kind"]), label=str(item["label"]), definition=item["definition"],  # type: ignore[arg-type]
            measure=item["measure"], comparator=item["comparator"], threshold=item["threshold"],  # type: ignore[arg-type]
            tiers=frozenset(item["tiers"]), essential_when=frozenset(item["essential_when"]),  # type: ignore[arg-type]
            valid_from=item["valid_from"], valid_until=item["valid_until"], note=item["note"],  # type: ignore[arg-type]
            sources=tuple(sorted(item["sources"].values(), key=lambda c: c.iri)),  # type: ignore[union-attr]
        ))
    return CriteriaSet(tuple(criteria), _load_model(source), origin)


def _load_model(source: OxigraphStore) -> SupplyModel:
    order: dict[str, int] = {}
    required: set[str] = set()
    focus: set[str] = set()
    for row in run(source, "supply-model"):
        if row["tier"] is not None:
            order[row["tier"].value] = int(row["order"].value)
            if row["required"] is not None and row["required"].value in ("true", "1"):
                required.add(row["tier"].value)
        if row["focusCountry"] is not None:
            focus.add(row["focusCountry"].value)
    return SupplyModel(tuple(sorted(order, key=lambda t: order[t])), frozenset(required), tuple(sorted(focus)))


def _v(term: object) -> str | None:
    return None if term is None else term.value  # type: ignore[attr-defined]
