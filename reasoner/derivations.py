"""Load-time derivations: facts that are cheap to keep and expensive to recompute on every question.

Each ``queries/derive/NAME.rq`` is a CONSTRUCT over the whole store (the union of its graphs);
what it constructs replaces the graph ``msg:derived/NAME`` in one step, so each derived graph
always matches the data it was derived from and says which query made it. They run after every
change of the data: the default dataset's load, and every user load or deletion
(:mod:`reasoner.ingest.loads`) — there only the derivations whose vocabulary occurs in the changed
graph, so that loading a price list does not recompute contract links over a million products.

And within a derivation, only what the change can alter, where the derivation says how far a change
reaches: ``queries/reach/NAME.rq`` is a SELECT of the *focus* nodes (the subjects of what the
derivation constructs) that a change of one graph can alter. It runs with that graph as its only
named graph (``GRAPH ?changed { … }`` ranges over it) and the union of all graphs as its default
graph. Each node found is derived again alone (its variable given as a substitution, which the store
pushes into the query) and its triples in the derived graph are swapped in one transaction: loading
or deleting one product at 100k products takes about a second instead of 49-56 s. A reach that finds
more than ``derive_focus_limit`` nodes (or a blank node), or a derivation without one, means the
whole derivation again. That each reach is complete is tested: after loads, replacements and
deletions every derived graph equals a whole derivation (``tests/test_derivations.py``).

Why not in the questions themselves: some facts need a self-join over a whole class (every
contract of the same buyer and substance, for example). pyoxigraph evaluates such a join in
full on every call, even when the question is about one product, so a per-product check would pay
for all contracts each time (about 70 ms on the default dataset). Kept as links, the same fact is
an index lookup. Which derivations exist is data: this module knows none of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from reasoner.config import Settings, load_settings
from reasoner.errors import NotFound, RuleDataError
from reasoner.inference import RDF_TYPE
from reasoner.namespaces import PREFIXES, graph_iri
from reasoner.queries import NamedQuery, all_queries, named_query
from reasoner.store import OxigraphStore

FOLDER = "derive"
REACH_FOLDER = "reach"
_PREFIXED_NAME = re.compile(r"\b([a-z][a-z0-9]*):([A-Za-z_][A-Za-z0-9_-]*)")


def derivation_queries(settings: Settings) -> list[NamedQuery]:
    """The CONSTRUCT queries under ``queries/derive/``, in name order."""
    return all_queries(settings.queries_dir, FOLDER)


def derived_graph(query: NamedQuery) -> str:
    """The graph that holds what one derivation constructs: ``msg:derived/NAME``."""
    return graph_iri(query.name)


def vocabulary(query: NamedQuery) -> set[str]:
    """The IRIs of the terms a derivation's WHERE clause names (its possible inputs)."""
    where = query.sparql[query.sparql.upper().index("WHERE"):]
    return {PREFIXES[p] + local for p, local in _PREFIXED_NAME.findall(where) if p in PREFIXES}


def _touches(store: OxigraphStore, graph: str, terms: set[str]) -> bool:
    """Whether ``graph`` uses any of ``terms`` as a predicate or as a class."""
    node = ox.NamedNode(graph)
    raw = store.raw
    for term in terms:
        iri = ox.NamedNode(term)
        if next(iter(raw.quads_for_pattern(None, iri, None, node)), None) is not None:
            return True
        if next(iter(raw.quads_for_pattern(None, RDF_TYPE, iri, node)), None) is not None:
            return True
    return False


def affected(store: OxigraphStore, settings: Settings, graphs: Iterable[str]) -> list[NamedQuery]:
    """The derivations that read anything the given graphs hold (call before dropping a graph)."""
    graphs = list(graphs)
    return [q for q in derivation_queries(settings) if any(_touches(store, g, vocabulary(q)) for g in graphs)]


def reach_query(settings: Settings, query: NamedQuery) -> NamedQuery | None:
    """``queries/reach/NAME.rq`` for the derivation ``derive/NAME``, if there is one."""
    try:
        return named_query(settings.queries_dir, f"{REACH_FOLDER}/{query.name.removeprefix(FOLDER + '/')}")
    except NotFound:
        return None


