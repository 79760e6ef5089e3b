"""Derive the real-data pools of the synthetic scale generator: ``data/synthetic-pools.yaml``.

Run ``python -m data.synthetic_pools`` from the project root. The synthetic graph must look like
the real one, so its ATC codes, their Dutch critical-list colour, the country mix of API
manufacturers and batch-release sites and the number of suppliers a substance has are taken from
the public sources rather than invented:

- ATC codes: the Union list of critical medicines (``critical.csv``) and the Dutch colour list
  (``eml_atc5.json``), named after the WHO ATC index (``WHO ATC-DDD 2026-04-25.csv``);
- colour per ATC code: ``eml_atc5.json`` (rood → red, oranje → orange, geel → yellow);
- supplier countries and supplier counts: ``substance_supply.csv`` (EDQM CEP holders and EPAR
  Annex II sites). The CSV gives, per substance, the supplier countries, the top country and its
  share; the top country gets that share of the suppliers and the other countries split the rest
  evenly (the CSV does not say more).

When the committed default dataset is present (``data/default/api-suppliers.ttl``), the supplier
countries and counts are read from that graph instead, so both tell the same story.

The raw folder is ``$MEDSUPPLY_RAW_DATA`` or ``../shared/data/raw`` next to the project. The
output is deterministic (sorted keys, rounded weights).
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

from reasoner.config import load_settings
from reasoner.namespaces import GRAPH, ID, MS

HOME = load_settings().home
OUTPUT = HOME / "data" / "synthetic-pools.yaml"
RAW = Path(os.environ.get("MEDSUPPLY_RAW_DATA") or HOME.parent / "shared" / "data" / "raw")
COLOURS = {"rood": "red", "oranje": "orange", "geel": "yellow"}
GAS_ATC_PREFIX = "V03AN"  # WHO ATC group "Medical gases"
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slug(value: str) -> str:
    """Lower-case ``[a-z0-9-]`` slug, the same rule as the default dataset's IRIs."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    return "--".join(_NON_SLUG.sub("-", part).strip("-") for part in folded.split("|"))


def _atc_names(raw: Path) -> dict[str, str]:
    with (raw / "fabkury__atcd" / "WHO ATC-DDD 2026-04-25.csv").open(encoding="utf-8") as handle:
        return {row["atc_code"]: row["atc_name"] for row in csv.DictReader(handle)}


def _ulcm_codes(raw: Path) -> set[str]:
    lines = (raw / "elmadervic__MedicationSupply" / "critical.csv").read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines[1:] if re.fullmatch(r"[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}", line.strip())}


def _colours(raw: Path) -> dict[str, str]:
    data = json.loads((raw / "jorissmeets__Wereldkaart" / "eml_atc5.json").read_text(encoding="utf-8"))
    return {code: COLOURS[colour] for code, colour in data["map"].items() if colour in COLOURS}


def atc_pool(raw: Path) -> dict[str, list[dict[str, str]]]:
    """ATC5 codes by colour (``none`` = on the ULCM but not on the Dutch list) and the gases."""
    names = _atc_names(raw)
    colours = _colours(raw)
    pool: dict[str, list[dict[str, str]]] = defaultdict(list)
    for code in sorted(set(colours) | _ulcm_codes(raw)):
        name = names.get(code)
        if name is None or name.lower() in {"combinations", "various"}:
            continue
        pool[colours.get(code, "none")].append({"code": code, "name": name, "slug": slug(name)})
    pool["gas"] = [
        {"code": code, "name": name, "slug": slug(name), "category": colours.get(code, "none")}
        for code, name in sorted(names.items())
        if code.startswith(GAS_ATC_PREFIX) and len(code) == 7
    ]
    return dict(pool)


def _split(countries: list[str], top: str, share: float, n: int) -> dict[str, float]:
    """Suppliers per country when only the top country's share is known."""
    weights = {top: share * n}
    others = [c for c in countries if c != top]
    for country in others:
        weights[country] = weights.get(country, 0.0) + (1 - share) * n / len(others)
    return weights


