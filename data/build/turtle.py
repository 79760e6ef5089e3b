"""A tiny, deterministic Turtle writer: the same triples always give the same bytes.

rdflib's serialiser is correct but its blank-node labels and ordering are not a promise, and it
is slow for the 100k-triple graphs here. Terms are kept as ready-made Turtle strings (built by
the helpers below), triples live in a set, and :meth:`Graph.serialise` sorts subjects,
predicates and objects before writing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from reasoner.namespaces import ID, PREFIXES

XSD = PREFIXES["xsd"]
RDF_TYPE = PREFIXES["rdf"] + "type"
_ID = str(ID)
_DECIMAL = re.compile(r"^[+-]?[0-9]*\.[0-9]+$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def iri(value: str) -> str:
    """An IRI term; ``value`` is absolute."""
    if any(c in value for c in '<>"{}|^`\\ '):
        raise ValueError(f"not a safe IRI: {value!r}")
    return f"<{value}>"


def text(value: str, lang: str | None = None) -> str:
    """A string literal, optionally language-tagged."""
    body = "".join(_ESCAPES.get(c, c) for c in value)
    return f'"{body}"@{lang}' if lang else f'"{body}"'


def typed(value: str, datatype: str) -> str:
    """A literal of an XSD datatype given by local name (``date``, ``decimal``...)."""
    return f"{text(value)}^^<{XSD}{datatype}>"


def boolean(value: bool) -> str:
    return "true" if value else "false"


def integer(value: int) -> str:
    return str(int(value))


def decimal(value: Decimal | float | str, places: int | None = None) -> str:
    """An xsd:decimal in Turtle's short form (always with a decimal point)."""
    number = Decimal(str(value))
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    body = format(number, "f")
    if "." not in body:
        body += ".0"
    if not _DECIMAL.match(body):
        raise ValueError(f"not a decimal: {value!r}")
    return body


def day(value: date) -> str:
    """An xsd:date."""
    return typed(value.isoformat(), "date")


class Graph:
    """A set of triples whose terms are Turtle strings; serialises the same way every time."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._triples: set[tuple[str, str, str]] = set()

    def add(self, subject: str, predicate: str, obj: str | None) -> None:
        """Add a triple; a ``None`` object (a missing value) adds nothing."""
        if obj is not None:
            self._triples.add((subject, predicate, obj))

    def add_all(self, subject: str, predicate: str, objects: Iterable[str]) -> None:
        for obj in objects:
            self.add(subject, predicate, obj)

    def __len__(self) -> int:
        return len(self._triples)

    def triples(self) -> set[tuple[str, str, str]]:
        return self._triples

    def objects(self) -> set[str]:
        return {o for _s, _p, o in self._triples}

    def serialise(self, header: str = "") -> bytes:
        """Sorted Turtle: prefixes, then one block per subject (``a`` first)."""
        by_subject: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for s, p, o in self._triples:
            by_subject[s][p].append(o)
        lines = [f"# {line}".rstrip() for line in header.splitlines()]
        lines += [f"@prefix {p}: <{ns}> ." for p, ns in sorted(PREFIXES.items())]
        lines.append(f"@base <{_ID}> .")
        lines.append("")
        for subject in sorted(by_subject):
            predicates = by_subject[subject]
            parts = []
            for predicate in sorted(predicates, key=lambda p: (p != iri(RDF_TYPE), p)):
                objs = " , ".join(_short(o) for o in sorted(predicates[predicate]))
                verb = "a" if predicate == iri(RDF_TYPE) else _short(predicate)
                parts.append(f"{verb} {objs}")
            lines.append(_short(subject) + " " + " ;\n    ".join(parts) + " .")
        return ("\n".join(lines) + "\n").encode("utf-8")

    def serialise_ntriples(self) -> bytes:
        """Sorted N-Triples (for the rare graph too large for a plain Turtle file)."""
        lines = sorted(f"{s} {p} {_ntriples_term(o)} ." for s, p, o in self._triples)
        return ("\n".join(lines) + "\n").encode("utf-8")


def _ntriples_term(term: str) -> str:
    if term.startswith('"') and "^^<" in term:
        return term
    if term in ("true", "false"):
        return f'"{term}"^^<{XSD}boolean>'
    if term.startswith('"') or term.startswith("<"):
        return term
    return f'"{term}"^^<{XSD}{"decimal" if "." in term else "integer"}>'


def _short(term: str) -> str:
    """Write an IRI with a prefix (or relative to the instance base) where that is shorter."""
    if not term.startswith("<"):
        if term.startswith('"') and "^^<" + XSD in term:
            body, _, dt = term.rpartition("^^<")
            return f"{body}^^xsd:{dt[len(XSD):-1]}"
        return term
    value = term[1:-1]
    if value.startswith(_ID):
        return f"<{value[len(_ID):]}>"
    for prefix, ns in PREFIXES.items():
        if value.startswith(ns) and _LOCAL_NAME.match(value[len(ns):]):
            return f"{prefix}:{value[len(ns):]}"
    return term
