"""SPARQL that users write, run safely: read-only, no outbound requests, limited in time and size.

Three layers, from cheap to hard:

1. :func:`check_read_only` scans the query text before anything runs and refuses updates
   (``INSERT``, ``LOAD``, ``DROP`` …) and ``SERVICE`` (pyoxigraph would really fetch a remote
   endpoint: a request to an address the user chooses). The scan tokenises strings, IRIs,
   comments, variables and prefixed names, so ``?service`` or ``"LOAD"`` are not refused.
2. :func:`execute` evaluates one query, stops at the result limit, checks the deadline between
   solutions, and serialises with pyoxigraph's own writers (SPARQL JSON/XML/CSV/TSV, Turtle,
   N-Triples, JSON-LD, RDF/XML).
3. :class:`QueryPool` runs :func:`execute` in separate worker processes that open the store
   read-only. A query still running when its time is up is not waited for: its process is
   killed and a fresh one started, so a runaway query can never hold an HTTP worker or a CPU.
   Workers reopen the store when its files change, so they see what the primary process wrote.

Why processes and not threads: pyoxigraph gives no way to cancel a running query, and a single
solution (an aggregate over a cross product) can take unbounded time, so only a process kill is a
real limit. The price is one pipe round trip per query (about a millisecond) and a respawn
(about half a second, in the background) after a timeout.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from reasoner import errors
from reasoner.errors import InputError, LimitExceeded, MedsupplyError, ParseError, Refused
from reasoner.store import OxigraphStore, Term

log = logging.getLogger("medsupply.sparql")

SOLUTION_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
"""Result formats of SELECT and ASK, by the short name used in ``format=`` and on the CLI."""

GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
"""Result formats of CONSTRUCT and DESCRIBE."""

_UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
_QUERY_KEYWORDS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})

_TOKEN = re.compile(
    r'''(?P<ws>\s+)
      | (?P<comment>\#[^\n\r]*)
      | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
                   |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$][^\s{}()<>,;.=!|&+*/^"'\[\]]*)
      | (?P<word>[^\W\d][\w\-.]*(?::[\w\-.:%\\]*)?|:[\w\-.:%\\]*)
      | (?P<other>.)''',
    re.X | re.S,
)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_PARSER_POSITION = re.compile(r"\bat (\d+):(\d+)")

UPDATE_REFUSED = (
    "this SPARQL endpoint is read-only: {keyword} is a SPARQL update and is not accepted here. "
    "To add or change data, load RDF files with `medsupply load FILE --graph NAME`."
)
SERVICE_REFUSED = (
    "SERVICE (a federated query to another SPARQL endpoint) is not allowed: medsupply never sends "
    "requests to addresses given in a query. Load the remote data as a file and query it here."
)


def _keywords(sparql: str) -> list[str]:
    """The bare words of a query (keywords), upper-cased, skipping strings, IRIs, comments,
    variables and prefixed names."""
    text = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), sparql)
    words: list[str] = []
    for match in _TOKEN.finditer(text):
        if match.lastgroup == "word" and ":" not in match.group():
            words.append(match.group().rstrip(".").upper())
    return words


def query_form(sparql: str) -> str | None:
    """The first keyword after the prologue (``SELECT``, ``ASK``, ``INSERT`` …), or None."""
    for word in _keywords(sparql):
        if word in ("PREFIX", "BASE", "VERSION"):
            continue
        return word
    return None


def check_read_only(sparql: str) -> None:
    """Refuse updates and ``SERVICE`` before anything runs (:class:`Refused`, HTTP 403)."""
    form = query_form(sparql)
    if form in _UPDATE_KEYWORDS:
        raise Refused(UPDATE_REFUSED.format(keyword=form), where="query")
    if "SERVICE" in _keywords(sparql):
        raise Refused(SERVICE_REFUSED, where="query")


def located_parse_error(exc: ParseError, sparql: str) -> ParseError:
    """The parser's message with ``where`` naming line and column (pyoxigraph puts them in the
    text), the offending line quoted with a caret, and very long "expected one of" lists cut."""
    match = _PARSER_POSITION.search(exc.message)
    if not match:
        return exc
    line, column = (int(g) for g in match.groups())
    message = exc.message
    if len(message) > 300:
        message = message[:message.rfind(",", 0, 240)] + ", …"
    lines = sparql.splitlines() or [""]
    quoted = lines[line - 1] if 0 < line <= len(lines) else ""
    pointer = f"\n  {quoted}\n  {' ' * max(0, column - 1)}^" if quoted.strip() else ""
    return ParseError(f"the query is not valid SPARQL 1.1: {message}{pointer}",
                      where=f"query, line {line}, column {column}")


@dataclass(frozen=True)
class QueryRequest:
    """One query to run, with everything the worker process needs (picklable)."""

    sparql: str
    solutions_format: str | None = "json"
    graph_format: str | None = "turtle"
    substitutions: Mapping[str, Term] = field(default_factory=dict)
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    timeout_s: float = 10.0
    result_limit: int = 100_000


@dataclass(frozen=True)
class QueryOutcome:
    """A serialised answer: ``kind`` is ``solutions``, ``boolean`` or ``graph``."""

    kind: str
    format: str
    media_type: str
    body: bytes
    count: int | None = None


class StoreReadError(MedsupplyError):
    """Reading the store failed (for a read-only view: the primary replaced files under it)."""

    http_status = 503
    title = "Store not readable"


class NotAcceptable(InputError):
    """No result format the client accepts fits this kind of query."""

    http_status = 406
    title = "Not acceptable"


def _time_exceeded(timeout_s: float) -> LimitExceeded:
    return LimitExceeded(
        f"the query ran longer than the time limit of {timeout_s:g} s and was stopped. Narrow it "
        "(fewer graphs, more selective patterns, a LIMIT) or ask the operator to raise "
        "MEDSUPPLY_QUERY_TIMEOUT.",
        where="query",
    )


def _too_many(limit: int, what: str) -> LimitExceeded:
    return LimitExceeded(
        f"the query returns more than {limit} {what}, the result limit of this service. Add a LIMIT "
        "(and OFFSET to page through), aggregate, or ask the operator to raise MEDSUPPLY_QUERY_RESULT_LIMIT.",
        where="query",
    )


def _media_type(fmt: ox.QueryResultsFormat | ox.RdfFormat) -> str:
    media = fmt.media_type
    return media if "charset" in media or not media.startswith("text/") else f"{media}; charset=utf-8"


def _tsv_escape(value: str) -> str:
    return (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))


def _tsv_term(term: Term | None) -> str:
    """A term in SPARQL TSV syntax (Turtle terms with tabs and newlines escaped)."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        text = f'"{_tsv_escape(term.value)}"'
        if term.language:
            return f"{text}@{term.language}"
        return f"{text}^^<{term.datatype.value}>"
    if isinstance(term, ox.Triple):
        return f"<< {_tsv_term(term.subject)} {_tsv_term(term.predicate)} {_tsv_term(term.object)} >>"
    return str(term)


