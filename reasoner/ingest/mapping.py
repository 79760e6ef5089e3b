"""Runs the declarative mappings in ``data/mappings/*.yaml``: table rows in, RDF nodes out.

Why not RML run by morph-kgc: see ``bench/ingest-results.md``. In short, this mapper keeps the
row and column of every value, so that a rejected load can say "row 12, column atc_code, value
N02BE1"; it streams (memory does not grow with the file); and it applies the documented value
interpretations (decimal commas, day-first dates, ja/nee) before the shapes see the data. The
mapping itself stays declarative: a YAML file per template says which columns exist (English
name, Dutch and other accepted headers), which resources a row describes (an IRI template and
classes), and which column goes to which property with which datatype, IRI template or lookup.
This module is the one generic engine that executes them; it knows no domain term.

Mapping file format (see ``data/mappings/products.yaml``)::

    mapping: products            # name, used by --mapping
    columns: [{name, headers: [...], required: bool, list: bool, example, description}]
    lookups: {name: {value-slug: prefixed IRI}}
    resources:
      - subject: "msid:product/{slug:registration_number}"   # {fn:col} fn = slug|key|upper|value|hash
        classes: [ms:HealthProduct]                           # always asserted
        class_from: {column, lookup, default}                 # one more class from a cell
        properties:
          - {predicate, column, datatype | iri: "msid:atc/{upper}" | lookup: name}

``{hash:a,b}`` hashes the normalised values of several columns (a stable id for records without
one); ``{key:a|b}`` takes the first non-empty of several columns.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Union
from urllib.parse import quote

import yaml

from reasoner.config import Settings
from reasoner.errors import InputError
from reasoner.namespaces import PREFIXES

XSD = PREFIXES["xsd"]
XSD_STRING = XSD + "string"
RDF_TYPE = PREFIXES["rdf"] + "type"

Lit = tuple[str, str]
"""A literal as (lexical form, datatype IRI); a language tag is a datatype starting with ``@``."""
Obj = Union[str, Lit]
"""An RDF object: an IRI (``str``; blank nodes start with ``_:``) or a literal."""


@dataclass
class Node:
    """What one row says about one resource: its types and property values, with their columns."""

    subject: str
    types: frozenset[str]
    values: dict[str, list[Obj]]
    columns: dict[str, str]  # predicate → the column it comes from (for problem locations)
    subject_columns: tuple[str, ...]
    primary: bool


@dataclass(frozen=True)
class Interpretations:
    """The value interpretations of ``data/mappings/_interpretations.yaml``."""

    true_words: frozenset[str]
    false_words: frozenset[str]
    dates: tuple[tuple[re.Pattern[str], str], ...]
    number_drop: tuple[str, ...]
    list_separator: str
    suggestion_cutoff: float

    @classmethod
    def load(cls, path: Path) -> Interpretations:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            true_words=frozenset(str(w).lower() for w in raw["booleans"]["true"]),
            false_words=frozenset(str(w).lower() for w in raw["booleans"]["false"]),
            dates=tuple((re.compile(d["pattern"]), d["order"]) for d in raw["dates"]),
            number_drop=tuple(raw["numbers"]["drop"]),
            list_separator=raw["list_separator"],
            suggestion_cutoff=float(raw["header_suggestion_cutoff"]),
        )

    def normalise(self, text: str, datatype: str) -> str:
        """The lexical form for ``text`` under ``datatype``; unparseable text comes back unchanged
        so that the shapes reject it with its row and column."""
        if datatype == XSD + "decimal":
            return self._decimal(text)
        if datatype == XSD + "integer":
            number = self._decimal(text)
            return number[:-2] if number.endswith(".0") else number
        if datatype == XSD + "date":
            return self._date(text)
        if datatype == XSD + "boolean":
            word = text.strip().lower()
            if word in self.true_words:
                return "true"
            if word in self.false_words:
                return "false"
            return text
        return text

    def _decimal(self, text: str) -> str:
        value = text.strip()
        for drop in self.number_drop:
            value = value.replace(drop, "")
        last_comma, last_dot = value.rfind(","), value.rfind(".")
        if last_comma > last_dot:  # "12,5", "1.234,56": comma is the decimal separator
            value = value.replace(".", "").replace(",", ".")
        elif last_dot > last_comma >= 0:  # "1,234.56": comma groups thousands
            value = value.replace(",", "")
        return _canonical_decimal(value) if _DECIMAL.fullmatch(value) else text

    def _date(self, text: str) -> str:
        value = text.strip()
        for pattern, order in self.dates:
            match = pattern.fullmatch(value)
            if not match:
                continue
            parts = dict(zip(order, (int(g) for g in match.groups())))
            try:
                return dt.date(parts["y"], parts["m"], parts["d"]).isoformat()
            except ValueError:
                return text
        return text


_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def _canonical_decimal(value: str) -> str:
    """``+08,50`` → ``8.5``, ``20.0`` → ``20``: the form the store keeps, so equal amounts compare equal."""
    sign = "-" if value.startswith("-") else ""
    digits = value.lstrip("+-")
    whole, _, fraction = digits.partition(".")
    whole = whole.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    if whole == "0" and not fraction:
        sign = ""
    return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"
_PLACEHOLDER = re.compile(r"\{(?:(\w+):)?([^}]+)\}")


def header_key(text: str) -> str:
    """Headers compare without case, accents, surrounding space and ``-``/``_``/space differences."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[\s\-_.]+", "_", plain.strip().lower()).strip("_")


