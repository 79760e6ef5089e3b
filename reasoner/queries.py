"""Named SPARQL queries kept as ``.rq`` files under ``queries/``.

A query file opens with a comment header of ``# key: value`` lines (title, description, their
Dutch forms ``title@nl`` and ``description@nl``, and ``param NAME: TYPE = DEFAULT — text``); the
rest is SPARQL. Code refers to queries by their path below ``queries/`` without the suffix,
for example ``system/stats``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from reasoner.errors import InputError, NotFound

_HEADER = re.compile(r"^#\s*([A-Za-z@_-]+(?:\s+[A-Za-z_][A-Za-z0-9_]*)?)\s*:\s*(.*)$")


@dataclass(frozen=True)
class QueryParameter:
    name: str
    type: str
    default: str | None
    description: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    sparql: str
    meta: dict[str, str] = field(default_factory=dict)
    parameters: tuple[QueryParameter, ...] = ()

    @property
    def title(self) -> str:
        return self.meta.get("title", self.name)


def _parse(name: str, text: str) -> NamedQuery:
    meta: dict[str, str] = {}
    params: list[QueryParameter] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        if key.startswith("param "):
            pname = key.split(None, 1)[1]
            ptype, _, rest = value.partition("=")
            default, _, description = rest.partition("—")
            params.append(QueryParameter(pname, ptype.strip(), default.strip() or None, description.strip()))
        else:
            meta[key] = value
    return NamedQuery(name, text, meta, tuple(params))


@lru_cache(maxsize=None)
def _load(directory: Path, name: str) -> NamedQuery:
    path = (directory / f"{name}.rq").resolve()
    if directory.resolve() not in path.parents or not path.is_file():
        raise NotFound(f"no named query {name!r}", where="query name")
    return _parse(name, path.read_text(encoding="utf-8"))


def named_query(directory: Path, name: str) -> NamedQuery:
    """The query ``name`` (e.g. ``"system/stats"``) from the queries folder ``directory``."""
    return _load(directory, name)


def all_queries(directory: Path, folder: str = "") -> list[NamedQuery]:
    """Every named query below ``directory/folder``, sorted by name."""
    base = directory / folder if folder else directory
    return [
        _load(directory, str(p.relative_to(directory).with_suffix("")))
        for p in sorted(base.rglob("*.rq"))
    ]


# --------------------------------------------------------------------------- typed parameters

_XSD = "http://www.w3.org/2001/XMLSchema#"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_BOOLEAN = {"true": "true", "1": "true", "false": "false", "0": "false"}
TODAY = "today"
"""A date parameter's default ``today`` means the day the query runs."""


def _parameter_error(param: QueryParameter, raw: str, expected: str) -> InputError:
    return InputError(f"parameter {param.name!r} must be {expected}, got {raw!r} ({param.description})",
                      where=param.name)


def typed_value(param: QueryParameter, raw: str, *, today: date | None = None) -> ox.NamedNode | ox.Literal:
    """The RDF term for a parameter given as text, checked against its declared type.

    Types: ``string``, ``integer``, ``decimal``, ``boolean``, ``date`` (``YYYY-MM-DD`` or
    ``today``) and ``iri``; the ``xsd:`` spellings are accepted too.
    """
    kind = param.type.removeprefix("xsd:").lower()
    text = raw.strip()
    if kind == "string":
        return ox.Literal(raw)
    if kind == "integer":
        if not _INTEGER.match(text):
            raise _parameter_error(param, raw, "a whole number")
        return ox.Literal(str(int(text)), datatype=ox.NamedNode(_XSD + "integer"))
    if kind == "decimal":
        if not _DECIMAL.match(text):
            raise _parameter_error(param, raw, "a decimal number such as 0.5")
        return ox.Literal(text, datatype=ox.NamedNode(_XSD + "decimal"))
    if kind == "boolean":
        if text.lower() not in _BOOLEAN:
            raise _parameter_error(param, raw, "true or false")
        return ox.Literal(_BOOLEAN[text.lower()], datatype=ox.NamedNode(_XSD + "boolean"))
    if kind == "date":
        if text.lower() == TODAY:
            return ox.Literal((today or date.today()).isoformat(), datatype=ox.NamedNode(_XSD + "date"))
        try:
            if not _DATE.match(text):
                raise ValueError
            value = date.fromisoformat(text)
        except ValueError:
            raise _parameter_error(param, raw, "a date written YYYY-MM-DD (for example 2026-01-31)") from None
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(_XSD + "date"))
    if kind in ("iri", "anyuri"):
        try:
            return ox.NamedNode(text)
        except ValueError:
            raise _parameter_error(param, raw, "an absolute IRI") from None
    raise InputError(f"query parameter {param.name!r} has unknown type {param.type!r}", where=param.name)


def bind_parameters(query: NamedQuery, given: Mapping[str, str], *, today: date | None = None
                    ) -> dict[str, ox.NamedNode | ox.Literal]:
    """SEP-0007 substitutions for ``query`` from text values, defaults filled in.

    Raises :class:`InputError` naming the parameter for an unknown name, a missing value or a
    value of the wrong type. Values are never pasted into the query text.
    """
    declared = {p.name: p for p in query.parameters}
    for name in given:
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise InputError(f"query {query.name!r} has no parameter {name!r}; its parameters: {known}", where=name)
    bound: dict[str, ox.NamedNode | ox.Literal] = {}
    for param in query.parameters:
        raw = given.get(param.name, param.default)
        if raw is None:
            raise InputError(f"parameter {param.name!r} is required ({param.description})", where=param.name)
        bound[param.name] = typed_value(param, raw, today=today)
    return bound
