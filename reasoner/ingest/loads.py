"""User loads: validated, all-or-nothing, traceable, each in its own named graph ``msg:load/<id>``.

A load goes through three steps:

1. **prepare** (nothing written to the store): sniff the file (its SHA-256 is the load id, so the
   same file twice is the same load and changes nothing), map table rows or parse RDF, check
   every node against ``shapes/ingest`` joined with the reference data in the store, and write
   the resulting triples to a staging N-Triples file beside the store. Any violation, in any of
   the files of one command, refuses them all, listing every problem.
2. **commit**: up to ``transaction_limit`` triples go into the store in one transaction together
   with the load's description, so readers see all or nothing. Larger loads (a million rows
   would need many GB for one transaction, see ``bench/ingest-results.md``) are bulk-written into
   ``msg:load/<id>`` first; the description in ``msg:loads`` is written last, in its own
   transaction, and is the commit point.
3. **recover** (on every open for loading, listing or deleting): a ``msg:load/<id>`` graph with
   no description is the remainder of a process that died half-way and is dropped; a replacement
   that committed but did not finish removing the load it replaces is finished; stale staging
   files are removed. After a crash the store is therefore exactly as it was before the load.

The description (PROV-O, VoID and Dublin Core, in graph ``msg:loads``) has the graph IRI itself
as subject, so a fact's graph name leads straight to who loaded it, when, from which file (name
and SHA-256), with which mapping, and how many rows and triples it had.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from reasoner.config import Settings, load_settings
from reasoner.derivations import reach, rederive
from reasoner.errors import InputError, MedsupplyError, NotFound, ParseError, ValidationFailed
from reasoner.ingest.formats import FileInfo, read_tables, sniff
from reasoner.ingest.mapping import RDF_TYPE, Mapping, Node, choose_mapping, load_mappings, slug
from reasoner.ingest.validation import (
    Checker, Finding, Problem, compiled_shapes, obj_nt, obj_text, rejected, shapes_dir, short,
    store_type_lookup, subclass_pairs,
)
from reasoner.namespaces import ID, MS, PREFIXES, graph_iri
from reasoner.store import OxigraphStore

LOADS_GRAPH = "loads"
LOAD_PREFIX = "load/"
TRANSACTION_LIMIT = 100_000
"""Loads up to this many triples are written in one transaction; larger ones in bulk + commit marker."""
Say = Callable[[str], None]
Bytes = Callable[[int, int], None]  # (bytes done, bytes total)

PROV = PREFIXES["prov"]
DCT = PREFIXES["dcterms"]
XSD = PREFIXES["xsd"]
VOID = "http://rdfs.org/ns/void#"

_write_lock = threading.Lock()
_ID = re.compile(r"[0-9a-f]{16}")


def load_graph(load_id: str) -> str:
    """The named graph of a load: ``msg:load/<id>``."""
    return graph_iri(LOAD_PREFIX + load_id)


def loads_graph() -> str:
    return graph_iri(LOADS_GRAPH)


def load_id_for(sha256: str) -> str:
    """A load is named after its file's content: the same bytes are the same load."""
    return sha256[:16]


@dataclass
class LoadRequest:
    """One file to load, as it came in."""

    path: Path
    name: str | None = None
    format: str | None = None  # extension or media type when the name does not say
    mapping: str | None = None


@dataclass
class Prepared:
    """A validated file, staged and ready to commit."""

    info: FileInfo
    load_id: str
    staged: Path | None
    rows: int = 0
    mappings: list[Mapping] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    existing: dict[str, Any] | None = None


# --------------------------------------------------------------------------------------------
# prepare: read, map, validate, stage
# --------------------------------------------------------------------------------------------


def staging_dir(store: OxigraphStore) -> Path:
    """Where staged triples wait for commit: beside the store (same disk), or the temp folder."""
    if store.path is None:
        return Path(tempfile.gettempdir()) / "medsupply-staging"
    return store.path.parent / (store.path.name + ".staging")