@lru_cache(maxsize=65536)
def slug(text: str) -> str:
    """Lower-case ``[a-z0-9-]`` slug: ``RVG 12345`` → ``rvg-12345``, ``EU/1/99/112/002`` → ``eu-1-99-112-002``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


@lru_cache(maxsize=65536)
def key_slug(text: str) -> str:
    """A substance key: components of a combination (``a|b``) slugged and joined with ``--``."""
    return "--".join(s for s in (slug(part) for part in text.split("|")) if s)


def _upper(text: str) -> str:
    return quote(text.strip().upper(), safe="")


def _value(text: str) -> str:
    return quote(text.strip(), safe="")


TRANSFORMS: dict[str, Callable[[str], str]] = {"slug": slug, "key": key_slug, "upper": _upper, "value": _value}


def expand(curie: str) -> str:
    """``ms:StockPosition`` → its full IRI, using the project prefixes."""
    prefix, _, local = curie.partition(":")
    if prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return curie


@dataclass(frozen=True)
class Column:
    name: str
    headers: frozenset[str]  # header keys accepted for this column (its name included)
    required: bool
    is_list: bool
    example: str
    description: dict[str, str]
    dutch: str


@dataclass(frozen=True)
class PropertyMap:
    predicate: str
    column: str
    datatype: str | None = None
    iri: tuple[str, str, str] | None = None  # (before, transform, after)
    lookup: str | None = None


@dataclass(frozen=True)
class ResourceMap:
    subject: str  # template with {fn:cols}
    classes: tuple[str, ...]
    class_from: dict[str, str] | None
    properties: tuple[PropertyMap, ...]

    def subject_columns(self) -> tuple[str, ...]:
        cols: list[str] = []
        for _fn, spec in _PLACEHOLDER.findall(self.subject):
            cols += re.split(r"[,|]", spec)
        return tuple(cols)


@dataclass
class Mapping:
    """One compiled mapping file."""

    name: str
    title: dict[str, str]
    description: str
    columns: tuple[Column, ...]
    lookups: dict[str, dict[str, str]]
    resources: tuple[ResourceMap, ...]
    path: Path
    sha256: str
    interpretations: Interpretations

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def column_for(self, header: str) -> Column | None:
        key = header_key(header)
        for column in self.columns:
            if key in column.headers:
                return column
        return None

    def match_score(self, headers: list[str]) -> tuple[int, int]:
        """(required columns found, known headers) — how well a table's headers fit this mapping."""
        found = {c.name for h in headers if (c := self.column_for(h))}
        return sum(c.name in found for c in self.required), len(found)

    def near_misses(self, headers: list[str]) -> int:
        """Unknown headers that look like a misspelling of one of this mapping's headers."""
        known = sorted({h for c in self.columns for h in c.headers})
        cutoff = self.interpretations.suggestion_cutoff
        return sum(1 for h in headers if h.strip() and self.column_for(h) is None
                   and difflib.get_close_matches(header_key(h), known, n=1, cutoff=cutoff))

    def bind(self, headers: list[str], where: str) -> BoundMapping:
        """Match a table's headers to columns; every unknown or missing column is one problem."""
        from reasoner.ingest.validation import Problem

        problems: list[Problem] = []
        index: dict[str, int] = {}
        known = sorted({h for c in self.columns for h in c.headers})
        for position, header in enumerate(headers):
            if not header.strip():
                continue
            column = self.column_for(header)
            if column is None:
                close = difflib.get_close_matches(header_key(header), known, n=1,
                                                  cutoff=self.interpretations.suggestion_cutoff)
                hint = f"; did you mean '{close[0]}'?" if close else f"; known columns: {', '.join(c.name for c in self.columns)}"
                problems.append(Problem(f"unknown column for the {self.name} template{hint}", file=where, row=1,
                                        column=header, value=header))
            elif column.name in index:
                problems.append(Problem(f"column {column.name} appears twice", file=where, row=1, column=header,
                                        value=header))
            else:
                index[column.name] = position
        for column in self.required:
            if column.name not in index:
                close = difflib.get_close_matches(column.name, [header_key(h) for h in headers if h.strip()], n=1,
                                                  cutoff=self.interpretations.suggestion_cutoff)
                hint = f" (is '{close[0]}' meant to be it?)" if close else ""
                problems.append(Problem(
                    f"required column {column.name} (Dutch: {column.dutch}) is missing{hint}", file=where, row=1,
                    column=column.name))
        if problems:
            from reasoner.ingest.validation import rejected

            raise rejected(problems, f"the columns of {where} do not fit the {self.name} template")
        return BoundMapping(self, index, where)

    def describe(self) -> dict[str, Any]:
        return {"mapping": self.name, "title": self.title, "file": self.path.name, "sha256": self.sha256,
                "columns": [c.name for c in self.columns], "required": [c.name for c in self.required]}


