"""SPARQL results read as TSV: how the analyses read millions of rows from the on-disk store.

pyoxigraph writes a query's results as TSV (SPARQL 1.1 Query Results CSV and TSV Formats) in Rust,
without holding the GIL, 1.5–2× faster than it hands out the same solutions term by term through
the Python binding (measured in ``bench/reports-results.md`` and ``bench/validation-results.md``).
This module turns that text back into plain values: an IRI as its text, a literal as its lexical
form, an unbound variable as the empty string.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import pyoxigraph as ox

from reasoner.errors import QueryDataError

_ESCAPE = re.compile(r"\\(.)")
_UNESCAPED = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def unescape(text: str) -> str:
    """The text of a TSV literal's quoted part (``\\t``, ``\\n``, ``\\"``, ``\\\\`` … undone)."""
    if "\\" not in text:
        return text
    if text.count("\\") == text.count("\\t") + text.count("\\n"):  # the common case: tabs and newlines only
        return text.replace("\\t", "\t").replace("\\n", "\n")
    return _ESCAPE.sub(lambda m: _UNESCAPED.get(m.group(1), m.group(0)), text)


def plain(term: str) -> str:
    """One TSV term as plain text: ``<iri>`` → the IRI, ``"lexical"^^<type>`` or ``"text"@lang`` → the
    lexical form, a bare number or boolean as written, a blank node as ``_:id``, unbound → ``""``."""
    if not term:
        return ""
    first = term[0]
    if first == "<":
        return term[1:-1]
    if first == '"':
        return unescape(term[1:term.rfind('"')])
    return term


def query_tsv(store: Any, sparql: str, substitutions: Mapping[str, Any] | None = None) -> bytes:
    """The results of a SELECT as TSV bytes."""
    return store.query(sparql, substitutions=substitutions).serialize(format=ox.QueryResultsFormat.TSV)


def tsv_rows(data: bytes, columns: tuple[str, ...], where: str) -> Iterator[list[str]]:
    """The plain values of ``columns`` (variable names, in this order) on every line of TSV results."""
    lines = data.decode("utf-8").split("\n")
    header = [name.lstrip("?") for name in lines[0].split("\t")] if lines else []
    missing = [c for c in columns if c not in header]
    if missing:
        raise QueryDataError(f"query results lack the column(s) {', '.join(missing)} (it selects {', '.join(header)})",
                            where=where)
    picks = [header.index(c) for c in columns]
    width = len(header)
    for line in lines[1:]:
        if not line:
            continue
        fields = line.split("\t")
        if len(fields) != width:  # no tab may appear in a term: TSV escapes them in literals
            raise QueryDataError(f"malformed TSV result line: {line[:120]!r}", where=where)
        yield [plain(fields[i]) for i in picks]
