"""Shortage-report graphs: FAMHP (BE), BfArM (DE), ANSM (FR), EMA (EU), KNMP Farmanco (NL), openFDA (US).

One ``ms:ShortageReport`` per published record (identical records stay separate: the IRI is a
content hash plus an occurrence number), with the fields the ontology has: reporting country
and authority, start, expected end, status as published, ATC code(s) where given, the record's
identifier, and the medicine and substance names as published.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime

from data.build import terms as t
from data.build.context import BuildContext, read_csv
from data.build.turtle import Graph, day, text

ATC_TOKEN = re.compile(r"\b[A-Z][0-9]{2}(?:[A-Z](?:[A-Z](?:[0-9]{2})?)?)?\b")


def atc_codes(value: str) -> list[str]:
    """ATC codes in a free-text ATC field (``"L01FF01 Nivolumab"`` → ``["L01FF01"]``)."""
    return sorted(set(ATC_TOKEN.findall(value or "")))


def parse_day(value: str | None, fmt: str = "%Y-%m-%d") -> date | None:
    if not value:
        return None
    try:
        return datetime.strptime(value.strip()[:10], fmt).date()
    except ValueError:
        return None


class Reports:
    """Writes shortage reports of one source into a graph, with stable, unique IRIs."""

    def __init__(self, graph: Graph, source: str, authority: str, country: str | None) -> None:
        self.graph, self.source, self.authority, self.country = graph, source, authority, country
        self.seen: Counter[str] = Counter()
        self.count = 0

    def add(self, content: dict, *, label: str | None, substance: str | None, atc: list[str],
            start: date | None, end: date | None, status: str | None, record_id: str | None,
            country: str | None = None) -> str:
        key = t.content_id(*(f"{k}={content[k]}" for k in sorted(content)))
        self.seen[key] += 1
        node = t.node(f"shortage-report/{self.source}/{key}" + ("" if self.seen[key] == 1 else f"-{self.seen[key]}"))
        g = self.graph
        g.add(node, t.A, t.ms("ShortageReport"))
        g.add(node, t.LABEL, text(label) if label else None)
        g.add(node, t.ms("publishedSubstanceName"), text(substance) if substance else None)
        g.add_all(node, t.ms("atcCode"), (t.atc(c) for c in atc))
        where = country or self.country
        g.add(node, t.ms("reportedIn"), t.country(where) if where else None)
        g.add(node, t.ms("reportingAuthority"), text(self.authority))
        g.add(node, t.ms("shortageStart"), day(start) if start else None)
        g.add(node, t.ms("expectedEnd"), day(end) if end else None)
        g.add(node, t.ms("shortageStatus"), text(status) if status else None)
        g.add(node, t.ms("sourceRecordId"), text(record_id) if record_id else None)
        self.count += 1
        return node


def _csv_reports(ctx: BuildContext, graph: Graph, spec: dict, source: str) -> int:
    rows = read_csv(ctx.path(spec["file"]))
    not_countries = set(ctx.mappings["shortages"]["not_countries"])
    reports = Reports(graph, source, spec["authority"], None)
    for row in rows:
        content = {k: v for k, v in row.items() if k != "scraped_at"}
        country = row["country_code"] if row["country_code"] not in not_countries else None
        record_id = " ".join(row[c] for c in spec["id_columns"] if row.get(c))
        name = row["medicine_name"] + (f", {row['strength']}" if row.get("strength") else "")
        reports.add(content, label=name, substance=row.get("active_substance") or None,
                    atc=atc_codes(row["atc_code"]), start=parse_day(row["shortage_start"]),
                    end=parse_day(row["estimated_end"]), status=row["status"] or None,
                    record_id=record_id or None, country=country)
    return reports.count


def build_csv_graph(ctx: BuildContext, name: str) -> Graph:
    """``shortages-be``, ``shortages-de``, ``shortages-fr``: one scraped CSV each."""
    g = Graph(name)
    spec = ctx.mappings["shortages"][name]
    ctx.row_counts[name] = _csv_reports(ctx, g, spec, name.removeprefix("shortages-"))
    return g


def build_be(ctx: BuildContext) -> Graph:
    return build_csv_graph(ctx, "shortages-be")


def build_de(ctx: BuildContext) -> Graph:
    return build_csv_graph(ctx, "shortages-de")


def build_fr(ctx: BuildContext) -> Graph:
    return build_csv_graph(ctx, "shortages-fr")


def build_ema(ctx: BuildContext) -> Graph:
    """Both EMA files: the scraped catalogue CSV and the medicines-output JSON."""
    g = Graph("shortages-ema")
    shortages = ctx.mappings["shortages"]
    csv_count = _csv_reports(ctx, g, shortages["shortages-ema-csv"], "ema-catalogue")
    spec = shortages["ema_json"]
    records = json.loads(ctx.path(spec["file"]).read_text(encoding="utf-8"))
    reports = Reports(g, "ema-medicines-output", spec["authority"], None)
    for r in records:
        reports.add(r, label=r["medicine_affected"],
                    substance=r["international_non_proprietary_name_inn_or_common_name"] or None, atc=[],
                    start=parse_day(r["start_of_shortage_date"], spec["date_format"]),
                    end=parse_day(r["expected_resolution_date"], spec["date_format"]),
                    status=r["supply_shortage_status"] or None, record_id=r["shortage_url"] or None)
    ctx.row_counts["shortages-ema"] = csv_count + reports.count
    ctx.note("shortages-ema", f"{csv_count} catalogue rows (CSV) + {reports.count} medicines-output records (JSON)")
    return g


def build_farmanco(ctx: BuildContext) -> Graph:
    g = Graph("shortages-farmanco")
    spec = ctx.mappings["shortages"]["farmanco"]
    data = json.loads(ctx.path(spec["file"]).read_text(encoding="utf-8"))
    reports = Reports(g, "farmanco", spec["authority"], spec["country"])
    matched = 0
    for item in data["items"]:
        node = reports.add(item, label=item["omschrijving"] or item["stof"], substance=item["stof"] or None,
                           atc=atc_codes(item.get("atc", "")), start=parse_day(item.get("datum")), end=None,
                           status=None, record_id=None)
        match = ctx.substances.match(item["stof"])
        if match is not None:
            matched += 1
            g.add(node, t.ms("concernsSubstance"), match.substance.term)
            g.add(node, t.ms("matchMethod"), text(f"concernsSubstance: {match.method}"))
            ctx.substances.describe(g, match.substance)
    ctx.row_counts["shortages-farmanco"] = reports.count
    ctx.note("shortages-farmanco", f"{reports.count} items; substance matched for {matched}")
    return g


def build_us(ctx: BuildContext) -> Graph:
    """openFDA: only the fields the ontology has (the bulk file's labels and contacts are left out)."""
    g = Graph("shortages-us")
    spec = ctx.mappings["shortages"]["fda"]
    data = json.loads(ctx.path(spec["file"]).read_text(encoding="utf-8"))
    reports = Reports(g, "openfda", spec["authority"], spec["country"])
    for r in data["results"]:
        substances = (r.get("openfda") or {}).get("substance_name") or []
        end = None
        reports.add(r, label=r.get("presentation") or r.get("generic_name"),
                    substance="; ".join(sorted(substances)) or r.get("generic_name"), atc=[],
                    start=parse_day(r.get("initial_posting_date"), spec["date_format"]), end=end,
                    status=r.get("status"), record_id=r.get("package_ndc"))
    ctx.row_counts["shortages-us"] = reports.count
    return g
