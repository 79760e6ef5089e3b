"""The committed default dataset holds what the sources publish, and keeps synthetic facts apart.

Counts are the published ones (SOURCES.md); queries run on the real store with the default
dataset, ontology and inferences loaded (fixture ``store``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reasoner.namespaces import GRAPH, ID
from reasoner.store import OxigraphStore

DEFAULT = Path(__file__).resolve().parent.parent / "data" / "default"


def msid(path: str) -> str:
    """An instance IRI in SPARQL syntax (prefixed names cannot hold ``/``)."""
    return f"<{ID}{path}>"


def _count(store: OxigraphStore, where: str) -> int:
    rows = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    return int(rows[0]["n"].value)


def _distinct(store: OxigraphStore, var: str, where: str) -> int:
    rows = store.select(f"SELECT (COUNT(DISTINCT ?{var}) AS ?n) WHERE {{ {where} }}")
    return int(rows[0]["n"].value)


def test_union_list_has_299_atc_codes_and_277_substance_entries(store: OxigraphStore) -> None:
    assert _distinct(store, "atc", f"GRAPH msg:ulcm {{ ?e a ms:UnionListEntry ; ms:onList {msid('list/ulcm-2.1-rev1')} ; ms:atcCode ?atc }}") == 299
    assert _distinct(store, "e", "GRAPH msg:ulcm { ?e a ms:UnionListEntry ; ms:concernsSubstance ?s }") == 277


def test_union_list_version_and_date_are_the_published_ones(store: OxigraphStore) -> None:
    rows = store.select(f"SELECT ?v ?d WHERE {{ GRAPH msg:ulcm {{ {msid('list/ulcm-2.1-rev1')} owl:versionInfo ?v ; dcterms:issued ?d }} }}")
    assert [(r["v"].value, r["d"].value) for r in rows] == [("2.1 (revision 1)", "2026-01-19")]


@pytest.mark.parametrize(("category", "expected"), [("CriticalRed", 166), ("CriticalOrange", 267), ("CriticalYellow", 150)])
def test_dutch_critical_list_colours_per_atc5(store: OxigraphStore, category: str, expected: int) -> None:
    assert _distinct(store, "atc", f"GRAPH msg:nl-critical-list {{ ?atc ms:nlCriticalCategory ms:{category} }}") == expected


def test_dutch_critical_list_has_583_codes_and_182_red_route_codes(store: OxigraphStore) -> None:
    assert _distinct(store, "atc", "GRAPH msg:nl-critical-list { ?atc ms:nlCriticalCategory ?c }") == 583
    assert _distinct(store, "atc", "GRAPH msg:nl-critical-list { ?atc ms:nlCriticalRedRoute ?r }") == 182


def test_wgp_2019_has_2066_groups_6157_articles_and_5795_registration_numbers(store: OxigraphStore) -> None:
    assert _count(store, "GRAPH msg:wgp-2019 { ?g a ms:WgpProductGroup }") == 2066
    assert _count(store, "GRAPH msg:wgp-2019 { ?a a ms:WgpArticle }") == 6157
    assert _distinct(store, "r", "GRAPH msg:wgp-2019 { ?a a ms:WgpArticle ; dcterms:identifier ?r }") == 5795
    assert _count(store, "GRAPH msg:wgp-2019 { ?p a ms:MedicinalProduct }") == 5795
    assert _distinct(store, "r", "GRAPH msg:wgp-2019 { ?p a ms:MedicinalProduct ; ms:registrationNumber ?r }") == 5795


def test_every_inferred_substance_link_says_how_it_was_matched(store: OxigraphStore) -> None:
    unexplained = _count(store, """GRAPH msg:wgp-2019 { ?p ms:hasActiveSubstance ?s
        FILTER NOT EXISTS { ?p ms:matchMethod ?m FILTER(STRSTARTS(?m, "hasActiveSubstance")) } }""")
    assert unexplained == 0


def test_preferred_supplier_lists_have_3920_contracts_with_buyer_and_supplier(store: OxigraphStore) -> None:
    assert _count(store, "GRAPH msg:preferred-suppliers-2026 { ?c a ms:PreferredSupplierContract }") == 3920
    assert _count(store, """GRAPH msg:preferred-suppliers-2026 { ?c a ms:PreferredSupplierContract
        FILTER NOT EXISTS { ?c ms:buyer ?b ; ms:preferredSupplier ?s ; ms:zIndexNumber ?z } }""") == 0
    assert _distinct(store, "b", "GRAPH msg:preferred-suppliers-2026 { ?c ms:buyer ?b . ?b a ms:HealthInsurer }") == 5


def test_igj_has_43_exemptions_with_the_registrations_they_replace(store: OxigraphStore) -> None:
    assert _count(store, "GRAPH msg:igj-exemptions { ?e a ms:ImportExemption }") == 43
    rows = store.select(f"""SELECT ?r WHERE {{ GRAPH msg:igj-exemptions {{ ?e ms:replacesRegistration ?r ;
        ms:atcCode {msid('atc/N05AN01')} }} }} ORDER BY ?r""")
    assert [r["r"].value for r in rows] == ["RVG 52076", "RVG 55991", "RVG 55992"]


@pytest.mark.parametrize(("graph", "cls", "expected"), [
    ("shortages-be", "ShortageReport", 750), ("shortages-de", "ShortageReport", 998),
    ("shortages-fr", "ShortageReport", 346), ("shortages-ema", "ShortageReport", 94),
    ("shortages-farmanco", "ShortageReport", 291), ("shortages-us", "ShortageReport", 1640),
    ("cbg-pack-permissions", "TemporaryPackPermission", 194), ("lcg-dossiers", "ShortageDossier", 11),
])
def test_one_record_per_published_row(store: OxigraphStore, graph: str, cls: str, expected: int) -> None:
    assert _count(store, f"GRAPH msg:{graph} {{ ?r a ms:{cls} }}") == expected


@pytest.mark.parametrize(("substance", "tier", "suppliers", "countries", "top"), [
    ("amoxicillin", "api", 19, 9, "CN"), ("abacavir", "api", 11, 2, "IN"), ("acetylcysteine", "api", 13, 9, "CN"),
    ("abacavir", "batch-release", 2, 2, "IE"), ("anakinra", "bio-api", 2, 2, "AT"),
])
def test_reconstructed_suppliers_reproduce_the_published_figures(
    store: OxigraphStore, substance: str, tier: str, suppliers: int, countries: int, top: str
) -> None:
    figures = msid(f"published-concentration/api-suppliers/{substance}/{tier}")
    rows = store.select(f"""SELECT ?n ?k ?top ?share ?hhi ?eu WHERE {{ GRAPH msg:api-suppliers {{
        {figures} ms:supplierCount ?n ; ms:countryCount ?k ; ms:topCountry ?top ; ms:topCountryShare ?share ;
        ms:hhi ?hhi ; ms:euEeaShare ?eu }} }}""")
    assert len(rows) == 1
    published = rows[0]
    assert (int(published["n"].value), int(published["k"].value)) == (suppliers, countries)
    assert published["top"].value.endswith(f"/country/{top}")
    per_country = store.select(f"""SELECT ?cc (COUNT(?s) AS ?n) (SAMPLE(?eea) AS ?inEea) WHERE {{
        GRAPH msg:api-suppliers {{ ?s ms:reconstructed true ; prov:wasDerivedFrom {figures} ; ms:locatedIn ?c }}
        GRAPH msg:countries {{ ?c ms:isoAlpha2 ?cc ; ms:euEeaMember ?eea }} }} GROUP BY ?cc""")
    counts = {r["cc"].value: int(r["n"].value) for r in per_country}
    in_eea = {r["cc"].value for r in per_country if r["inEea"].value == "true"}
    total = sum(counts.values())
    assert total == suppliers and len(counts) == countries
    assert max(counts, key=lambda c: (counts[c], c == top)) == top or counts[top] == max(counts.values())
    assert abs(counts[top] / total - float(published["share"].value)) < 1e-9
    assert abs(10000 * sum(v * v for v in counts.values()) / total**2 - float(published["hhi"].value)) <= 0.05 + 1e-9
    assert abs(sum(counts[c] for c in in_eea) / total - float(published["eu"].value)) < 1e-9


def test_substance_without_suppliers_is_unknown_not_zero(store: OxigraphStore) -> None:
    alteplase = msid("substance/alteplase")
    rows = store.select(f"SELECT ?flag WHERE {{ GRAPH msg:api-suppliers {{ {alteplase} ms:noSupplierFound ?flag }} }}")
    assert [r["flag"].value for r in rows] == ["true"]
    assert _count(store, f"?s ms:suppliesSubstance {alteplase}") == 0


def test_every_default_graph_has_a_catalog_entry(store: OxigraphStore) -> None:
    files = {p.name.split(".")[0] for p in DEFAULT.iterdir() if p.suffix in (".ttl", ".gz")}
    rows = store.select("""SELECT ?g WHERE { GRAPH msg:catalog { ?g a prov:Entity ; dcterms:title ?t ;
        dcterms:license ?l ; dcterms:issued ?d ; ms:synthetic ?s ; dcterms:bibliographicCitation ?c } }""")
    described = {r["g"].value.removeprefix(str(GRAPH)) for r in rows}
    assert files and files <= described


def test_only_graph_synthetic_is_marked_synthetic(store: OxigraphStore) -> None:
    rows = store.select("SELECT ?g WHERE { GRAPH msg:catalog { ?g ms:synthetic true } }")
    assert [r["g"].value for r in rows] == [str(GRAPH["synthetic"])]


SYNTHETIC_ONLY = ["weeksOfDemand", "positionDate", "holderRole", "stockOf", "pharmacyPurchasePriceEur",
                  "shelfLifeMonths", "prescriptionOnly", "medicinalGas", "namedPatientUse", "notifiedOn",
                  "expectedStart"]


def test_no_synthetic_fact_sits_outside_graph_synthetic(store: OxigraphStore) -> None:
    source_graphs = [p.name.split(".")[0] for p in DEFAULT.iterdir() if p.name.split(".")[0] != "synthetic"]
    values = " ".join(f"msg:{g}" for g in source_graphs)
    properties = " ".join(f"ms:{p}" for p in SYNTHETIC_ONLY)
    leaks = store.select(f"""SELECT ?g ?s ?p WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }}
        FILTER(?p IN ({properties.replace(' ', ', ')})
               || CONTAINS(STR(?s), "/synthetic/") || CONTAINS(STR(?o), "/synthetic-")) }} LIMIT 5""")
    assert leaks == []
    assert _count(store, "GRAPH msg:synthetic { ?p a ms:StockPosition }") > 0
    assert _count(store, "GRAPH msg:synthetic { ?n a ms:SupplyInterruptionNotification }") > 0


def test_synthetic_products_are_wgp_products(store: OxigraphStore) -> None:
    stray = _count(store, """GRAPH msg:synthetic { ?pos ms:stockOf ?p }
        FILTER NOT EXISTS { GRAPH msg:wgp-2019 { ?p a ms:MedicinalProduct } }""")
    assert stray == 0
