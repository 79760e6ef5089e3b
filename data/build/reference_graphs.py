"""Graphs ``atc`` and ``countries``: only the codes the other graphs use (plus ATC ancestors)."""

from __future__ import annotations

from data.build import terms as t
from reasoner.errors import InputError
from data.build.context import BuildContext
from data.build.turtle import Graph, boolean, integer, text

ATC_LEVEL_BY_LENGTH = {1: 1, 3: 2, 4: 3, 5: 4, 7: 5}


def used(graphs: list[Graph], prefix_term: str) -> set[str]:
    """Local codes of every IRI under ``prefix_term`` (e.g. ``msid:atc/``) used in ``graphs``."""
    base = prefix_term[1:-1]
    codes: set[str] = set()
    for g in graphs:
        for s, _p, o in g.triples():
            for term in (s, o):
                if term.startswith("<" + base):
                    codes.add(term[len(base) + 1:-1])
    return codes


def ancestors(code: str) -> list[str]:
    return [code[:n] for n in sorted(ATC_LEVEL_BY_LENGTH) if n < len(code)]


def build_atc(ctx: BuildContext, graphs: list[Graph]) -> Graph:
    g = Graph("atc")
    scheme = t.node("atc")
    who = ctx.who_atc
    codes = used(graphs, t.node("atc/"))
    everything = set(codes) | {a for c in codes for a in ancestors(c)}
    g.add(scheme, t.A, t.std("skos:ConceptScheme"))
    g.add(scheme, t.LABEL, text("WHO Anatomical Therapeutic Chemical (ATC) classification", "en"))
    unknown = []
    for code in sorted(everything):
        node = t.atc(code)
        g.add(node, t.A, t.ms("ATCCode"))
        g.add(node, t.A, t.std("skos:Concept"))
        g.add(node, t.std("skos:notation"), text(code))
        g.add(node, t.std("skos:inScheme"), scheme)
        level = ATC_LEVEL_BY_LENGTH.get(len(code))
        g.add(node, t.ms("atcLevel"), integer(level) if level else None)
        parents = ancestors(code)
        g.add(node, t.std("skos:broader"), t.atc(parents[-1]) if parents else None)
        if code in who:
            g.add(node, t.std("skos:prefLabel"), text(who[code], "en"))
        else:
            unknown.append(code)
            g.add(node, t.ms("sourceNote"), text(f"code as published by a source; not in the WHO ATC index of {ctx.sources['atc']['issued']}", "en"))
        if level == 1:
            g.add(scheme, t.std("skos:hasTopConcept"), node)
    ctx.note("atc", f"{len(codes)} codes used, {len(everything)} with ancestors; not in the WHO index: {unknown or 'none'}")
    ctx.row_counts["atc"] = len(everything)
    return g


def build_countries(ctx: BuildContext, graphs: list[Graph]) -> Graph:
    g = Graph("countries")
    codes = used(graphs, t.node("country/"))
    for code in sorted(codes):
        node = t.country(code)
        eu, eea = ctx.eu_eea.get(code, (False, False))
        g.add(node, t.A, t.ms("Country"))
        g.add(node, t.ms("isoAlpha2"), text(code))
        name = ctx.country_names.get(code)
        if name is None:
            raise InputError(f"country code {code} has no name in data/build/reference/countries.csv; add it")
        g.add(node, t.LABEL, text(name, "en"))
        g.add(node, t.ms("euMember"), boolean(eu))
        g.add(node, t.ms("euEeaMember"), boolean(eea))
    ctx.row_counts["countries"] = len(codes)
    return g