def execute(store: OxigraphStore, request: QueryRequest) -> QueryOutcome:
    """Evaluate one query within its limits and serialise the answer.

    Solutions are collected up to the result limit (checking the deadline every 256), then
    handed to pyoxigraph's serialisers, so a query over the limit fails cleanly instead of
    sending a truncated document. The deadline check here only stops queries that stream; the
    process kill in :class:`QueryPool` is what bounds the rest.
    """
    deadline = time.monotonic() + request.timeout_s
    check_read_only(request.sparql)
    try:
        result = store.query(
            request.sparql,
            substitutions=dict(request.substitutions) or None,
            default_graphs=list(request.default_graphs) or None,
            named_graphs=list(request.named_graphs) or None,
        )
        if isinstance(result, ox.QueryBoolean):
            return _boolean(result, request)
        if isinstance(result, ox.QuerySolutions):
            return _solutions(result, request, deadline)
        return _graph(result, request, deadline)
    except ParseError as exc:
        raise located_parse_error(exc, request.sparql) from None
    except (OSError, RuntimeError) as exc:
        if _is_store_failure(exc):
            raise StoreReadError(f"the store could not answer the query: {exc}", where="query") from None
        raise InputError(f"the query could not be evaluated: {exc}", where="query") from None


def _need_solutions_format(request: QueryRequest, kind: str) -> ox.QueryResultsFormat:
    if request.solutions_format is None:
        raise NotAcceptable(
            f"this is {kind} query; its results come as SPARQL JSON, SPARQL XML, CSV or TSV, and the "
            "request accepts none of them (Accept header or format parameter)", where="format")
    return SOLUTION_FORMATS[request.solutions_format]


def _boolean(result: ox.QueryBoolean, request: QueryRequest) -> QueryOutcome:
    fmt = _need_solutions_format(request, "an ASK")
    return QueryOutcome("boolean", request.solutions_format or "", _media_type(fmt), result.serialize(format=fmt), None)


