"""The embedded default dataset: ontology, law and shapes, and the committed source extracts.

Layout (all relative to the project home):

- ``ontology/*.ttl``        → named graph ``ontology``
- ``shapes/*.ttl``          → named graph ``shapes`` (rules, their legal basis and versions)
- ``data/default/*.ttl``    → one named graph per file, named after the file's stem
  (``data/default/ulcm.ttl`` → graph ``ulcm``); ``catalog.ttl`` describes every source graph.

Every read command calls :func:`ensure_loaded`, so the service works out of the box: an empty
store is filled, and a store whose default graphs came from other files is refreshed. Graphs
loaded by users are never touched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from reasoner.config import Settings
from reasoner.namespaces import MS, graph_iri
from reasoner.store import OxigraphStore, parse_rdf, rdf_format

SYSTEM_GRAPH = "system"
INFERENCES_GRAPH = "inferences"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class GraphFile:
    """One file of the default dataset and the named graph it goes into."""

    graph: str
    path: Path


def default_files(settings: Settings) -> list[GraphFile]:
    """Every file of the default dataset, in load order, with its target graph name."""
    files = [GraphFile("ontology", p) for p in sorted(settings.ontology_dir.glob("*.ttl"))]
    files += [GraphFile("shapes", p) for p in sorted(settings.shapes_dir.glob("*.ttl"))]
    files += [GraphFile(p.name.split(".")[0], p) for p in sorted(settings.default_dataset_dir.glob("*.ttl"))]
    files += [GraphFile(p.name.split(".")[0], p) for p in sorted(settings.default_dataset_dir.glob("*.nt.gz"))]
    return files


def dataset_version(settings: Settings) -> str:
    """A content hash of every default file: the same files give the same version."""
    digest = hashlib.sha256()
    for item in default_files(settings):
        digest.update(item.graph.encode())
        digest.update(item.path.read_bytes())
    for query in sorted((settings.queries_dir / "derive").glob("*.rq")):  # what load derives from them
        digest.update(query.read_bytes())
    return digest.hexdigest()[:16]


def loaded_version(store: OxigraphStore) -> str | None:
    rows = store.select(
        "SELECT ?g ?p ?v WHERE { GRAPH ?g { ?g ?p ?v } }",
        substitutions={"g": ox.NamedNode(graph_iri(SYSTEM_GRAPH)), "p": ox.NamedNode(str(MS.datasetVersion))},
    )
    return rows[0]["v"].value if rows else None


def load_default_dataset(store: OxigraphStore, settings: Settings, progress: Progress | None = None) -> dict[str, int]:
    """(Re)load every default graph and materialise inferences. Returns quads per graph.

    Each graph is parsed completely before it replaces its old content, so a broken file stops
    the load with a located error and the graphs already in the store stay as they were.
    """
    from reasoner.derivations import derive
    from reasoner.inference import materialise

    say = progress or (lambda _msg: None)
    by_graph: dict[str, list[ox.Quad]] = {}
    for item in default_files(settings):
        say(f"parsing {item.path.relative_to(settings.home)}")
        fmt = rdf_format(item.path)
        source: Path | bytes = item.path
        if item.path.suffix == ".gz":
            import gzip

            source = gzip.decompress(item.path.read_bytes())
        by_graph.setdefault(item.graph, []).extend(
            parse_rdf(source, fmt, graph=graph_iri(item.graph), where=str(item.path.relative_to(settings.home)))
        )
    counts: dict[str, int] = {}
    for name, quads in by_graph.items():
        say(f"writing graph {name} ({len(quads)} quads)")
        store.drop_graph(graph_iri(name))
        counts[name] = store.add_quads(quads)
    say("materialising OWL 2 RL inferences")
    counts[INFERENCES_GRAPH] = materialise(store)
    counts["derive"] = derive(store, settings, say)
    version = dataset_version(settings)
    store.replace_graph(
        graph_iri(SYSTEM_GRAPH),
        [ox.Quad(ox.NamedNode(graph_iri(SYSTEM_GRAPH)), ox.NamedNode(str(MS.datasetVersion)),
                 ox.Literal(version), ox.NamedNode(graph_iri(SYSTEM_GRAPH)))],
    )
    store.flush()
    return counts


def ensure_loaded(store: OxigraphStore, settings: Settings, progress: Progress | None = None) -> bool:
    """Load the default dataset when the store is empty or holds an older version. True if loaded."""
    if store.read_only:
        return False
    if loaded_version(store) == dataset_version(settings):
        return False
    load_default_dataset(store, settings, progress)
    return True


def open_store(settings: Settings, *, progress: Progress | None = None, read_only: bool = False) -> OxigraphStore:
    """Open the configured store and make sure the default dataset is in it."""
    from reasoner.ingest.loads import recover

    store = OxigraphStore(settings.store_path, read_only=read_only)
    recover(store, settings)  # a user load that died half-way leaves nothing behind
    ensure_loaded(store, settings, progress)
    return store
