"""Load-time derivations: facts that are cheap to keep and expensive to recompute on every question.

Each ``queries/derive/NAME.rq`` is a CONSTRUCT over the whole store (the union of its graphs);
what it constructs replaces the graph ``msg:derived/NAME`` in one step, so each derived graph
always matches the data it was derived from and says which query made it. They run after every
change of the data: the default dataset's load, and every user load or deletion
(:mod:`reasoner.ingest.loads`) — there only the derivations whose vocabulary occurs in the changed
graph, so that loading a price list does not recompute contract links over a million products.

Why not in the questions themselves: some facts need a self-join over a whole class (every
contract of the same buyer and substance, for example). pyoxigraph evaluates such a join in
full on every call, even when the question is about one product, so a per-product check would pay
for all contracts each time (about 70 ms on the default dataset). Kept as links, the same fact is
an index lookup. Which derivations exist is data: this module knows none of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import pyoxigraph as ox

from reasoner.config import Settings, load_settings
from reasoner.errors import RuleDataError
from reasoner.inference import RDF_TYPE
from reasoner.namespaces import PREFIXES, graph_iri
from reasoner.queries import NamedQuery, all_queries
from reasoner.store import OxigraphStore

FOLDER = "derive"
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


def derive(store: OxigraphStore, settings: Settings | None = None, progress: Callable[[str], None] | None = None,
           only: Iterable[NamedQuery] | None = None) -> int:
    """Recompute the derived graphs (all, or ``only`` these derivations); returns the triples written."""
    settings = settings or load_settings()
    say = progress or (lambda _msg: None)
    written = 0
    for query in (derivation_queries(settings) if only is None else list(only)):
        say(f"deriving {query.title.lower()}")
        result = store.query(query.sparql)
        if not isinstance(result, ox.QueryTriples):
            raise RuleDataError("a derivation must be a CONSTRUCT query", where=query.name)
        graph = ox.NamedNode(derived_graph(query))
        written += store.replace_graph(graph.value, (ox.Quad(t.subject, t.predicate, t.object, graph) for t in result))
    return written