def prepare(store: OxigraphStore, settings: Settings, request: LoadRequest, *, say: Say | None = None,
            progress: Bytes | None = None) -> Prepared:
    """Validate one file completely and stage its triples. Raises with every problem; writes nothing."""
    say = say or (lambda _m: None)
    info = sniff(request.path, name=request.name, fmt=request.format,
                 progress=(lambda n: progress(n, request.path.stat().st_size)) if progress else None)
    load_id = load_id_for(info.sha256)
    existing = _description(store, load_id)
    if existing is not None:
        return Prepared(info=info, load_id=load_id, staged=None, existing=existing)
    folder = staging_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".nt", prefix=f"{load_id}-",
                                         dir=folder, delete=False)
    staged = Path(handle.name)
    checker = Checker(compiled_shapes(shapes_dir(settings.home)), store_type_lookup(store.raw),
                      subclass_pairs(store.raw))
    try:
        with handle:
            if info.kind == "rdf":
                say(f"parsing {info.name} ({info.rdf_format.name if info.rdf_format else 'RDF'})")
                prepared = _prepare_rdf(info, load_id, staged, handle, checker, folder)
            else:
                say(f"reading {info.name} ({info.kind.upper()})")
                prepared = _prepare_table(info, load_id, staged, handle, checker, settings, request.mapping,
                                          progress)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return prepared


def _prepare_table(info: FileInfo, load_id: str, staged: Path, out: IO[str], checker: Checker,
                   settings: Settings, requested: str | None, progress: Bytes | None) -> Prepared:
    mappings = load_mappings(settings)
    prepared = Prepared(info=info, load_id=load_id, staged=staged)
    problems: list[Problem] = []
    violations = 0
    seen: dict[int, tuple[int, int, str]] = {}  # primary subject → (row, content digest, where)
    repeated: set[int] = set()  # digests of secondary nodes already checked and staged (the same MAH)
    rdf_type = f"<{RDF_TYPE}>"
    bytes_progress = (lambda n: progress(n, info.size)) if progress else None
    tables = 0
    for table in read_tables(info, bytes_progress):
        tables += 1
        try:
            choice = choose_mapping(table.headers, mappings, requested, table.sheet, table.name)
            bound = choice.mapping.bind(table.headers, table.name)
        except ValidationFailed as exc:
            problems += [Problem(**d) for d in exc.details]
            violations += len(exc.details)
            continue
        except InputError as exc:
            problems.append(Problem(exc.message, file=table.name))
            violations += 1
            continue
        if choice.mapping not in prepared.mappings:
            prepared.mappings.append(choice.mapping)
        rows = 0
        for number, cells in table.rows:
            rows += 1
            nodes = bound.map_row(cells)
            for node in nodes:
                if node.subject:
                    checker.add_incoming(node.subject, node.types)
            for node in nodes:
                if not node.subject:
                    cols = ", ".join(node.subject_columns)
                    problems.append(Problem(f"this row cannot be identified: {cols} is empty", file=table.name,
                                            row=number, column=node.subject_columns[0]))
                    violations += 1
                    continue
                lines = [f"<{node.subject}> {rdf_type} <{t}> .\n" for t in sorted(node.types)]
                for predicate, objs in node.values.items():
                    lines += [f"<{node.subject}> <{predicate}> {obj_nt(o)} .\n" for o in objs]
                if node.primary:
                    digest = hash("".join(sorted(lines)))
                    key = hash(node.subject)
                    before = seen.get(key)
                    if before is not None:
                        if before[1] == digest:
                            if len(prepared.notes) < 100:
                                prepared.notes.append(Problem(
                                    f"row {number} repeats row {before[0]}" + (f" of {before[2]}" if before[2] != table.name else "")
                                    + "; it is loaded once", severity="info", file=table.name, row=number))
                            continue
                        problems.append(Problem(
                            f"row {number} and row {before[0]}" + (f" of {before[2]}" if before[2] != table.name else "")
                            + f" describe the same {short(next(iter(node.types), 'record')) if node.types else 'record'}"
                            f" ({short(node.subject)}) with different values; keep one row",
                            file=table.name, row=number, column=", ".join(node.subject_columns)))
                        violations += 1
                        continue
                    seen[key] = (number, digest, table.name)
                else:
                    digest = hash("".join(lines))
                    if digest in repeated:
                        continue
                    if len(repeated) < 5_000_000:
                        repeated.add(digest)
                for finding in checker.check(node.subject, node.types, node.values,
                                             (table.name, number, node, cells, bound.cell)):
                    problem = _locate_row(finding, table.name, number, node, bound.cell, cells)
                    if problem.severity == "violation":
                        violations += 1
                        if len(problems) < 100_000:
                            problems.append(problem)
                    elif len(prepared.warnings) < 1000:
                        prepared.warnings.append(problem)
                out.writelines(lines)
        prepared.rows += rows
        prepared.tables.append({"table": table.name, "mapping": choice.mapping.name, "chosen": choice.reason,
                                "rows": rows})
        if rows == 0:
            problems.append(Problem("there are column headers but no rows of data", file=table.name, row=2))
            violations += 1
    if tables == 0:
        problems.append(Problem(f"{info.name} has no sheet with data (sheets whose name starts with _ are notes)",
                                file=info.name))
        violations += 1
    for finding, (where, number, node, cells, cell), count in checker.resolve():
        problem = _locate_row(finding, where, number, node, cell, cells)
        if count > 1:
            problem = Problem(**{**problem.as_dict(), "message": f"{problem.message} ({count} rows refer to it)"})
        if problem.severity == "violation":
            violations += 1
            problems.append(problem)
        elif len(prepared.warnings) < 1000:
            prepared.warnings.append(problem)
    if violations:
        raise rejected([p for p in problems if p.severity == "violation"],
                       f"{info.name} was refused")
    return prepared