def _solutions(result: ox.QuerySolutions, request: QueryRequest, deadline: float) -> QueryOutcome:
    fmt = _need_solutions_format(request, "a SELECT")
    variables = result.variables
    lines = ["\t".join(str(v) for v in variables)]
    count = 0
    for solution in result:
        count += 1
        if count > request.result_limit:
            raise _too_many(request.result_limit, "solutions")
        if count % 256 == 0 and time.monotonic() > deadline:
            raise _time_exceeded(request.timeout_s)
        lines.append("\t".join(_tsv_term(solution[v]) for v in variables))
    collected = ox.parse_query_results(("\n".join(lines) + "\n").encode("utf-8"), format=ox.QueryResultsFormat.TSV)
    assert isinstance(collected, ox.QuerySolutions)
    body = collected.serialize(format=fmt)
    return QueryOutcome("solutions", request.solutions_format or "", _media_type(fmt), body, count)


def _graph(result: ox.QueryTriples, request: QueryRequest, deadline: float) -> QueryOutcome:
    if request.graph_format is None:
        raise NotAcceptable(
            "this is a CONSTRUCT or DESCRIBE query; its results come as Turtle, N-Triples, JSON-LD or "
            "RDF/XML, and the request accepts none of them (Accept header or format parameter)", where="format")
    fmt = GRAPH_FORMATS[request.graph_format]
    triples: list[ox.Triple] = []
    for triple in result:
        triples.append(triple)
        if len(triples) > request.result_limit:
            raise _too_many(request.result_limit, "triples")
        if len(triples) % 256 == 0 and time.monotonic() > deadline:
            raise _time_exceeded(request.timeout_s)
    body = ox.serialize(triples, format=fmt)
    return QueryOutcome("graph", request.graph_format, _media_type(fmt), body, len(triples))


# --------------------------------------------------------------------------- worker processes


