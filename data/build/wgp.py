"""Graph ``wgp-2019``: Wgp maximum-price product groups, their articles and the products.

Each article of the annex (a registration number and article name listed in a product group) is an
``ms:WgpArticle`` node (6,157): ``dcterms:isPartOf`` its group, ``dcterms:identifier`` the registration
number exactly as published, ``rdfs:label`` the article name, ``ms:articleOfProduct`` the product.
(A product can be listed twice in one group under two article names, so links alone would not
count articles.) Products are one per distinct registration number (5,795), with
``ms:inWgpProductGroup`` and every article name as ``ms:productName``. Substances and ATC codes are inferred from the group name and marked with ms:matchMethod.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date

from data.build import terms as t
from data.build.context import BuildContext, ProductFacts
from data.build.products import canonical_registration, product_term
from data.build.substances import Match
from data.build.turtle import Graph, boolean, day, decimal, text


def group_components(name: str, pattern: str) -> list[str]:
    """Substance names in a product-group name (``NAME-STRENGTH-UNIT-FORM``, repeated)."""
    return [m.group(1).strip() for m in re.finditer(pattern, name)]


def match_group(ctx: BuildContext, name: str) -> tuple[Match | None, list[str]]:
    """The substance (or combination) a product group is about, and its component names."""
    components = group_components(name, ctx.mappings["wgp"]["component_pattern"])
    if not components:
        return None, components
    matches = [ctx.substances.match(c) for c in components]
    if any(m is None for m in matches):
        return None, components
    if len(matches) == 1:
        return matches[0], components
    return ctx.substances.combination([m.substance for m in matches if m],
                                      "components:" + "+".join(sorted({m.method for m in matches if m}))), components


def build(ctx: BuildContext) -> Graph:
    g = Graph("wgp-2019")
    spec = ctx.mappings["wgp"]
    valid_on = spec["valid_on"] if isinstance(spec["valid_on"], date) else date.fromisoformat(spec["valid_on"])
    groups = json.loads(ctx.path(ctx.sources["wgp-2019"]["files"][0]).read_text(encoding="utf-8"))
    seen: Counter[str] = Counter()
    matched_groups = atc_groups = 0
    articles = 0
    registrations: set[str] = set()
    for group in groups:
        name = group["Productgroep"]
        seen[t.slug(name)] += 1
        suffix = "" if seen[t.slug(name)] == 1 else f"-{seen[t.slug(name)]}"
        node = t.node(f"wgp-group/wgp-2019/{t.slug(name)}{suffix}")
        g.add(node, t.A, t.ms("WgpProductGroup"))
        g.add(node, t.LABEL, text(name))
        g.add(node, t.ms("maximumPriceEur"), decimal(group["Maximumprijs"]))
        g.add(node, t.ms("priceUnit"), text(group["Eenheid"]))
        g.add(node, t.ms("validOn"), day(valid_on))
        match, components = match_group(ctx, name)
        atc_code = None
        if match is not None:
            matched_groups += 1
            ctx.substances.describe(g, match.substance)
            g.add(node, t.ms("matchMethod"), text(f"substance {match.substance.key!r}: {match.method}"))
            if len(match.substance.atc_codes) == 1:
                atc_code = match.substance.atc_codes[0]
                atc_groups += 1
            else:
                g.add(node, t.ms("sourceNote"), text(
                    f"substance {match.substance.label!r} has {len(match.substance.atc_codes)} ATC5 codes; "
                    "none chosen for the products", "en"))
        else:
            g.add(node, t.ms("sourceNote"), text(
                f"substance name(s) {components or [name]} not matched to a ULCM substance or WHO ATC5 name", "en"))
        group_slug = f"{t.slug(name)}{suffix}"
        for position, article in enumerate(group["Artikelen"], start=1):
            registration, kind = canonical_registration(article["Registratienummer"], spec)
            product = product_term(registration)
            articles += 1
            registrations.add(article["Registratienummer"])
            listed = t.node(f"wgp-article/wgp-2019/{group_slug}/{position}")
            g.add(listed, t.A, t.ms("WgpArticle"))
            g.add(listed, t.LABEL, text(article["Artikelnaam"]))
            g.add(listed, t.std("dcterms:identifier"), text(article["Registratienummer"]))
            g.add(listed, t.std("dcterms:isPartOf"), node)
            g.add(listed, t.ms("articleOfProduct"), product)
            facts = ctx.products.setdefault(product, ProductFacts())
            facts.groups.append(name)
            facts.max_price_eur = facts.max_price_eur or group["Maximumprijs"]
            g.add(product, t.A, t.ms("MedicinalProduct"))
            g.add(product, t.ms("registrationNumber"), text(registration))
            g.add(product, t.ms("productName"), text(article["Artikelnaam"]))
            g.add(product, t.ms("inWgpProductGroup"), node)
            g.add(product, t.ms("nlRegistered"), boolean(kind in spec["nl_registered"]) if kind != "other" else None)
            if match is not None:
                g.add(product, t.ms("hasActiveSubstance"), match.substance.term)
                g.add(product, t.ms("matchMethod"), text(f"hasActiveSubstance: {match.method} (from the Wgp product group name)"))
            if atc_code is not None:
                g.add(product, t.ms("atcCode"), t.atc(atc_code))
                g.add(product, t.ms("matchMethod"), text("atcCode: the single ATC5 code of the matched substance"))
    ctx.note("wgp-2019", f"{len(groups)} product groups, {articles} articles, {len(registrations)} registration numbers; "
                         f"substance matched for {matched_groups} groups ({100 * matched_groups / len(groups):.1f}%), "
                         f"ATC5 for {atc_groups} ({100 * atc_groups / len(groups):.1f}%)")
    ctx.row_counts["wgp-2019"] = articles
    return g