def _locate_row(finding: Finding, where: str, number: int, node: Node, cell: Callable[[list[str], str], str],
                cells: list[str]) -> Problem:
    column = node.columns.get(finding.path or "") if finding.path else None
    if column is None:
        column = ", ".join(node.subject_columns)
        value = ", ".join(cell(cells, c) for c in node.subject_columns)
    else:
        value = cell(cells, column)
        if finding.value is not None and isinstance(finding.value, tuple) and value and "|" in value:
            value = finding.value[0]
    return Problem(finding.message, severity=finding.severity, file=where, row=number, column=column, value=value,
                   focus=finding.focus, path=short(finding.path) if finding.path else None,
                   constraint=short(finding.component), shape=short(finding.shape))


def _prepare_rdf(info: FileInfo, load_id: str, staged: Path, out: IO[str], checker: Checker,
                 folder: Path) -> Prepared:
    assert info.rdf_format is not None
    staging_path = Path(tempfile.mkdtemp(prefix=f"{load_id}-rdf-", dir=folder)) if info.size > 32 << 20 else None
    staging = ox.Store(str(staging_path)) if staging_path else ox.Store()
    try:
        try:
            if staging_path:
                staging.bulk_load(path=str(info.path), format=info.rdf_format)
            else:
                staging.load(path=str(info.path), format=info.rdf_format)
        except SyntaxError as exc:
            location = f"{info.name}, line {exc.lineno}, column {exc.offset}" if exc.lineno else info.name
            raise ParseError(str(exc.msg or exc).replace("Parser error at ", "parser error at "), where=location) from None
        except (ValueError, OSError) as exc:
            raise ParseError(f"{info.name} is not valid {info.rdf_format.name}: {exc}", where=info.name) from None
        if len(staging) == 0:
            raise InputError(f"{info.name} holds no triples: there is nothing to load", where=info.name)
        rdf_type = ox.NamedNode(RDF_TYPE)
        for quad in staging.quads_for_pattern(None, rdf_type, None):
            if isinstance(quad.object, ox.NamedNode):
                checker.add_incoming(_node_text(quad.subject), frozenset({quad.object.value}))
        problems: list[Problem] = []
        warnings: list[Problem] = []
        subjects = [row["s"] for row in staging.query("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } }")]
        subjects += [row["s"] for row in staging.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }")]
        for subject in dict.fromkeys(subjects):
            values: dict[str, list[Any]] = {}
            types: set[str] = set()
            for quad in staging.quads_for_pattern(subject, None, None):
                obj = _obj(quad.object)
                if obj is None:
                    continue
                bucket = values.setdefault(quad.predicate.value, [])
                if obj not in bucket:
                    bucket.append(obj)
                if quad.predicate == rdf_type and isinstance(obj, str):
                    types.add(obj)
            focus = _node_text(subject)
            for finding in checker.check(focus, frozenset(types), values, (subject,)):
                (problems if finding.severity == "violation" else warnings).append(_locate_triple(finding, info.name))
        for finding, _context, count in checker.resolve():
            problem = _locate_triple(finding, info.name, count)
            (problems if problem.severity == "violation" else warnings).append(problem)
        if problems:
            raise rejected(problems, f"{info.name} was refused")
        for quad in staging:
            out.write(f"{quad.subject} {quad.predicate} {quad.object} .\n")
        return Prepared(info=info, load_id=load_id, staged=staged, warnings=warnings[:1000])
    finally:
        del staging
        if staging_path:
            shutil.rmtree(staging_path, ignore_errors=True)