def store_signature(path: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the store's files: it changes with every write
    (the write-ahead log grows), so a read-only view knows when to reopen."""
    try:
        entries = list(os.scandir(path))
    except FileNotFoundError:
        return ()
    signature = []
    for entry in entries:
        try:
            info = entry.stat()
        except FileNotFoundError:
            continue
        signature.append((entry.name, info.st_size, info.st_mtime_ns))
    return tuple(sorted(signature))


def _is_store_failure(exc: BaseException) -> bool:
    text = str(exc)
    return isinstance(exc, OSError) or "Corruption" in text or "IO error" in text


def open_read_only(path: Path, attempts: int = 40) -> OxigraphStore:
    """Open the store folder read-only, retrying while the primary swaps files.

    RocksDB read-only opens are not coordinated with the writing process: when a flush or
    compaction deletes a file between reading the manifest and opening it, the open fails
    ("Corruption: … No such file"). Opening again a moment later sees the new manifest.
    """
    last: BaseException | None = None
    for attempt in range(attempts):
        try:
            return OxigraphStore(path, read_only=True)
        except (OSError, RuntimeError) as exc:
            if not _is_store_failure(exc):
                raise
            last = exc
            time.sleep(min(0.5, 0.02 * (attempt + 1)))
    raise StoreReadError(f"the store at {path} could not be opened read-only: {last}", where="store")


class ReadOnlyView:
    """A read-only handle on a store folder that reopens itself when the folder changed.

    ``Store.read_only`` sees the store as it was when opened; reopening costs a few tens of
    milliseconds, so it is done only when the files changed, checked at most every
    ``check_every_s`` seconds.
    """

    def __init__(self, path: Path, check_every_s: float = 0.0) -> None:
        self.path = Path(path)
        self.check_every_s = check_every_s
        self._signature = store_signature(self.path)
        self._store = open_read_only(self.path)
        self._checked = time.monotonic()
        self._lock = threading.Lock()

    def current(self) -> OxigraphStore:
        now = time.monotonic()
        if now - self._checked < self.check_every_s:
            return self._store
        with self._lock:
            self._checked = now
            signature = store_signature(self.path)
            if signature != self._signature:
                self._reopen(signature)
        return self._store

    def reopen(self) -> OxigraphStore:
        """Open the folder afresh (after a read failed on the old handle)."""
        with self._lock:
            self._reopen(store_signature(self.path))
        return self._store

    def _reopen(self, signature: tuple[tuple[str, int, int], ...]) -> None:
        # A failed open keeps the old handle (still a consistent snapshot); retried at the next check.
        try:
            self._store = open_read_only(self.path, attempts=5)
            self._signature = signature
        except StoreReadError as exc:
            log.warning("%s; answering from the previous snapshot", exc)


def _encode_error(exc: BaseException) -> tuple[str, str, str | None, list[dict[str, Any]]]:
    if isinstance(exc, MedsupplyError):
        return type(exc).__name__, exc.message, exc.where, exc.details
    return "MedsupplyError", f"the query failed: {exc}", "query", []


def _decode_error(encoded: tuple[str, str, str | None, list[dict[str, Any]]]) -> MedsupplyError:
    name, message, where, details = encoded
    local = {"NotAcceptable": NotAcceptable, "StoreReadError": StoreReadError}
    cls = local.get(name) or getattr(errors, name, MedsupplyError)
    if not (isinstance(cls, type) and issubclass(cls, MedsupplyError)):
        cls = MedsupplyError
    return cls(message, where=where, details=details)


def _worker_main(store_path: str, conn: Connection) -> None:
    """A query worker: open the store read-only, answer requests from the pipe until it closes."""
    view = ReadOnlyView(Path(store_path))
    try:
        conn.send(("ready", os.getpid()))
    except (BrokenPipeError, OSError):
        return  # the pool shut down while this worker started
    while True:
        try:
            request: QueryRequest = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        try:
            try:
                outcome = execute(view.current(), request)
            except StoreReadError:
                outcome = execute(view.reopen(), request)  # the old snapshot lost a file: once more
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller
            conn.send(("error", _encode_error(exc)))
        else:
            conn.send(("ok", outcome))


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection


class QueryPool:
    """A fixed number of query worker processes over one store folder.

    :meth:`run` hands a request to an idle worker and waits at most the request's time limit
    (plus a small grace for the reply). If the worker has not answered, it is killed and a
    replacement started in the background; the caller gets :class:`LimitExceeded` at once.
    Waiting for a free worker counts against the same limit.
    """

    GRACE_S = 0.5
    SPAWN_ALLOWANCE_S = 60.0
    """How much longer a request may wait for a worker while a killed one is being replaced."""

    def __init__(self, store_path: Path, size: int = 2) -> None:
        self.store_path = Path(store_path)
        self.size = max(1, size)
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self._respawning = 0
        self.restarts = 0
        for _ in range(self.size):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main, args=(str(self.store_path), child), daemon=True, name="medsupply-query"
        )
        process.start()
        child.close()
        if not parent.poll(60):
            process.kill()
            raise MedsupplyError("a query worker did not start within 60 s", where="query pool")
        parent.recv()
        return _Worker(process, parent)

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and put a fresh one in the pool, in the background."""
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        self.restarts += 1

        self._respawning += 1

        def start() -> None:
            try:
                if not self._closed:
                    self._idle.put(self._spawn())
            except MedsupplyError:
                log.exception("could not start a query worker")
            finally:
                self._respawning -= 1

        threading.Thread(target=start, daemon=True, name="query-worker-respawn").start()

    def run(self, request: QueryRequest) -> QueryOutcome:
        """Run one request in a worker process; raise the worker's typed error or LimitExceeded."""
        check_read_only(request.sparql)
        wait = request.timeout_s + (self.SPAWN_ALLOWANCE_S if self._respawning else 0.0)
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            raise LimitExceeded(
                f"every query worker stayed busy for the whole time limit of {request.timeout_s:g} s; "
                "try again in a moment", where="query") from None
        try:
            worker.conn.send(request)
            if not worker.conn.poll(request.timeout_s + self.GRACE_S):
                log.warning("query over time limit; killing worker %s", worker.process.pid)
                self._replace(worker)
                raise _time_exceeded(request.timeout_s)
            status, payload = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            raise MedsupplyError("the query worker stopped unexpectedly (out of memory?); the query was "
                                 "not answered. Narrow the query and try again.", where="query") from None
        except LimitExceeded:
            raise
        except BaseException:
            self._replace(worker)
            raise
        self._idle.put(worker)
        if status == "ok":
            return payload
        error = _decode_error(payload)
        if error.http_status >= 500:
            log.warning("query failed in worker %s: %s", worker.process.pid, error)
        raise error

    def close(self) -> None:
        """Stop every worker (at shutdown)."""
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            worker.conn.close()
            worker.process.kill()
            worker.process.join(5)
