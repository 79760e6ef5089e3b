"""Where the build reads from, and the reference tables every source module shares."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from reasoner.errors import NotFound

if TYPE_CHECKING:
    from data.build.substances import SubstanceIndex

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent


class RawDataMissing(NotFound):
    """The raw-data folder (or a file in it) is not where the build looks."""


def raw_data_dir() -> Path:
    """``$MEDSUPPLY_RAW_DATA`` or ``../shared/data/raw`` next to the project root."""
    value = os.environ.get("MEDSUPPLY_RAW_DATA")
    return Path(value) if value else (PROJECT.parent / "shared" / "data" / "raw").resolve()


def load_yaml(name: str) -> Any:
    """A YAML file of this package (rules, mappings, parameters)."""
    with open(HERE / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def read_csv(path: Path) -> list[dict[str, str]]:
    """CSV rows as dicts; ``#`` lines are comments; a UTF-8 byte-order mark is dropped."""
    content = path.read_text(encoding="utf-8-sig")
    lines = [line for line in content.splitlines(keepends=True) if not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("".join(lines))))


@dataclass
class ProductFacts:
    """What the synthetic generator may derive from: a product's Wgp price and group names."""

    max_price_eur: str | None = None
    groups: list[str] = field(default_factory=list)


@dataclass
class BuildContext:
    """Everything a source module needs: the raw folder and shared reference tables."""

    raw: Path
    sources: dict[str, Any] = field(default_factory=lambda: load_yaml("sources.yaml"))
    mappings: dict[str, Any] = field(default_factory=lambda: load_yaml("mappings.yaml"))
    row_counts: dict[str, int] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    products: dict[str, "ProductFacts"] = field(default_factory=dict)

    def path(self, relative: str) -> Path:
        path = self.raw / relative
        if not path.is_file():
            raise RawDataMissing(
                f"raw source file {path} not found; set MEDSUPPLY_RAW_DATA to the folder holding SOURCES.md"
            )
        return path

    def note(self, graph: str, message: str) -> None:
        """A figure worth reporting (match rates...), printed by the build and kept in the catalog."""
        self.notes.setdefault(graph, []).append(message)

    @cached_property
    def eu_eea(self) -> dict[str, tuple[bool, bool]]:
        rows = read_csv(HERE / "reference" / "eu-eea.csv")
        return {r["iso_alpha2"]: (r["eu_member"] == "true", r["eea_member"] == "true") for r in rows}

    @cached_property
    def country_names(self) -> dict[str, str]:
        return {r["iso_alpha2"]: r["name_en"] for r in read_csv(HERE / "reference" / "countries.csv")}

    @cached_property
    def who_atc(self) -> dict[str, str]:
        """WHO ATC code → English name (first row of a code; later rows only repeat it per DDD route)."""
        names: dict[str, str] = {}
        for row in read_csv(self.path(self.sources["atc"]["files"][0])):
            names.setdefault(row["atc_code"], row["atc_name"])
        return names

    @cached_property
    def substances(self) -> "SubstanceIndex":
        from data.build.substances import SubstanceIndex

        return SubstanceIndex.build(self)
