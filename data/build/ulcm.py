"""Graph ``ulcm``: the Union list of critical medicines — the list, its entries and their substances."""

from __future__ import annotations

import csv
from datetime import date

from data.build import terms as t
from data.build.context import BuildContext
from data.build.turtle import Graph, day, text


def entry_term(ctx: BuildContext, norm_key: str) -> str:
    """The IRI of the ULCM entry for a substance key (shared with graph ``api-suppliers``)."""
    return t.node(f"union-list-entry/{t.slug(ctx.mappings['ulcm']['list'].split('/')[-1])}/{t.slug(norm_key)}")


def build(ctx: BuildContext) -> Graph:
    g = Graph("ulcm")
    spec = ctx.mappings["ulcm"]
    files = ctx.sources["ulcm"]["files"]
    listed = t.node(spec["list"])
    g.add(listed, t.A, t.ms("CriticalMedicinesList"))
    g.add(listed, t.LABEL, text(spec["label"], "en"))
    g.add(listed, t.std("owl:versionInfo"), text(spec["version_info"]))
    g.add(listed, t.std("dcterms:issued"), day(spec["issued"] if isinstance(spec["issued"], date)
                                               else date.fromisoformat(spec["issued"])))
    g.add(listed, t.std("dcterms:identifier"), text(spec["identifier"]))

    critical = {line.strip() for line in ctx.path(files[0]).read_text(encoding="utf-8").splitlines()[1:]
                if line.strip()}
    rows = list(csv.DictReader(open(ctx.path(files[1]), encoding="utf-8-sig")))
    covered: set[str] = set()
    entries: set[str] = set()
    for row in rows:
        key = row["norm_key"]
        entry = entry_term(ctx, key)
        entries.add(key)
        codes = [c for c in row["atc_codes"].split("|") if c]
        covered.update(codes)
        g.add(entry, t.A, t.ms("UnionListEntry"))
        g.add(entry, t.ms("onList"), listed)
        g.add(entry, t.ms("listedName"), text(row["ulcm_substance_raw"]))
        g.add_all(entry, t.ms("atcCode"), (t.atc(c) for c in codes))
        substance = ctx.substances.by_key[key]
        g.add(entry, t.ms("concernsSubstance"), substance.term)
        ctx.substances.describe(g, substance)
    missing = sorted(critical - covered)
    extra = sorted(covered - critical)
    ctx.note("ulcm", f"{len(critical)} ATC5 codes in critical.csv, {len(covered)} on entries; "
                     f"{len(entries)} substance entries; not on an entry: {missing or 'none'}; "
                     f"only on entries: {extra or 'none'}")
    for code in missing:  # keep every listed code even if no entry names it
        g.add(listed, t.ms("atcCode"), t.atc(code))
    ctx.row_counts["ulcm"] = len(rows)
    return g