class BoundMapping:
    """A mapping bound to one table's column positions: turns rows into :class:`Node` objects."""

    def __init__(self, mapping: Mapping, index: dict[str, int], where: str) -> None:
        self.mapping = mapping
        self.where = where
        self._index = index
        self._interpret = mapping.interpretations
        self._list_columns = {c.name for c in mapping.columns if c.is_list}
        self._datatype_of = {p.column: p.datatype for r in mapping.resources for p in r.properties if p.datatype}
        self._lookups = {name: {slug(k): expand(v) for k, v in table.items()} for name, table in mapping.lookups.items()}
        self._columns = [{p.predicate: p.column for p in r.properties} for r in mapping.resources]
        self._subject_columns = [r.subject_columns() for r in mapping.resources]
        self._types = [frozenset(expand(c) for c in r.classes) for r in mapping.resources]
        self._plans = [(r, [(p, index[p.column], p.column in self._list_columns) for p in r.properties
                            if p.column in index]) for r in mapping.resources]

    def cell(self, cells: list[str], column: str) -> str:
        position = self._index.get(column)
        if position is None or position >= len(cells):
            return ""
        return cells[position].strip()

    def map_row(self, cells: list[str]) -> list[Node]:
        """The nodes one row describes; a resource whose subject columns are empty is left out."""
        nodes: list[Node] = []
        width = len(cells)
        separator = self._interpret.list_separator
        for number, (resource, props) in enumerate(self._plans):
            subject = self._subject(resource.subject, cells)
            if subject is None:
                if number == 0:
                    nodes.append(Node("", frozenset(), {}, self._columns[0], self._subject_columns[0], True))
                continue
            types = self._types[number]
            if resource.class_from:
                picked = self._lookup(resource.class_from["lookup"], self.cell(cells, resource.class_from["column"]))
                default = resource.class_from.get("default")
                extra = picked or (expand(default) if default else None)
                if extra:
                    types = types | {extra}
            values: dict[str, list[Obj]] = {}
            for prop, position, is_list in props:
                if position >= width:
                    continue
                text = cells[position].strip()
                if not text:
                    continue
                if is_list:
                    found = [o for raw in text.split(separator) if (part := raw.strip())
                             and (o := self._object(prop, part)) is not None]
                    if found:
                        values[prop.predicate] = found
                else:
                    obj = self._object(prop, text)
                    if obj is not None:
                        values[prop.predicate] = [obj]
            nodes.append(Node(subject, types, values, self._columns[number], self._subject_columns[number],
                              number == 0))
        return nodes

    def _object(self, prop: PropertyMap, text: str) -> Obj | None:
        if prop.iri is not None:
            before, transform, after = prop.iri
            value = TRANSFORMS[transform](text)
            return before + value + after if value else None
        if prop.lookup is not None:
            found = self._lookup(prop.lookup, text)
            return found if found else (text, XSD_STRING)  # kept as text: the shapes reject it (sh:in)
        datatype = prop.datatype or XSD_STRING
        return (self._interpret.normalise(text, datatype), datatype)

    def _lookup(self, name: str, text: str) -> str | None:
        return self._lookups[name].get(slug(text)) if text else None

    def _subject(self, template: str, cells: list[str]) -> str | None:
        missing = False

        def fill(match: re.Match[str]) -> str:
            nonlocal missing
            fn, spec = match.group(1) or "value", match.group(2)
            if fn == "hash":
                parts = [self._normalised(cells, c) for c in spec.split(",")]
                if not any(parts):
                    missing = True
                return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]
            text = next((t for c in spec.split("|") if (t := self.cell(cells, c))), "")
            value = TRANSFORMS[fn](text) if text else ""
            if not value:
                missing = True
            return value

        subject = _PLACEHOLDER.sub(fill, template)
        return None if missing else expand(subject)

    def _normalised(self, cells: list[str], column: str) -> str:
        text = self.cell(cells, column)
        datatype = self._datatype_of.get(column)
        return self._interpret.normalise(text, datatype) if datatype and text else text


