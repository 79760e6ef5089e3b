"""Every product's snapshot at once: the whole-graph path of the engine.

The one-product path (:func:`reasoner.rules.snapshot.from_store`) runs each fact family for one
product. Over a million products that would be a million times seven queries, so here each family
runs once over every product (its whole-graph form where it has one), and the fact records worked
out at load are unpacked straight into the snapshots.

Two things make it fast on an on-disk store, both measured in ``bench/validation-results.md``:

- records are read as TSV, which pyoxigraph writes faster than it hands out terms one by one (and
  without holding the GIL, so the other families are evaluated meanwhile);
- the products can be split into :class:`Part` s, each read by its own process
  (:mod:`reasoner.rules.processes`): the unpacking is Python, one core each.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from reasoner.errors import RuleDataError
from reasoner.tsv_results import query_tsv, unescape
from reasoner.queries import NamedQuery
from reasoner.rules.snapshot import (
    Otherwise, Snapshot, TermCache, declared_facts, group_rows, otherwise_by_family, record_line,
    rows_noting_cover, to_term, whole_graph_queries,
)

HEX_DIGITS = "0123456789abcdef"


@dataclass(frozen=True)
class Part:
    """A share of the products: those whose IRI's MD5 (hexadecimal) starts with one of ``digits``.

    The fact-records family filters on the same digits in SPARQL (its ``part`` parameter), so a part
    reads only its own records; the rows of the other families are kept to the part here."""

    digits: str = HEX_DIGITS

    @property
    def whole(self) -> bool:
        return set(self.digits) >= set(HEX_DIGITS)

    def holds(self, product: str) -> bool:
        return self.whole or hashlib.md5(product.encode()).hexdigest()[0] in self.digits


EVERY_PRODUCT = Part()


def parts(count: int) -> list[Part]:
    """The products dealt into ``count`` parts of (nearly) equal size."""
    count = max(1, min(count, len(HEX_DIGITS)))
    return [Part(HEX_DIGITS[i::count]) for i in range(count)]


def all_from_store(store: Any, on: date, queries_dir: Path, kind_property: str,
                   progress: Callable[[str], None] | None = None, wanted: frozenset[str] | None = None,
                   part: Part = EVERY_PRODUCT) -> Iterator[Snapshot]:
    """Every product's snapshot (of the ``wanted`` properties, and the kind, when given) in ``part``.

    The same snapshots as grouping :func:`reasoner.rules.snapshot.store_rows`, built without a row
    per fact: record lines go straight into the product's facts, each distinct line read once (most
    recur: the same kind, flags, category and graph in thousands of products)."""
    if wanted is not None:
        wanted = wanted | {kind_property}
    say = progress or (lambda _m: None)
    cache = TermCache()
    snaps: dict[str, Snapshot] = {}
    rows: list[tuple[str, str, str, Any, str | None]] = []
    unsaid: list[tuple[Otherwise, set[str]]] = []
    otherwise_of = otherwise_by_family(queries_dir)
    lines = _RecordLines(on, cache, wanted)
    given: dict[str, Any] = {"on": to_term(on)}
    families = [q for q in whole_graph_queries(queries_dir)
                if wanted is None or declared_facts(q) is None or declared_facts(q) & wanted]
    records = [q for q in families if "record" in _variables(store, q)]
    with ThreadPoolExecutor(max_workers=1) as rows_ahead:
        ahead = {q.name: rows_ahead.submit(_tsv, store, q, _given(q, given)) for q in families if q not in records}
        for query in records:
            for product, record in _records(store, query, _given(query, given), part):
                node = snaps.get(product)
                if node is None:
                    node = snaps[product] = Snapshot(product)
                lines.into(node, record, query.name)
            say(f"read {query.name} ({len(snaps)} products{'' if part.whole else ' in this process'})")
        for query in families:
            if query in records:
                continue
            solutions = ox.parse_query_results(ahead[query.name].result(), format=ox.QueryResultsFormat.TSV)
            found = rows_noting_cover(otherwise_of.get(query.name), query.name, solutions, on, cache, wanted, unsaid)
            rows.extend(found if part.whole else (row for row in found if row[0] in snaps or part.holds(row[0])))
            say(f"read {query.name}")
    for otherwise, covered in unsaid:
        for product, node in snaps.items():
            values = node.facts.get(otherwise.anchor)
            if values:
                rows.extend(otherwise.rows(product, values[0], node.sources[otherwise.anchor][0], covered, wanted))
    yield from group_rows(rows, snaps, kind_property).values()


def _variables(store: Any, query: NamedQuery) -> set[str]:
    return {v.value for v in store.query(query.sparql).variables}


def _given(query: NamedQuery, given: dict[str, Any]) -> dict[str, Any]:
    declared = {p.name for p in query.parameters}
    return {k: v for k, v in given.items() if k in declared}


def _tsv(store: Any, query: NamedQuery, substitutions: dict[str, Any]) -> bytes:
    """A query's results as TSV: pyoxigraph evaluates and writes them without holding the GIL."""
    return query_tsv(store, query.sparql, substitutions)


