"""Graph ``catalog``: one description per graph of the default dataset (the graph IRI itself)."""

from __future__ import annotations

from datetime import date

from data.build import terms as t
from data.build.context import BuildContext
from data.build.turtle import Graph, boolean, day, integer, text


def build(ctx: BuildContext, graphs: list[Graph]) -> Graph:
    g = Graph("catalog")
    names = [gr.name for gr in graphs] + ["catalog"]
    sizes = {gr.name: len(gr) for gr in graphs}
    ctx.row_counts["catalog"] = len(names)
    for name in sorted(names):
        spec = ctx.sources[name]
        node = t.graph(name)
        g.add(node, t.A, t.std("prov:Entity"))
        g.add(node, t.std("dcterms:title"), text(spec["title"], "en"))
        if spec.get("repository"):
            for repository in str(spec["repository"]).split(" ; "):
                g.add(node, t.std("dcterms:source"), t.iri(repository))
            g.add(node, t.std("dcterms:source"), text(
                f"{spec['repository']} — {spec['path']} (commit {spec['commit']})"))
        for upstream in spec.get("upstream", []):
            g.add(node, t.std("dcterms:source"), t.iri(upstream))
        for reference in spec.get("reference", []):
            g.add(node, t.std("dcterms:source"), text(f"medsupply data/build/{reference}"))
        g.add(node, t.std("dcterms:license"), text(spec["license"], "en"))
        issued = spec["issued"] if isinstance(spec["issued"], date) else date.fromisoformat(str(spec["issued"]))
        g.add(node, t.std("dcterms:issued"), day(issued))
        g.add(node, t.std("dcterms:bibliographicCitation"), text(spec["citation"], "en"))
        g.add(node, t.ms("synthetic"), boolean(bool(spec.get("synthetic", False))))
        g.add(node, t.ms("sourceNote"), text(spec["caveat"], "en") if spec.get("caveat") else None)
        for line in ctx.notes.get(name, []):
            g.add(node, t.COMMENT, text(line, "en"))
        g.add(node, t.ms("rowCount"), integer(ctx.row_counts.get(name, 0)))
        if name != "catalog":
            g.add(node, t.ms("tripleCount"), integer(sizes[name]))
    g.add(t.graph("catalog"), t.ms("tripleCount"), integer(len(g) + 1))
    return g
