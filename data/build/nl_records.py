"""Dutch shortage-mitigation records: IGJ import exemptions, CBG pack permissions, LCG dossiers."""

from __future__ import annotations

import json
import re

from data.build import terms as t
from data.build.context import BuildContext, read_csv
from data.build.organisations import clean_name, org_term
from data.build.products import canonical_registration, product_term
from data.build.shortages import atc_codes, parse_day
from data.build.turtle import Graph, day, text

RVG_NUMBER = re.compile(r"RVG\s*([0-9]+)")
EU_NUMBER = re.compile(r"EU/[0-9]/[0-9]{2}/[0-9]+(?:/[0-9]+)?")


def _substance(ctx: BuildContext, g: Graph, node: str, name: str) -> None:
    match = ctx.substances.match(name)
    if match is not None:
        g.add(node, t.ms("concernsSubstance"), match.substance.term)
        g.add(node, t.ms("matchMethod"), text(f"concernsSubstance: {match.method}"))
        ctx.substances.describe(g, match.substance)


def build_igj(ctx: BuildContext) -> Graph:
    """IGJ exemption decisions. The scraper's ``shortage_start`` is the decision date (and start of
    validity), ``estimated_end`` the end of validity; ``product_no`` lists the RVG numbers the
    imported alternative replaces, run together (``RVG 52076RVG 55991``)."""
    g = Graph("igj-exemptions")
    spec = ctx.mappings["shortages"]["igj"]
    rows = read_csv(ctx.path(spec["file"]))
    for position, row in enumerate(rows, start=1):
        key = t.content_id(*(f"{k}={row[k]}" for k in sorted(row) if k != "scraped_at"))
        node = t.node(f"import-exemption/igj/{key}")
        g.add(node, t.A, t.ms("ImportExemption"))
        g.add(node, t.LABEL, text(f"{row['medicine_name']}, {row['strength']}".strip(", ")))
        g.add(node, t.ms("decisionReference"), text(row["decision_reference"]))
        decided = parse_day(row["shortage_start"])
        until = parse_day(row["estimated_end"])
        g.add(node, t.ms("decisionDate"), day(decided) if decided else None)
        g.add(node, t.ms("validFrom"), day(decided) if decided else None)
        g.add(node, t.ms("validUntil"), day(until) if until else None)
        g.add_all(node, t.ms("atcCode"), (t.atc(c) for c in atc_codes(row["atc_code"])))
        g.add_all(node, t.ms("replacesRegistration"),
                  (text(f"RVG {n}") for n in RVG_NUMBER.findall(row["product_no"])))
        g.add(node, t.ms("sourceRecordId"), text(f"{spec['file'].split('/')[-1]} row {position}"))
        _substance(ctx, g, node, row["medicine_name"])
    ctx.row_counts["igj-exemptions"] = len(rows)
    return g


def build_cbg(ctx: BuildContext) -> Graph:
    """CBG temporary permissions to supply in a deviating pack."""
    g = Graph("cbg-pack-permissions")
    spec = ctx.mappings["shortages"]["cbg"]
    wgp = ctx.mappings["wgp"]
    items = json.loads(ctx.path(spec["file"]).read_text(encoding="utf-8"))["items"]
    for item in items:
        key = t.content_id(*(f"{k}={item[k]}" for k in sorted(item)))
        node = t.node(f"pack-permission/cbg/{key}")
        g.add(node, t.A, t.ms("TemporaryPackPermission"))
        g.add(node, t.LABEL, text(item["product"]))
        granted = parse_day(item["datum"])
        g.add(node, t.ms("validFrom"), day(granted) if granted else None)
        g.add_all(node, t.ms("atcCode"), (t.atc(c) for c in atc_codes(item["atc"])))
        g.add(node, t.std("dcterms:identifier"), text(item["reg"]) if item["reg"] else None)
        registration = _registration(item["reg"], wgp)
        if registration is not None:
            product = product_term(registration)
            g.add(node, t.ms("concernsProduct"), product)
            g.add(product, t.ms("registrationNumber"), text(registration))
            if item["mah"]:
                g.add(product, t.ms("marketingAuthorisationHolder"), org_term(item["mah"]))
        if item["mah"]:
            g.add(org_term(item["mah"]), t.A, t.ms("MarketingAuthorisationHolder"))
            g.add(org_term(item["mah"]), t.LABEL, text(clean_name(item["mah"])))
    ctx.row_counts["cbg-pack-permissions"] = len(items)
    return g


def _registration(raw: str, spec: dict) -> str | None:
    """The one registration number in a free-text field, in the contract's form, or None."""
    eu = EU_NUMBER.search(raw)
    if eu:
        return eu.group(0)
    rvg = RVG_NUMBER.search(raw) or re.fullmatch(r"\s*([0-9]+)\s*", raw)
    if rvg:
        return canonical_registration(rvg.group(1), spec)[0]
    return None


def build_lcg(ctx: BuildContext) -> Graph:
    """LCG active shortage dossiers."""
    g = Graph("lcg-dossiers")
    spec = ctx.mappings["shortages"]["lcg"]
    dossiers = json.loads(ctx.path(spec["file"]).read_text(encoding="utf-8"))["dossiers"]
    for d in dossiers:
        node = t.node(f"shortage-dossier/lcg/{t.slug(d['slug'])}")
        g.add(node, t.A, t.ms("ShortageDossier"))
        g.add(node, t.LABEL, text(d["title"]))
        g.add(node, t.ms("dossierPhase"), text(d["phase"], "nl"))
        g.add_all(node, t.ms("atcCode"), (t.atc(c) for c in atc_codes(d.get("atc", ""))))
        published, updated = parse_day(d.get("published")), parse_day(d.get("updated"))
        g.add(node, t.std("dcterms:issued"), day(published) if published else None)
        g.add(node, t.std("dcterms:modified"), day(updated) if updated else None)
        g.add(node, t.std("rdfs:seeAlso"), t.iri(d["url"]) if d.get("url") else None)
        g.add(node, t.ms("sourceRecordId"), text(d["slug"]))
        _substance(ctx, g, node, d["key"])
    ctx.row_counts["lcg-dossiers"] = len(dossiers)
    return g
