"""The graph store behind a narrow interface: load, query, update, named graphs.

:class:`GraphStore` is the interface the rest of medsupply codes against; :class:`OxigraphStore`
is the embedded implementation (pyoxigraph, persistent on disk, or in memory for tests). A remote
SPARQL 1.1 server can stand behind the same interface later.

Loads are all-or-nothing: the input is parsed completely before a single quad is written, and
the write is one transaction, so a malformed file leaves the store exactly as it was.
"""

from __future__ import annotations

import functools
import hashlib
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Protocol, TypeVar, Union

import pyoxigraph as ox

from reasoner.errors import ParseError, Refused
from reasoner.namespaces import PREFIXES, sparql_prologue

T = TypeVar("T")

Source = Union[bytes, str, Path, IO[bytes]]
Term = Union[ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple]

FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json-ld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
}


def rdf_format(name_or_path: str | Path) -> ox.RdfFormat:
    """The RDF format for a format name, media type or file name (``data.ttl`` → Turtle)."""
    key = str(name_or_path).lower()
    media = ox.RdfFormat.from_media_type(key) if "/" in key and not Path(key).suffix else None
    if media is not None:
        return media
    suffix = Path(key).suffix.lstrip(".") or key
    if suffix == "gz":
        suffix = Path(Path(key).stem).suffix.lstrip(".")
    if suffix not in FORMATS:
        raise ParseError(f"unknown RDF format {name_or_path!r}; use one of {sorted(set(FORMATS))}")
    return FORMATS[suffix]


def parse_rdf(
    source: Source, fmt: ox.RdfFormat, *, graph: str | None = None, where: str = "input",
    base_iri: str | None = None,
) -> list[ox.Quad]:
    """Parse the whole source into quads (into ``graph`` when the format has no graphs).

    Raises :class:`ParseError` naming the line and column, before anything is written anywhere.
    """
    to_graph = ox.NamedNode(graph) if graph else None
    kwargs: dict[str, Any] = {"format": fmt, "base_iri": base_iri}
    if isinstance(source, Path):
        kwargs["path"] = str(source)
    else:
        kwargs["input"] = source
    try:
        quads = list(ox.parse(**kwargs))
    except SyntaxError as exc:
        location = f"{where}, line {exc.lineno}, column {exc.offset}" if exc.lineno else where
        raise ParseError(_clean_parser_message(str(exc.msg or exc)), where=location) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ParseError(f"not valid {fmt.name} text: {exc}", where=where) from None
    if to_graph is None:
        return quads
    return [
        ox.Quad(q.subject, q.predicate, q.object, to_graph) if isinstance(q.graph_name, ox.DefaultGraph) else q
        for q in quads
    ]


def _clean_parser_message(message: str) -> str:
    return message.replace("Parser error at ", "parser error at ")


class GraphStore(Protocol):
    """What medsupply needs from an RDF store. Graph names are IRIs given as strings."""

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> Any: ...

    def update(self, sparql: str) -> None: ...

    def load(self, source: Source, fmt: ox.RdfFormat, *, graph: str | None = None, where: str = "input") -> int: ...

    def add_quads(self, quads: Iterable[ox.Quad]) -> int: ...

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> int: ...

    def change_graph(self, graph: str, *, removed: Iterable[ox.Quad], added: Iterable[ox.Quad]) -> None: ...

    def drop_graph(self, graph: str) -> None: ...

    def named_graphs(self) -> list[str]: ...

    def count(self, graph: str | None = None) -> int: ...

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]: ...

    def fingerprint(self) -> str: ...

    def flush(self) -> None: ...


_STAGING_BATCH = 50_000
"""Quads written to a staging graph per transaction."""


def _writes(method: Callable[..., T]) -> Callable[..., T]:
    """Mark a method that changes the store: it makes a new :attr:`OxigraphStore.revision`."""

    @functools.wraps(method)
    def wrapper(self: OxigraphStore, *args: Any, **kwargs: Any) -> T:
        self.revision += 1
        try:
            return method(self, *args, **kwargs)
        finally:
            self.revision += 1

    return wrapper