@dataclass
class Rederivation:
    """What a change calls for in one derivation: all of it again (``whole``), or only the
    ``nodes`` of its focus variable ``focus``."""

    query: NamedQuery
    whole: bool = False
    focus: str | None = None
    nodes: set[ox.NamedNode] = field(default_factory=set)


Pending = dict[str, Rederivation]
"""The derivations a change calls for, by name."""


def reach(store: OxigraphStore, settings: Settings, graphs: Iterable[str], into: Pending | None = None) -> Pending:
    """What changing ``graphs`` calls for, added to ``into``: call after adding a graph and before
    removing one (the reach follows the links the graph holds, so they must still be there)."""
    pending: Pending = {} if into is None else into
    graphs = list(graphs)
    for query in affected(store, settings, graphs):
        entry = pending.setdefault(query.name, Rederivation(query))
        reach_of = reach_query(settings, query)
        for graph in graphs:
            if reach_of is None or entry.whole:
                entry.whole = True
                break
            _extend(store, reach_of, graph, entry, settings.derive_focus_limit)
        if entry.whole:
            entry.nodes.clear()
    return pending


def _extend(store: OxigraphStore, reach_of: NamedQuery, graph: str, entry: Rederivation, limit: int) -> None:
    """Add the focus nodes a change of ``graph`` reaches to ``entry``, or mark it whole."""
    result = store.query(reach_of.sparql, named_graphs=[graph])
    entry.focus = result.variables[0].value
    for solution in result:
        node = solution[0]
        if node is None:
            continue
        # a blank node cannot be asked for alone; beyond the limit the whole derivation is cheaper
        if not isinstance(node, ox.NamedNode) or len(entry.nodes) >= limit:
            entry.whole = True
            return
        entry.nodes.add(node)


def rederive(store: OxigraphStore, pending: Pending, progress: Callable[[str], None] | None = None) -> int:
    """Carry out what :func:`reach` found; returns the triples written (added or removed)."""
    say = progress or (lambda _msg: None)
    written = 0
    for entry in pending.values():
        if entry.whole:
            written += derive_whole(store, entry.query, say)
        elif entry.nodes and entry.focus:
            say(f"deriving {entry.query.title.lower()} for {len(entry.nodes):,} {entry.focus} node(s)")
            written += _derive_nodes(store, entry.query, entry.focus, entry.nodes)
    return written


def _constructed(store: OxigraphStore, query: NamedQuery, **substitutions: ox.NamedNode) -> ox.QueryTriples:
    result = store.query(query.sparql, substitutions=substitutions or None)
    if not isinstance(result, ox.QueryTriples):
        raise RuleDataError("a derivation must be a CONSTRUCT query", where=query.name)
    return result


def _derive_nodes(store: OxigraphStore, query: NamedQuery, focus: str, nodes: Iterable[ox.NamedNode]) -> int:
    """Derive again what ``query`` constructs about each of ``nodes``, and swap it in one transaction."""
    graph = ox.NamedNode(derived_graph(query))
    old: set[ox.Quad] = set()
    new: set[ox.Quad] = set()
    for node in nodes:
        old.update(store.raw.quads_for_pattern(node, None, None, graph))
        for triple in _constructed(store, query, **{focus: node}):
            if triple.subject != node or isinstance(triple.object, ox.BlankNode):
                raise RuleDataError(f"a derivation with a reach query must construct triples about its ?{focus} "
                                    f"only, without blank nodes; it made {triple}", where=query.name)
            new.add(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
    removed, added = old - new, new - old
    store.change_graph(graph.value, removed=removed, added=added)
    return len(removed) + len(added)


def derive_whole(store: OxigraphStore, query: NamedQuery, progress: Callable[[str], None] | None = None) -> int:
    """Recompute one derived graph over the whole store; returns the triples written."""
    (progress or (lambda _msg: None))(f"deriving {query.title.lower()}")
    graph = ox.NamedNode(derived_graph(query))
    return store.replace_graph(graph.value, (ox.Quad(t.subject, t.predicate, t.object, graph)
                                             for t in _constructed(store, query)))


def derive(store: OxigraphStore, settings: Settings | None = None,
           progress: Callable[[str], None] | None = None) -> int:
    """Recompute every derived graph over the whole store (after a build); returns the triples written."""
    settings = settings or load_settings()
    return sum(derive_whole(store, query, progress) for query in derivation_queries(settings))