def _node_text(term: Any) -> str:
    return "_:" + term.value if isinstance(term, ox.BlankNode) else term.value


def _obj(term: Any) -> Any:
    if isinstance(term, ox.Literal):
        return (term.value, "@" + term.language) if term.language else (term.value, term.datatype.value)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    return None


def _locate_triple(finding: Finding, where: str, count: int = 1) -> Problem:
    focus = finding.focus if finding.focus.startswith("_:") else f"<{finding.focus}>"
    if finding.path is None:
        triple = f"{focus} (the node itself)"
    elif finding.value is None:
        triple = f"{focus} <{finding.path}> (no value or too many values)"
    else:
        triple = f"{focus} <{finding.path}> {obj_nt(finding.value)}"
    more = f" ({count} triples refer to it)" if count > 1 else ""
    return Problem(finding.message + more, severity=finding.severity, file=where, triple=triple,
                   value=obj_text(finding.value), focus=finding.focus,
                   path=short(finding.path) if finding.path else None, constraint=short(finding.component),
                   shape=short(finding.shape))


# --------------------------------------------------------------------------------------------
# commit, describe, list, delete, recover
# --------------------------------------------------------------------------------------------


def _nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: object, datatype: str | None = None) -> ox.Literal:
    if datatype:
        return ox.Literal(str(value), datatype=_nn(datatype))
    return ox.Literal(str(value))


def _metadata(prepared: Prepared, agent: str, started: dt.datetime, triples: int,
              replaces: str | None) -> list[ox.Quad]:
    g = _nn(loads_graph())
    graph = _nn(load_graph(prepared.load_id))
    activity = _nn(str(ID[LOAD_PREFIX + prepared.load_id]))
    source = _nn(str(ID["file/sha256-" + prepared.info.sha256]))
    who = _nn(str(ID["agent/" + (slug(agent) or "unknown")]))
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    rdf_type = _nn(RDF_TYPE)
    quads = [
        (graph, rdf_type, _nn(PROV + "Entity")),
        (graph, rdf_type, _nn(VOID + "Dataset")),
        (graph, _nn(DCT + "identifier"), _lit(prepared.load_id)),
        (graph, _nn(DCT + "title"), _lit(f"Load of {prepared.info.name}")),
        (graph, _nn(PROV + "wasGeneratedBy"), activity),
        (graph, _nn(PROV + "wasAttributedTo"), who),
        (graph, _nn(PROV + "generatedAtTime"), _lit(now.isoformat(), XSD + "dateTime")),
        (graph, _nn(PROV + "wasDerivedFrom"), source),
        (graph, _nn(VOID + "triples"), _lit(triples, XSD + "integer")),
        (graph, _nn(str(MS.rowCount)), _lit(prepared.rows, XSD + "integer")),
        (activity, rdf_type, _nn(PROV + "Activity")),
        (activity, _nn(PROV + "startedAtTime"), _lit(started.isoformat(), XSD + "dateTime")),
        (activity, _nn(PROV + "endedAtTime"), _lit(now.isoformat(), XSD + "dateTime")),
        (activity, _nn(PROV + "wasAssociatedWith"), who),
        (activity, _nn(PROV + "used"), source),
        (source, rdf_type, _nn(PROV + "Entity")),
        (source, _nn(DCT + "title"), _lit(prepared.info.name)),
        (source, _nn(DCT + "identifier"), _lit("sha256:" + prepared.info.sha256)),
        (source, _nn(DCT + "format"), _lit(prepared.info.media_type)),
        (source, _nn(DCT + "extent"), _lit(f"{prepared.info.size} bytes")),
        (who, rdf_type, _nn(PROV + "Agent")),
        (who, _nn(PREFIXES["rdfs"] + "label"), _lit(agent)),
    ]
    for mapping in prepared.mappings:
        plan = _nn(str(ID[f"mapping/{mapping.name}/{mapping.sha256[:12]}"]))
        quads += [
            (activity, _nn(PROV + "used"), plan),
            (graph, _nn(DCT + "conformsTo"), plan),
            (plan, rdf_type, _nn(PROV + "Plan")),
            (plan, _nn(DCT + "title"), _lit(f"mapping {mapping.name}")),
            (plan, _nn(DCT + "source"), _lit(f"data/mappings/{mapping.path.name}")),
            (plan, _nn(DCT + "identifier"), _lit("sha256:" + mapping.sha256)),
        ]
    if replaces:
        quads.append((graph, _nn(PROV + "wasRevisionOf"), _nn(load_graph(replaces))))
    return [ox.Quad(s, p, o, g) for s, p, o in quads]