def _compile_iri(template: str) -> tuple[str, str, str]:
    match = _PLACEHOLDER.search(template)
    if not match or match.group(1):
        raise InputError(f"IRI template {template!r} needs exactly one placeholder like {{slug}}")
    transform = match.group(2)
    if transform not in TRANSFORMS:
        raise InputError(f"IRI template {template!r}: unknown transform {transform!r}; use {sorted(TRANSFORMS)}")
    return expand(template[: match.start()]), transform, template[match.end():]


def _compile(path: Path, interpretations: Interpretations) -> Mapping:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    columns = []
    for spec in raw["columns"]:
        headers = frozenset(header_key(h) for h in [spec["name"], *spec.get("headers", [])])
        dutch = (spec.get("headers") or [spec["name"]])[0]
        columns.append(Column(spec["name"], headers, bool(spec.get("required")), bool(spec.get("list")),
                              str(spec.get("example", "")), dict(spec.get("description", {})), dutch))
    names = {c.name for c in columns}
    resources = []
    for spec in raw["resources"]:
        props = []
        for p in spec.get("properties", []):
            if p["column"] not in names:
                raise InputError(f"{path.name}: property {p['predicate']} uses unknown column {p['column']}")
            props.append(PropertyMap(
                predicate=expand(p["predicate"]), column=p["column"],
                datatype=expand(p["datatype"]) if p.get("datatype") else None,
                iri=_compile_iri(p["iri"]) if p.get("iri") else None, lookup=p.get("lookup"),
            ))
        resources.append(ResourceMap(spec["subject"], tuple(spec.get("classes", [])), spec.get("class_from"),
                                     tuple(props)))
    title = raw.get("title", {})
    return Mapping(
        name=raw["mapping"], title=title if isinstance(title, dict) else {"en": str(title)},
        description=" ".join(str(raw.get("description", "")).split()), columns=tuple(columns),
        lookups=raw.get("lookups", {}), resources=tuple(resources), path=path,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(), interpretations=interpretations,
    )


def mappings_dir(settings: Settings) -> Path:
    return settings.data_dir / "mappings"


def load_mappings(settings: Settings) -> dict[str, Mapping]:
    """Every mapping in ``data/mappings`` by name (files starting with ``_`` are shared settings)."""
    return _load_mappings(mappings_dir(settings))


@lru_cache(maxsize=4)
def _load_mappings(folder: Path) -> dict[str, Mapping]:
    interpretations = Interpretations.load(folder / "_interpretations.yaml")
    found = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        mapping = _compile(path, interpretations)
        found[mapping.name] = mapping
    return found


@dataclass
class Choice:
    mapping: Mapping
    reason: str
    extra: dict[str, Any] = field(default_factory=dict)


def choose_mapping(headers: list[str], mappings: dict[str, Mapping], requested: str | None,
                   sheet: str | None, where: str) -> Choice:
    """The mapping for a table: the one asked for, the one its sheet is named after, or the one
    whose required columns all appear and that knows most of its headers."""
    if requested:
        if requested not in mappings:
            raise InputError(f"unknown mapping {requested!r}; use one of {', '.join(sorted(mappings))}",
                             where="--mapping")
        return Choice(mappings[requested], "asked for")
    if sheet:
        for mapping in mappings.values():
            names = {slug(mapping.name), *(slug(t) for t in mapping.title.values())}
            if slug(sheet) in names:
                return Choice(mapping, f"sheet named {sheet}")
    def score(mapping: Mapping) -> tuple[int, bool, int, int]:
        required_found, known = mapping.match_score(headers)
        return known, required_found == len(mapping.required), required_found, mapping.near_misses(headers)

    ranked = sorted(mappings.values(), key=lambda m: (score(m), m.name), reverse=True)
    best = ranked[0]
    if score(best)[0] == 0:
        raise InputError(
            f"the headers of {where} match no template ({', '.join(sorted(mappings))}); use the column "
            "names from data/templates/ or say which mapping to use", where=where)
    tied = [m.name for m in ranked if score(m) == score(best)]
    if len(tied) > 1:
        raise InputError(f"the headers of {where} fit several templates ({', '.join(sorted(tied))}); say which "
                         "mapping to use", where=where)
    if score(best)[1]:
        return Choice(best, "matched by headers")
    return Choice(best, "closest by headers")  # bind() then lists what is missing