def _records(store: Any, query: NamedQuery, given: dict[str, Any], part: Part) -> Iterator[tuple[str, str]]:
    """(product IRI, record) of every product in ``part``: one query (each query over the records
    computes the MD5 of every product's IRI, so a part is not read in smaller chunks)."""
    if "part" not in {p.name for p in query.parameters}:
        raise RuleDataError(f"fact-record family {query.name} does not declare the parameter part", where=query.name)
    yield from tsv_records(_tsv(store, query, {**given, "part": ox.Literal(part.digits)}), query.name)


def tsv_records(data: bytes, where: str) -> Iterator[tuple[str, str]]:
    """(product IRI, record text) of each line of results written as TSV with ``?product`` among the
    columns and ``?record`` the last.

    TSV writes a literal between quotes with ``\\t``, ``\\n``, ``\\"`` and ``\\\\`` escaped; a record
    whose only escapes are tabs and newlines (all of them, in practice) is unescaped by two replaces."""
    lines = data.decode("utf-8").split("\n")
    header = lines[0].split("\t")
    if "?product" not in header or header[-1] != "?record":
        raise RuleDataError(f"fact records must select ?product and, last, ?record; got {lines[0][:80]!r}", where=where)
    column, split = header.index("?product"), len(header) - 1
    for number, line in enumerate(lines[1:], start=2):
        if not line:
            continue
        fields = line.split("\t", split)
        product, literal = fields[column], fields[-1]
        if not (len(fields) == len(header) and product.startswith("<") and product.endswith(">")
                and literal.startswith('"') and literal.endswith('"')):
            raise RuleDataError(f"fact records: line {number} has no product IRI and record text: {line[:120]!r}",
                                where=where)
        yield product[1:-1], unescape(literal[1:-1])


class _RecordLines:
    """Fact record lines into snapshots, each distinct line parsed once (up to a bound)."""

    BOUND = 1_000_000

    def __init__(self, on: date, cache: TermCache, wanted: frozenset[str] | None) -> None:
        self.day, self.cache, self.wanted = on.isoformat(), cache, wanted
        self.parsed: dict[str, tuple[str, Any, str | None] | None] = {}

    def into(self, node: Snapshot, record: str, where: str) -> None:
        facts, sources, parsed = node.facts, node.sources, self.parsed
        for line in record.split("\n"):
            fact = parsed.get(line, _UNSEEN)
            if fact is _UNSEEN:
                fact = record_line(node.focus, line, self.day, self.cache, where, self.wanted)
                if len(parsed) < self.BOUND:
                    parsed[line] = fact
            if fact is None:
                continue
            prop, value, graph = fact
            values = facts.get(prop)  # Snapshot.add, inlined: this loop runs 19M times at 1M products
            if values is None:
                facts[prop] = [value]
                sources[prop] = [graph]
            elif value not in values:
                values.append(value)
                sources[prop].append(graph)


_UNSEEN: Any = object()