def commit(store: OxigraphStore, prepared: Prepared, *, agent: str, replaces: str | None = None,
           transaction_limit: int = TRANSACTION_LIMIT, say: Say | None = None) -> dict[str, Any]:
    """Write a prepared load; see the module docstring for why large loads commit by marker."""
    say = say or (lambda _m: None)
    if prepared.existing is not None:
        return {**prepared.existing, "unchanged": True}
    assert prepared.staged is not None
    started = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    graph = load_graph(prepared.load_id)
    lines = _count_lines(prepared.staged)
    try:
        if lines <= transaction_limit:
            quads = list(dict.fromkeys(ox.parse(path=str(prepared.staged), format=ox.RdfFormat.N_TRIPLES)))
            data = [ox.Quad(q.subject, q.predicate, q.object, _nn(graph)) for q in quads]
            say(f"writing {len(data):,} triples into {short(graph)} in one transaction")
            store.add_quads(data + _metadata(prepared, agent, started, len(data), replaces))
        else:
            say(f"writing {lines:,} triples into {short(graph)} in bulk")
            # lenient: the staged N-Triples are our own output, their IRIs built by templates or already parsed
            store.raw.bulk_load(path=str(prepared.staged), format=ox.RdfFormat.N_TRIPLES, to_graph=_nn(graph),
                                lenient=True)
            triples = store.count(graph)
            say(f"committing the load description ({triples:,} distinct triples)")
            store.add_quads(_metadata(prepared, agent, started, triples, replaces))
    finally:
        prepared.staged.unlink(missing_ok=True)
    if replaces and replaces != prepared.load_id:
        delete_load(store, replaces, _locked=True)
    store.flush()
    description = _description(store, prepared.load_id) or {}
    return {**description, "unchanged": False, "tables": prepared.tables,
            "warnings": [w.as_dict() for w in prepared.warnings],
            "notes": [n.as_dict() for n in prepared.notes], "encoding": prepared.info.encoding,
            "delimiter": prepared.info.delimiter}


def _count_lines(path: Path) -> int:
    count = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def load_files(store: OxigraphStore, settings: Settings, requests: list[LoadRequest], *, agent: str | None = None,
               replace: str | None = None, transaction_limit: int = TRANSACTION_LIMIT, say: Say | None = None,
               progress: Bytes | None = None) -> list[dict[str, Any]]:
    """Validate every file, then commit each: one bad file refuses them all, with every problem listed."""
    if replace and len(requests) != 1:
        raise InputError("--replace takes exactly one file: the new version of that load")
    agent = agent or _cli_user()
    with _write_lock:
        recover(store, settings)
        if replace and _description(store, replace) is None:
            raise NotFound(f"there is no load {replace!r} to replace; see the list of loads", where="replace")
        prepared: list[Prepared] = []
        errors: list[MedsupplyError] = []
        pending = reach(store, settings, [load_graph(replace)]) if replace else {}
        try:
            for request in requests:
                try:
                    item = prepare(store, settings, request, say=say, progress=progress)
                except MedsupplyError as exc:
                    errors.append(exc)
                    continue
                if any(p.load_id == item.load_id for p in prepared):  # the same bytes twice in one command
                    if item.staged:
                        item.staged.unlink(missing_ok=True)
                    continue
                prepared.append(item)
            if errors:
                raise _combine(errors)
            results = []
            for item in prepared:
                results.append(commit(store, item, agent=agent, replaces=replace,
                                      transaction_limit=transaction_limit, say=say))
            written = [load_graph(item.load_id) for item, r in zip(prepared, results) if not r.get("unchanged")]
            rederive(store, reach(store, settings, written, into=pending), say)
            return results
        finally:
            for item in prepared:
                if item.staged:
                    item.staged.unlink(missing_ok=True)