class OxigraphStore:
    """The embedded store: pyoxigraph on disk (``path``) or in memory (``path=None``).

    Queries see the union of all graphs as their default graph unless they name graphs, so that
    policy staff can write plain SPARQL without knowing which source a fact came from.
    """

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        if self.path is None:
            self._store = ox.Store()
        elif read_only:
            self._store = ox.Store.read_only(str(self.path))
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(self.path))
        self.read_only = read_only
        self._prologue = sparql_prologue()
        self.revision = 0
        """Counts this object's writes (and flushes, which end every write through ``raw``): what is
        computed from the store's content can be cached per revision. Bumped before and after each
        write, so a value computed while a write runs is never kept under the revision after it."""

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store itself, for the few callers that need its native speed."""
        return self._store

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> Any:
        """Run a SPARQL 1.1 query; the project prefixes are predeclared.

        ``substitutions`` binds variables (SEP-0007) so that parameters never go through
        string formatting.
        """
        kwargs: dict[str, Any] = {"prefixes": _PREFIX_MAP}
        if default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
        try:
            return self._store.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise ParseError(_clean_parser_message(str(exc.msg or exc)), where=_query_location(exc)) from None

    def select(self, sparql: str, **kwargs: Any) -> list[dict[str, Term]]:
        """A SELECT query's solutions as dictionaries from variable name to term (unbound left out)."""
        result = self.query(sparql, **kwargs)
        names = [v.value for v in result.variables]
        rows: list[dict[str, Term]] = []
        for solution in result:
            row = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = term
            rows.append(row)
        return rows

    @_writes
    def update(self, sparql: str) -> None:
        if self.read_only:
            raise Refused("the store is open read-only")
        try:
            self._store.update(self._prologue + sparql)
        except SyntaxError as exc:
            raise ParseError(_clean_parser_message(str(exc.msg or exc)), where=_query_location(exc)) from None

    def load(self, source: Source, fmt: ox.RdfFormat, *, graph: str | None = None, where: str = "input") -> int:
        """Parse ``source`` completely, then write it in one transaction. Returns quads written."""
        quads = parse_rdf(source, fmt, graph=graph, where=where)
        return self.add_quads(quads)

    @_writes
    def add_quads(self, quads: Iterable[ox.Quad]) -> int:
        if self.read_only:
            raise Refused("the store is open read-only")
        batch = quads if isinstance(quads, list) else list(quads)
        self._store.extend(batch)
        return len(batch)

    @_writes
    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> int:
        """Swap a graph's content for ``quads`` so that readers never see a half-written graph.

        The new content is written into a staging graph, in batches (a derivation over a million
        products yields gigabytes: they are not held in memory at once), then moved over the old
        graph by one SPARQL ``MOVE`` (atomic); a failure leaves the old graph untouched.
        """
        if self.read_only:
            raise Refused("the store is open read-only")
        staging = ox.NamedNode(f"{graph}#staging-{uuid.uuid4().hex}")
        target = ox.NamedNode(graph)
        written = 0
        try:
            batch: list[ox.Quad] = []
            for q in quads:
                batch.append(ox.Quad(q.subject, q.predicate, q.object, staging))
                if len(batch) >= _STAGING_BATCH:
                    self._store.extend(batch)
                    written, batch = written + len(batch), []
            self._store.extend(batch)
            written += len(batch)
            self._store.update(f"MOVE SILENT GRAPH <{staging.value}> TO <{target.value}>")
        finally:
            if self._store.contains_named_graph(staging):
                self._store.remove_graph(staging)
        if not written and self._store.contains_named_graph(target):
            self._store.remove_graph(target)
        return written

    @_writes
    def change_graph(self, graph: str, *, removed: Iterable[ox.Quad], added: Iterable[ox.Quad]) -> None:
        """Remove some triples of ``graph`` and add others in one transaction (one SPARQL update,
        which the store applies whole or not at all), so readers see the graph before or after."""
        if self.read_only:
            raise Refused("the store is open read-only")
        target = f"<{ox.NamedNode(graph).value}>"
        operations = [f"{verb} DATA {{ GRAPH {target} {{\n{body}}} }}" for verb, body in (
            ("DELETE", "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in removed)),
            ("INSERT", "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in added)),
        ) if body]
        if operations:
            self._store.update(" ;\n".join(operations))

    @_writes
    def drop_graph(self, graph: str) -> None:
        if self.read_only:
            raise Refused("the store is open read-only")
        node = ox.NamedNode(graph)
        if self._store.contains_named_graph(node):
            self._store.remove_graph(node)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._store)
        result = self._store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(next(iter(result))["n"].value)

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        return iter(self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph) if graph else None))

    def fingerprint(self) -> str:
        """A hash of the whole store's content, independent of insertion order and blank-node ids."""
        digest = hashlib.sha256()
        for line in sorted(_canonical_line(q) for q in self._store):
            digest.update(line.encode("utf-8"))
        return digest.hexdigest()

    @_writes
    def flush(self) -> None:
        if not self.read_only and self.path is not None:
            self._store.flush()

    def __len__(self) -> int:
        return len(self._store)


_PREFIX_MAP: dict[str, str] = dict(PREFIXES)


def _canonical_line(quad: ox.Quad) -> str:
    def term(t: Any) -> str:
        return "_:b" if isinstance(t, ox.BlankNode) else str(t)

    return f"{term(quad.subject)} {term(quad.predicate)} {term(quad.object)} {term(quad.graph_name)}\n"


def _query_location(exc: SyntaxError) -> str:
    """Where in the query the parser stopped: pyoxigraph says it in the message as ``at L:C``."""
    if exc.lineno:
        return f"query, line {exc.lineno}, column {exc.offset}"
    found = _QUERY_POSITION.search(str(exc.msg or exc))
    return f"query, line {found.group(1)}, column {found.group(2)}" if found else "query"


_QUERY_POSITION = re.compile(r"at (\d+):(\d+)")