def supply_from_raw(raw: Path) -> dict[str, dict[str, Any]]:
    """Country weights and supplier-count distribution per tier, from ``substance_supply.csv``."""
    path = raw / "elmadervic__MedicationSupply" / "substance_supply.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    tiers = {"api": {"api_cep", "bio_api"}, "batch_release": {"batch_release"}}
    result: dict[str, dict[str, Any]] = {}
    for tier, roles in tiers.items():
        countries: Counter[str] = Counter()
        per_substance: Counter[str] = Counter()
        for row in rows:
            if row["role"] not in roles or not row["n_suppliers"]:
                continue
            n = int(float(row["n_suppliers"]))
            per_substance[row["norm_key"]] += n
            for country, weight in _split(row["countries"].split("|"), row["top_country"],
                                          float(row["top_country_share"]), n).items():
                countries[country] += weight
        result[tier] = _tier_summary(countries, per_substance)
    return result


def supply_from_default(path: Path) -> dict[str, dict[str, Any]] | None:
    """The same summary from the committed ``api-suppliers`` graph, or None when it is absent."""
    if not path.is_file():
        return None
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(str(GRAPH["api-suppliers"])))
    rows = store.query(
        f"SELECT ?s ?sub ?country ?tier WHERE {{ GRAPH ?g {{ ?s <{MS.suppliesSubstance}> ?sub ; "
        f"<{MS.locatedIn}> ?country ; <{MS.supplyTier}> ?tier }} }}"
    )
    tier_names = {str(MS.ApiTier): "api", str(MS.BatchReleaseTier): "batch_release"}
    countries: dict[str, Counter[str]] = defaultdict(Counter)
    per_substance: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        tier = tier_names.get(row["tier"].value)
        if tier is None:
            continue
        countries[tier][row["country"].value.removeprefix(str(ID) + "country/")] += 1
        per_substance[tier][row["sub"].value] += 1
    if not countries.get("api"):
        return None
    return {tier: _tier_summary(countries[tier], per_substance[tier]) for tier in ("api", "batch_release")}


def _tier_summary(countries: Counter[str], per_substance: Counter[str]) -> dict[str, Any]:
    total = sum(countries.values())
    counts = Counter(per_substance.values())
    return {
        "country_weights": {c: round(w / total, 4) for c, w in sorted(countries.items(), key=lambda i: (-i[1], i[0]))
                            if round(w / total, 4) > 0},
        "suppliers_per_substance": {n: counts[n] for n in sorted(counts)},
    }


def build(raw: Path = RAW) -> dict[str, Any]:
    default_path = HOME / "data" / "default" / "api-suppliers.ttl"
    supply = supply_from_default(default_path)
    source = "data/default/api-suppliers.ttl" if supply else "elmadervic__MedicationSupply/substance_supply.csv"
    return {
        "derived_by": "python -m data.synthetic_pools",
        "sources": {
            "atc": ["elmadervic__MedicationSupply/critical.csv", "jorissmeets__Wereldkaart/eml_atc5.json",
                    "fabkury__atcd/WHO ATC-DDD 2026-04-25.csv"],
            "supply": source,
        },
        "atc": atc_pool(raw),
        "supply": supply or supply_from_raw(raw),
    }


def main() -> int:
    if not RAW.is_dir():
        print(f"raw data folder {RAW} not found; set MEDSUPPLY_RAW_DATA", file=sys.stderr)
        return 2
    header = ("# Real-data pools of the synthetic scale generator. Generated by `python -m data.synthetic_pools`;\n"
              "# do not edit by hand (edit data/synthetic-profile.yaml for shares and ranges).\n")
    OUTPUT.write_text(header + yaml.safe_dump(build(), sort_keys=False, allow_unicode=True, width=120),
                      encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(HOME)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
