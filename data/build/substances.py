"""Active substances: the ULCM entries, WHO ATC5 names, and matching published names to them.

Matching follows ``matching.yaml``: staged normalisation (exact → spelling rules → salts dropped),
first stage with exactly one candidate wins, and the stage's name is recorded as
``ms:matchMethod``. Ambiguity is reported, never resolved by guessing.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from data.build import terms as t
from data.build.context import load_yaml
from data.build.turtle import Graph, boolean, text

if TYPE_CHECKING:
    from data.build.context import BuildContext

_ATC5 = re.compile(r"^[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}$")
_GENERIC_WHO_NAMES = re.compile(r"combinations|various|^other |, combinations|preparations")


@dataclass(frozen=True)
class Substance:
    """A substance node: ``key`` is the ULCM norm_key or the WHO ATC5 name (lower case)."""

    key: str
    label: str
    atc_codes: tuple[str, ...]
    combination: bool
    components: tuple[str, ...] = ()

    @property
    def term(self) -> str:
        return t.substance(self.key)


@dataclass(frozen=True)
class Match:
    substance: Substance
    method: str


@dataclass
class SubstanceIndex:
    """Published name → substance, per matching stage."""

    rules: dict
    by_key: dict[str, Substance] = field(default_factory=dict)
    stage_index: list[dict[str, set[str]]] = field(default_factory=list)
    ulcm_keys: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, ctx: "BuildContext") -> "SubstanceIndex":
        index = cls(rules=load_yaml("matching.yaml"))
        rows = list(csv.DictReader(open(ctx.path(ctx.sources["ulcm"]["files"][1]), encoding="utf-8-sig")))
        names: dict[str, set[str]] = {}
        for row in sorted(rows, key=lambda r: r["norm_key"]):
            key = row["norm_key"]
            codes = tuple(sorted(c for c in row["atc_codes"].split("|") if c))
            components = tuple(key.split("|")) if "|" in key else ()
            index.by_key.setdefault(key, Substance(key, key.replace("|", " / "), codes,
                                                   row["is_combination"] == "True", components))
            index.ulcm_keys.add(key)
            names.setdefault(key, set()).update({key.replace("|", " / "), row["ulcm_substance_raw"]})
        by_name: dict[str, set[str]] = {}
        for code, name in ctx.who_atc.items():
            if _ATC5.match(code) and not _GENERIC_WHO_NAMES.search(name.lower()):
                by_name.setdefault(name.lower(), set()).add(code)
        index.stage_index = [dict() for _ in index.rules["stages"]]
        for key, aliases in names.items():
            for alias in aliases:
                index._register(alias, key)
        for name, codes in sorted(by_name.items()):
            if any(index._lookup_stage(i, name) for i in range(len(index.stage_index))):
                continue  # a ULCM substance already answers to this name
            index.by_key.setdefault(name, Substance(name, name, tuple(sorted(codes)), False))
            index._register(name, name)
        return index

    def _normalise(self, name: str, stage: dict) -> str:
        value = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
        value = re.sub(r"\s+", " ", value).strip()
        value = self.rules["synonyms"].get(value, value)
        if stage["strip_salts"]:
            salts = set(self.rules["salt_words"])
            words = [w for w in re.split(r"[\s,()]+", value) if w and w not in salts]
            value = " ".join(words) if words else value
            value = self.rules["synonyms"].get(value, value)
        if stage["spelling"]:
            for pattern, replacement in self.rules["spelling"]:
                value = re.sub(pattern, replacement, value)
        return value

    def _register(self, name: str, key: str) -> None:
        for i, stage in enumerate(self.rules["stages"]):
            self.stage_index[i].setdefault(self._normalise(name, stage), set()).add(key)

    def _lookup_stage(self, i: int, name: str) -> set[str]:
        return self.stage_index[i].get(self._normalise(name, self.rules["stages"][i]), set())

    def match_one(self, name: str) -> Match | None:
        """The single substance ``name`` denotes, or None (unknown or ambiguous)."""
        if not name.strip():
            return None
        for i, stage in enumerate(self.rules["stages"]):
            found = self._lookup_stage(i, name)
            if len(found) == 1:
                return Match(self.by_key[next(iter(found))], stage["name"])
            if len(found) > 1:
                return None
        return None

    def match(self, name: str) -> Match | None:
        """A single substance or a combination of matched components (all must match)."""
        whole = self.match_one(name)
        if whole is not None:
            return whole
        parts = _split_components(name, self.rules["component_separators"])
        if len(parts) < 2:
            return None
        matches = [self.match_one(p) for p in parts]
        if any(m is None for m in matches):
            return None
        return self.combination([m.substance for m in matches if m], "components:" + "+".join(
            sorted({m.method for m in matches if m})))

    def combination(self, components: list["Substance"], method: str) -> Match:
        """The ULCM combination entry with exactly these components, or a new combination node."""
        keys = tuple(sorted({c.key for c in components}))
        key = "|".join(keys)
        for candidate in self.by_key.values():
            if candidate.combination and tuple(sorted(candidate.components)) == keys:
                return Match(candidate, method)
        if key not in self.by_key:
            self.by_key[key] = Substance(key, " / ".join(keys), (), True, keys)
        return Match(self.by_key[key], method)

    def describe(self, graph: Graph, substance: Substance) -> None:
        """Write a substance node (type, label, key, ATC codes, components) into ``graph``."""
        s = substance.term
        graph.add(s, t.A, t.ms("ActiveSubstance"))
        graph.add(s, t.LABEL, text(substance.label, "en"))
        graph.add(s, t.ms("normalisedKey"), text(substance.key))
        graph.add(s, t.ms("isCombination"), boolean(substance.combination))
        graph.add_all(s, t.ms("atcCode"), (t.atc(c) for c in substance.atc_codes))
        for component in substance.components:
            graph.add(s, t.ms("hasComponent"), t.substance(component))
            part = self.by_key.get(component)
            if part is not None and part.key != substance.key:
                self.describe(graph, part)
            else:
                graph.add(t.substance(component), t.A, t.ms("ActiveSubstance"))
                graph.add(t.substance(component), t.LABEL, text(component, "en"))
                graph.add(t.substance(component), t.ms("normalisedKey"), text(component))
                graph.add(t.substance(component), t.ms("isCombination"), boolean(False))


def _split_components(name: str, separators: list[str]) -> list[str]:
    parts = [name]
    for sep in separators:
        parts = [piece for part in parts for piece in part.split(sep)]
    return [p.strip() for p in parts if p.strip()]
