"""Graph ``api-suppliers``: who makes and releases each ULCM substance, and where.

Per substance entry and role the source gives only aggregate figures. They are written as given
(an ``ms:PublishedConcentration`` node) and, next to them, ``n_suppliers`` reconstructed supplier
nodes whose per-country counts reproduce those figures (:mod:`data.build.reconstruct`).
Rows without a role mean "no supplier found in the sources": that is kept as a fact
(``ms:noSupplierFound true``), never as zero suppliers.
"""

from __future__ import annotations

import csv

from data.build import terms as t
from data.build.context import BuildContext
from data.build.reconstruct import Published, reconstruct
from data.build.turtle import Graph, boolean, decimal, integer, text
from data.build.ulcm import entry_term


def build(ctx: BuildContext) -> Graph:
    g = Graph("api-suppliers")
    roles = ctx.mappings["supplier_roles"]
    eea = {code for code, (_eu, in_eea) in ctx.eu_eea.items() if in_eea}
    rows = list(csv.DictReader(open(ctx.path(ctx.sources["api-suppliers"]["files"][0]), encoding="utf-8-sig")))
    exact = inexact = 0
    for row in rows:
        key = row["norm_key"]
        substance = ctx.substances.by_key[key]
        if not row["role"]:
            for subject in (substance.term, entry_term(ctx, key)):
                g.add(subject, t.ms("noSupplierFound"), boolean(True))
                g.add(subject, t.ms("sourceNote"), text(ctx.mappings["no_supplier_found_note"], "en"))
            continue
        role = roles[row["role"]]
        n = int(float(row["n_suppliers"]))
        published = Published(
            n=n, countries=tuple(c for c in row["countries"].split("|") if c), top=row["top_country"],
            top_share=float(row["top_country_share"]), hhi=float(row["hhi_country"]),
            eu_eea_share=float(row["eu_eea_share"]))
        figures = t.node(f"published-concentration/api-suppliers/{t.slug(key)}/{role['tier_slug']}")
        g.add(figures, t.A, t.ms("PublishedConcentration"))
        g.add(figures, t.LABEL, text(f"{substance.label}: {row['role']} supplier concentration as published", "en"))
        g.add(figures, t.ms("concernsSubstance"), substance.term)
        g.add(figures, t.ms("supplyTier"), t.ms(role["tier"]))
        g.add(figures, t.ms("supplierRole"), text(row["role"]))
        g.add(figures, t.ms("supplierCount"), integer(n))
        g.add(figures, t.ms("countryCount"), integer(int(float(row["n_countries"]))))
        g.add(figures, t.ms("topCountry"), t.country(published.top))
        g.add(figures, t.ms("topCountryShare"), decimal(row["top_country_share"]))
        g.add(figures, t.ms("hhi"), decimal(row["hhi_country"]))
        g.add(figures, t.ms("singleCountry"), boolean(row["single_country"] == "True"))
        g.add(figures, t.ms("euEeaShare"), decimal(row["eu_eea_share"]))
        g.add(figures, t.ms("sourceNote"), text(role["note"], "en"))
        split = reconstruct(published, eea)
        if split.exact:
            exact += 1
        else:
            inexact += 1
            g.add(figures, t.ms("sourceNote"), text(split.deviation(published), "en"))
        for code, count in sorted(split.counts.items()):
            for i in range(1, count + 1):
                node = t.node(f"supplier/{t.slug(key)}/{role['tier_slug']}/{code}/{i}")
                g.add(node, t.A, t.ms(role["class"]))
                g.add(node, t.LABEL, text(f"{substance.label} {row['role']} supplier {i} in {code} (reconstructed)", "en"))
                g.add(node, t.ms("reconstructed"), boolean(True))
                g.add(node, t.ms("locatedIn"), t.country(code))
                g.add(node, t.ms("suppliesSubstance"), substance.term)
                g.add(node, t.ms("supplyTier"), t.ms(role["tier"]))
                g.add(node, t.std("prov:wasDerivedFrom"), figures)
        ctx.substances.describe(g, substance)
    ctx.note("api-suppliers", f"{exact} of {exact + inexact} supplier rows reconstructed exactly; "
                              f"{sum(1 for r in rows if not r['role'])} rows with no supplier found")
    ctx.row_counts["api-suppliers"] = len(rows)
    return g
