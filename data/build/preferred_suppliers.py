"""Graph ``preferred-suppliers-2026``: the Dutch insurers' preferred-supplier contracts.

Each record is an ``ms:PreferredSupplierContract`` (buyer = insurer, preferredSupplier = the
supplier/MAH, the substance as published and, where matched, ``ms:concernsSubstance``). The
supplier-substance relation is carried by the contract, which has ``ms:supplyTier
ms:PreferredSupplierTier``; suppliers get no direct ``ms:suppliesSubstance`` here.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime

from data.build import terms as t
from data.build.context import BuildContext
from data.build.organisations import clean_name, org_term
from data.build.turtle import Graph, day, text


def parse_date(value: str, formats: list[str]) -> date | None:
    for fmt in formats:
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


def split_supplier(record: dict[str, str]) -> tuple[str, str]:
    """(strength, supplier). Some lists spill the strength's unit into the supplier column,
    separated by a run of spaces (``"mg                 Aurobindo"``)."""
    strength = clean_name(record.get("sterkte") or "")
    parts = re.split(r"\s{2,}", (record.get("leverancier") or "").strip())
    supplier = clean_name(parts[-1])
    spill = clean_name(" ".join(parts[:-1]))
    if spill:
        strength = f"{strength} {spill}".strip()
    return strength, supplier


def build(ctx: BuildContext) -> Graph:
    g = Graph("preferred-suppliers-2026")
    spec = ctx.mappings["preferred_suppliers"]
    records = json.loads(ctx.path(ctx.sources["preferred-suppliers-2026"]["files"][0]).read_text(encoding="utf-8"))
    seen: Counter[str] = Counter()
    matched = 0
    unmatched_names: set[str] = set()
    for record in records:
        key = t.content_id(*(f"{k}={record[k]}" for k in sorted(record)))
        seen[key] += 1
        contract = t.node(f"preferred-supplier-contract/preferred-suppliers-2026/{key}"
                          + ("" if seen[key] == 1 else f"-{seen[key]}"))
        strength, supplier = split_supplier(record)
        insurer = org_term(record["verzekeraar"])
        company = org_term(supplier)
        g.add(contract, t.A, t.ms("PreferredSupplierContract"))
        g.add(contract, t.ms("buyer"), insurer)
        g.add(insurer, t.A, t.ms(spec["insurer_class"]))
        g.add(insurer, t.LABEL, text(clean_name(record["verzekeraar"])))
        g.add(contract, t.ms("preferredSupplier"), company)
        g.add(company, t.A, t.ms(spec["supplier_class"]))
        g.add(company, t.LABEL, text(supplier))
        g.add(contract, t.ms("supplyTier"), t.ms(spec["tier"]))
        g.add(contract, t.ms("publishedSubstanceName"), text(record["werkzame_stof"], "nl"))
        name = record.get("etiketnaam") or record.get("artikelnaam")
        g.add(contract, t.LABEL, text(name) if name else None)
        g.add(contract, t.ms("strength"), text(strength) if strength else None)
        route = record.get("toedieningsweg")
        g.add(contract, t.ms("route"), text(route) if route else None)
        g.add(contract, t.ms("zIndexNumber"), text(record["zi_nummer"]))
        start, end = (parse_date(record.get(k) or "", spec["date_formats"]) for k in ("start", "eind"))
        g.add(contract, t.ms("validFrom"), day(start) if start else None)
        g.add(contract, t.ms("validUntil"), day(end) if end else None)
        match = ctx.substances.match(record["werkzame_stof"])
        if match is not None:
            matched += 1
            g.add(contract, t.ms("concernsSubstance"), match.substance.term)
            g.add(contract, t.ms("matchMethod"), text(f"concernsSubstance: {match.method}"))
            ctx.substances.describe(g, match.substance)
        else:
            unmatched_names.add(record["werkzame_stof"])
            g.add(contract, t.ms("sourceNote"), text(
                "substance name not matched to a ULCM substance or WHO ATC5 name", "en"))
    ctx.note("preferred-suppliers-2026", f"{len(records)} contracts; substance matched for {matched} "
             f"({100 * matched / len(records):.1f}%); {len(unmatched_names)} distinct names unmatched")
    ctx.row_counts["preferred-suppliers-2026"] = len(records)
    return g