def _combine(errors: list[MedsupplyError]) -> MedsupplyError:
    if len(errors) == 1:
        return errors[0]
    details = []
    for exc in errors:
        details += exc.details or [{"message": exc.message, "file": exc.where}]
    first = errors[0]
    return ValidationFailed(f"{len(errors)} files were refused; nothing was loaded. First: {first}",
                            where=first.where, details=details)


def _cli_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


_DESCRIBE = """
SELECT ?id ?title ?at ?agentLabel ?file ?sha ?format ?extent ?triples ?rows ?revisionOf ?started ?ended
WHERE { GRAPH ?meta {
  ?graph dcterms:identifier ?id ; prov:generatedAtTime ?at ; prov:wasDerivedFrom ?source ;
         prov:wasAttributedTo ?agent ; prov:wasGeneratedBy ?activity .
  OPTIONAL { ?graph dcterms:title ?title }
  OPTIONAL { ?graph void:triples ?triples }
  OPTIONAL { ?graph ms:rowCount ?rows }
  OPTIONAL { ?graph prov:wasRevisionOf ?revisionOf }
  OPTIONAL { ?agent rdfs:label ?agentLabel }
  OPTIONAL { ?activity prov:startedAtTime ?started }
  OPTIONAL { ?activity prov:endedAtTime ?ended }
  ?source dcterms:title ?file ; dcterms:identifier ?sha .
  OPTIONAL { ?source dcterms:format ?format }
  OPTIONAL { ?source dcterms:extent ?extent }
} }
"""


def _rows(store: OxigraphStore, graph: str | None) -> list[dict[str, Any]]:
    """Load descriptions; IRIs are ours (``graph`` is built from a checked id), never user text."""
    sparql = "PREFIX void: <http://rdfs.org/ns/void#>\n" + _DESCRIBE.replace("?meta", f"<{loads_graph()}>")
    sparql = sparql.replace("SELECT ?id", "SELECT ?graph ?id")
    if graph:
        sparql = sparql.replace("WHERE {", f"WHERE {{ VALUES ?graph {{ <{graph}> }}", 1)
    return store.select(sparql)


def _as_description(store: OxigraphStore, row: dict[str, Any], graph: str) -> dict[str, Any]:
    load_id = row["id"].value
    mappings = sorted(q.object.value for q in store.raw.quads_for_pattern(
        _nn(graph), _nn(DCT + "conformsTo"), None, _nn(loads_graph())))
    out: dict[str, Any] = {
        "id": load_id,
        "graph": graph,
        "title": row["title"].value if "title" in row else None,
        "loaded_at": row["at"].value,
        "loaded_by": row["agentLabel"].value if "agentLabel" in row else None,
        "file": row["file"].value,
        "sha256": row["sha"].value.removeprefix("sha256:"),
        "format": row["format"].value if "format" in row else None,
        "bytes": int(row["extent"].value.split()[0]) if "extent" in row else None,
        "rows": int(row["rows"].value) if "rows" in row else None,
        "triples": int(row["triples"].value) if "triples" in row else None,
        "mappings": [m.rsplit("/", 2)[-2] for m in mappings],
        "mapping_versions": mappings,
        "replaces": row["revisionOf"].value.rsplit("/", 1)[-1] if "revisionOf" in row else None,
        "started_at": row["started"].value if "started" in row else None,
    }
    return {k: v for k, v in out.items() if v is not None}


def _description(store: OxigraphStore, load_id: str) -> dict[str, Any] | None:
    if not _ID.fullmatch(load_id):
        return None
    graph = load_graph(load_id)
    rows = _rows(store, graph)
    return _as_description(store, rows[0], graph) if rows else None


def load_for_graph(store: OxigraphStore, graph: str) -> dict[str, Any] | None:
    """The load a named graph holds, for citing it next to a fact (None for source graphs).

    Answers and reports that find a fact in ``GRAPH ?g`` call this with ``?g`` to say "from
    stock.csv (sha256 …), loaded by … on …"."""
    prefix = graph_iri(LOAD_PREFIX)
    return _description(store, graph[len(prefix):]) if graph.startswith(prefix) else None


def list_loads(store: OxigraphStore, settings: Settings | None = None) -> list[dict[str, Any]]:
    """Every committed load, newest first."""
    if settings is not None:
        with _write_lock:
            recover(store, settings)
    out = [_as_description(store, row, row["graph"].value) for row in _rows(store, None)]
    return sorted(out, key=lambda d: (d["loaded_at"], d["id"]), reverse=True)


def describe_load(store: OxigraphStore, load_id: str) -> dict[str, Any]:
    """A load's description plus what its graph holds, by class."""
    description = _description(store, load_id)
    if description is None:
        raise NotFound(f"there is no load {load_id!r}; see the list of loads", where="id")
    classes = store.select(
        f"SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{description['graph']}> {{ ?s a ?class }} }} "
        "GROUP BY ?class ORDER BY DESC(?n)")
    description["classes"] = {short(r["class"].value): int(r["n"].value) for r in classes}
    description["stored_triples"] = store.count(description["graph"])
    return description


def delete_load(store: OxigraphStore, load_id: str, *, _locked: bool = False) -> dict[str, Any]:
    """Remove a load: its description first (the commit point), then its graph."""
    if not _locked:
        with _write_lock:
            settings = load_settings()
            pending = reach(store, settings, [load_graph(load_id)])
            description = delete_load(store, load_id, _locked=True)
            rederive(store, pending)
            store.flush()
            return description
    description = _description(store, load_id)
    if description is None:
        raise NotFound(f"there is no load {load_id!r}; see the list of loads", where="id")
    graph = load_graph(load_id)
    activity = str(ID[LOAD_PREFIX + load_id])
    source = str(ID["file/sha256-" + description["sha256"]])
    meta = _nn(loads_graph())
    doomed = [q for s in (graph, activity, source) for q in store.raw.quads_for_pattern(_nn(s), None, None, meta)]
    shared = {q.object for q in doomed if isinstance(q.object, ox.NamedNode)} - {_nn(graph), _nn(activity), _nn(source)}
    for quad in doomed:
        store.raw.remove(quad)
    for node in shared:  # the agent and mapping descriptions, once no other load refers to them
        if not any(True for _ in store.raw.quads_for_pattern(None, None, node, meta)):
            for quad in list(store.raw.quads_for_pattern(node, None, None, meta)):
                store.raw.remove(quad)
    store.drop_graph(graph)
    store.flush()
    return description


def recover(store: OxigraphStore, settings: Settings | None = None) -> list[str]:
    """Undo what a process that died half-way left behind. Returns the graphs it dropped.

    Call before loading (the loaders here do) and on opening a store for writing.
    """
    if store.read_only:
        return []
    dropped = []
    prefix = graph_iri(LOAD_PREFIX)
    committed = {row["graph"].value for row in _rows(store, None)}
    for graph in store.named_graphs():
        if graph.startswith(prefix) and graph not in committed:
            store.drop_graph(graph)
            dropped.append(graph)
    for row in _rows(store, None):
        if "revisionOf" in row:
            old = row["revisionOf"].value.removeprefix(prefix)
            if old != row["id"].value and _description(store, old) is not None:
                pending = reach(store, settings or load_settings(), [load_graph(old)])
                delete_load(store, old, _locked=True)
                rederive(store, pending)
                dropped.append(load_graph(old))
    folder = staging_dir(store)
    if folder.exists() and store.path is not None:  # the temp folder of in-memory stores is shared
        for leftover in folder.glob("*.nt"):
            leftover.unlink(missing_ok=True)
        for leftover in folder.glob("*-rdf-*"):
            shutil.rmtree(leftover, ignore_errors=True)
    if dropped:
        store.flush()
    return dropped


def upload_path(store: OxigraphStore, suffix: str = "") -> Path:
    """A fresh file beside the store for an upload to be streamed into (never held whole in memory)."""
    folder = staging_dir(store) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="upload-", suffix=suffix, dir=folder)
    os.close(fd)
    return Path(name)
