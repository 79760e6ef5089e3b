"""Load-time derivations (queries/derive/): each in its own graph, recomputed by the loads that touch
its vocabulary, and read by the fact queries — so a check sees a competing contract as soon as it
is loaded and stops seeing it once the load is deleted."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pyoxigraph as ox

from reasoner.config import load_settings
from reasoner.derivations import affected, derivation_queries, derived_graph, reach, vocabulary
from reasoner.ingest.loads import LoadRequest, delete_load, load_files, load_graph
from reasoner.queries import all_queries
from reasoner.rules import check_product
from reasoner.store import OxigraphStore

SETTINGS = load_settings()
ON = "2026-11-23"


def _single_winner(store: OxigraphStore) -> dict[str, str]:
    """A Union-list product of the default dataset with one substance and one preferred-supplier contract for it."""
    rows = store.select("""
        SELECT ?product ?reg ?c ?buyer ?sub ?from WHERE {
          { SELECT ?sub (SAMPLE(?c0) AS ?c) WHERE { ?c0 a ms:PreferredSupplierContract ; ms:concernsSubstance ?sub }
            GROUP BY ?sub HAVING (COUNT(?c0) = 1) }
          ?c ms:buyer ?buyer ; ms:validFrom ?from .
          FILTER(?from <= "2026-11-23"^^xsd:date)
          FILTER NOT EXISTS { ?c ms:validUntil ?u FILTER(?u < "2026-11-23"^^xsd:date) }
          ?product ms:hasActiveSubstance ?sub ; a ms:MedicinalProduct ; ms:registrationNumber ?reg ; ms:atcCode ?atc .
          ?atc ms:unionListEntry ?entry .
          FILTER NOT EXISTS { ?product ms:hasActiveSubstance ?sub2 FILTER(?sub2 != ?sub) }
        } ORDER BY ?reg LIMIT 1""")
    return {k: v.value for k, v in rows[0].items()}


def _procurement(store: OxigraphStore, reg: str) -> str:
    answer = check_product(store, reg, ON, regime="proposed")
    return next(r["status"] for r in answer["results"] if r["obligation"] == "eu-cma-procurement")


def test_derivations_each_fill_their_own_graph_on_the_default_dataset(store: OxigraphStore) -> None:
    names = [q.name for q in derivation_queries(SETTINGS)]
    assert names == ["derive/competing-contracts", "derive/import-exemption-matches", "derive/product-fact-records",
                     "derive/stock-fact-records", "derive/union-list-atc-codes"]
    for query in derivation_queries(SETTINGS):
        assert store.count(derived_graph(query)) > 0, query.name
    assert "https://w3id.org/medsupply/ontology#PreferredSupplierContract" in vocabulary(derivation_queries(SETTINGS)[0])


def test_competing_contract_load_flips_single_winner_procurement_and_delete_restores_it(
        fresh_store: OxigraphStore, tmp_path: Path) -> None:
    found = _single_winner(fresh_store)
    assert _procurement(fresh_store, found["reg"]) == "violated"
    competitor = tmp_path / "competitor.ttl"
    competitor.write_text(f"""
@prefix ms: <https://w3id.org/medsupply/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://example.org/contract/competitor> a ms:PreferredSupplierContract ;
    ms:buyer <{found['buyer']}> ; ms:concernsSubstance <{found['sub']}> ;
    ms:preferredSupplier <https://example.org/org/second-supplier> ;
    ms:strength "10 mg" ; ms:validFrom "{found['from']}"^^xsd:date .
<https://example.org/org/second-supplier> a ms:Organisation ; <http://www.w3.org/2000/01/rdf-schema#label> "Second Supplier B.V." .
""", encoding="utf-8")
    [result] = load_files(fresh_store, SETTINGS, [LoadRequest(path=competitor)], agent="test")
    assert fresh_store.select("SELECT ?c ?o WHERE { ?c ms:competingContract ?o }",
                              substitutions={"c": ox.NamedNode(found["c"])})
    assert _procurement(fresh_store, found["reg"]) == "satisfied"
    delete_load(fresh_store, result["id"])
    assert not fresh_store.select("SELECT ?c ?o WHERE { ?c ms:competingContract ?o }",
                                  substitutions={"c": ox.NamedNode(found["c"])})
    assert _procurement(fresh_store, found["reg"]) == "violated"


def test_a_load_without_contracts_recomputes_no_contract_links(fresh_store: OxigraphStore, tmp_path: Path) -> None:
    data = tmp_path / "org.ttl"
    data.write_text('<https://example.org/org/x> a <https://w3id.org/medsupply/ontology#Organisation> ; '
                    '<http://www.w3.org/2000/01/rdf-schema#label> "X B.V." .\n',
                    encoding="utf-8")
    [result] = load_files(fresh_store, SETTINGS, [LoadRequest(path=data)], agent="test")
    assert affected(fresh_store, SETTINGS, [load_graph(result["id"])]) == []


# ---------------------------------------------------------------------------- incremental derivations
# A load or deletion derives again only the nodes each derivation's reach (queries/reach/) finds.
# Whether a reach is complete is what these tests prove: after every change each derived graph
# holds exactly what a whole derivation over the changed store constructs.

def _record(term: ox.NamedNode | ox.Literal) -> object:
    """A term, with the lines of a packed record in order: GROUP_CONCAT joins them in the order the
    store evaluates them, which differs between one product derived alone and all at once (the
    rules read a record's lines as a set)."""
    return tuple(sorted(term.value.split("\n"))) if isinstance(term, ox.Literal) and "\n" in term.value else term


def _whole_derivation_differences(store: OxigraphStore) -> dict[str, tuple[int, int]]:
    """Per derivation whose graph differs from a whole derivation: (triples missing, triples extra)."""
    differences = {}
    for query in derivation_queries(SETTINGS):
        held = {(q.subject, q.predicate, _record(q.object))
                for q in store.raw.quads_for_pattern(None, None, None, ox.NamedNode(derived_graph(query)))}
        whole = {(t.subject, t.predicate, _record(t.object)) for t in store.query(query.sparql)}
        if held != whole:
            differences[query.name] = (len(whole - held), len(held - whole))
    return differences


def _node(store: OxigraphStore, query: str) -> dict[str, ox.NamedNode | ox.Literal]:
    rows = store.select(query)
    assert rows, query
    return rows[0]


def _clone(store: OxigraphStore, node: ox.NamedNode, iri: str, **overrides: str) -> str:
    """N-Triples for a copy of ``node`` under ``iri``, with the ms: properties in ``overrides``
    (given as N-Triples terms) in place of the node's own."""
    lines = list(dict.fromkeys(f"<{iri}> {q.predicate} {q.object} ." for q in store.raw.quads_for_pattern(node, None, None)
                               if q.predicate.value.removeprefix("https://w3id.org/medsupply/ontology#") not in overrides))
    lines += [f"<{iri}> <https://w3id.org/medsupply/ontology#{p}> {o} ." for p, o in overrides.items()]
    return "\n".join(lines) + "\n"


def _changes_every_derivation_reads(store: OxigraphStore) -> str:
    """One graph that changes what each derivation reads, through every link its reach follows: a new
    product in an existing ATC code and Wgp group, a critical category for a code with products, a
    Union-list entry for a code not yet on the list, a second maximum price for a group, a later stock
    position of a product, a competing contract and an import exemption of a product's registration."""
    product = _node(store, """SELECT ?p ?reg ?atc ?group ?sp WHERE {
        ?p a ms:MedicinalProduct ; ms:registrationNumber ?reg ; ms:atcCode ?atc ; ms:inWgpProductGroup ?group .
        ?sp ms:stockOf ?p ; ms:holderRole ms:MahRole } ORDER BY ?p LIMIT 1""")
    uncategorised = _node(store, """SELECT ?atc WHERE { ?p a ms:MedicinalProduct ; ms:atcCode ?atc .
        FILTER NOT EXISTS { ?atc ms:nlCriticalCategory ?c } } ORDER BY ?atc LIMIT 1""")
    unlisted = _node(store, """SELECT ?atc WHERE { ?p a ms:MedicinalProduct ; ms:atcCode ?atc .
        FILTER NOT EXISTS { ?atc ms:unionListEntry ?e } } ORDER BY DESC(?atc) LIMIT 1""")
    entry = _node(store, "SELECT ?e WHERE { ?e a ms:UnionListEntry } ORDER BY ?e LIMIT 1")
    exemption = _node(store, "SELECT ?e WHERE { ?e a ms:ImportExemption ; ms:replacesRegistration ?r } ORDER BY ?e LIMIT 1")
    winner = _single_winner(store)
    ex = "https://example.org/incremental/"
    return "".join([
        _clone(store, product["p"], ex + "product", registrationNumber='"RVG 990001"'),
        f"{uncategorised['atc']} <https://w3id.org/medsupply/ontology#nlCriticalCategory> "
        "<https://w3id.org/medsupply/ontology#CriticalRed> .\n",
        _clone(store, entry["e"], ex + "entry", atcCode=str(unlisted["atc"])),
        f"{product['group']} <https://w3id.org/medsupply/ontology#maximumPriceEur> "
        '"0.01"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n',
        _clone(store, product["sp"], ex + "position", positionDate='"2026-11-30"^^<http://www.w3.org/2001/XMLSchema#date>',
               weeksOfDemand='"0.5"^^<http://www.w3.org/2001/XMLSchema#decimal>'),
        f"<{ex}supplier> a <https://w3id.org/medsupply/ontology#Organisation> ; "
        '<http://www.w3.org/2000/01/rdf-schema#label> "Second Supplier B.V." .\n',
        f"<{ex}contract> a <https://w3id.org/medsupply/ontology#PreferredSupplierContract> ; "
        f"<https://w3id.org/medsupply/ontology#buyer> <{winner['buyer']}> ; "
        f"<https://w3id.org/medsupply/ontology#concernsSubstance> <{winner['sub']}> ; "
        f"<https://w3id.org/medsupply/ontology#preferredSupplier> <{ex}supplier> ; "
        f"<https://w3id.org/medsupply/ontology#strength> \"10 mg\" ; "
        f"<https://w3id.org/medsupply/ontology#validFrom> \"{winner['from']}\"^^<http://www.w3.org/2001/XMLSchema#date> .\n",
        _clone(store, exemption["e"], ex + "exemption", replacesRegistration=str(product["reg"])),
    ])


def test_a_load_and_its_deletion_leave_every_derived_graph_equal_to_a_whole_derivation(
        fresh_store: OxigraphStore, tmp_path: Path) -> None:
    assert _whole_derivation_differences(fresh_store) == {}
    changes = tmp_path / "changes.ttl"
    changes.write_text(_changes_every_derivation_reads(fresh_store), encoding="utf-8")
    graphs_before = {q.name: fresh_store.count(derived_graph(q)) for q in derivation_queries(SETTINGS)}
    [result] = load_files(fresh_store, SETTINGS, [LoadRequest(path=changes)], agent="test")
    assert _whole_derivation_differences(fresh_store) == {}
    pending = reach(fresh_store, SETTINGS, [load_graph(result["id"])])
    assert set(pending) == {q.name for q in derivation_queries(SETTINGS)}  # the graph touches every one
    assert not any(entry.whole for entry in pending.values())  # and each only node by node
    delete_load(fresh_store, result["id"])
    assert _whole_derivation_differences(fresh_store) == {}
    assert {q.name: fresh_store.count(derived_graph(q)) for q in derivation_queries(SETTINGS)} == graphs_before


def test_a_replaced_load_leaves_every_derived_graph_equal_to_a_whole_derivation(
        fresh_store: OxigraphStore, tmp_path: Path) -> None:
    changes = _changes_every_derivation_reads(fresh_store)
    first, second = tmp_path / "changes.ttl", tmp_path / "changes-v2.ttl"
    first.write_text(changes, encoding="utf-8")
    # the new version drops the stock position, the contract and the exemption: what only the old
    # graph reached (before it was replaced) must be derived again too
    second.write_text("".join(line + "\n" for line in changes.splitlines()
                              if "incremental/position" not in line and "incremental/contract" not in line
                              and "incremental/exemption" not in line), encoding="utf-8")
    [old] = load_files(fresh_store, SETTINGS, [LoadRequest(path=first)], agent="test")
    load_files(fresh_store, SETTINGS, [LoadRequest(path=second)], agent="test", replace=old["id"])
    assert _whole_derivation_differences(fresh_store) == {}


def test_a_reach_beyond_the_focus_limit_derives_the_whole_derivation_again(
        fresh_store: OxigraphStore, tmp_path: Path) -> None:
    changes = tmp_path / "changes.ttl"
    changes.write_text(_changes_every_derivation_reads(fresh_store), encoding="utf-8")
    [result] = load_files(fresh_store, dataclasses.replace(SETTINGS, derive_focus_limit=1),
                          [LoadRequest(path=changes)], agent="test")
    graph = load_graph(result["id"])
    assert reach(fresh_store, dataclasses.replace(SETTINGS, derive_focus_limit=1), [graph])[
        "derive/product-fact-records"].whole
    assert not reach(fresh_store, SETTINGS, [graph])["derive/product-fact-records"].whole
    assert _whole_derivation_differences(fresh_store) == {}


def test_each_reach_finds_the_subjects_of_what_its_derivation_constructs() -> None:
    """A reach's one variable must be the subject of its derivation's template: the derived triples
    of each node found are swapped as a whole (and a derivation that made others would be refused)."""
    derivations = {q.name.removeprefix("derive/"): q for q in derivation_queries(SETTINGS)}
    reaches = all_queries(SETTINGS.queries_dir, "reach")
    assert {q.name.removeprefix("reach/") for q in reaches} <= set(derivations)
    for reach_query in reaches:
        [focus] = re.findall(r"SELECT\s+DISTINCT\s+\?(\w+)\s+WHERE", reach_query.sparql)
        template = re.search(r"CONSTRUCT\s*\{\s*\?(\w+)\s", derivations[reach_query.name.removeprefix("reach/")].sparql)
        assert template and template.group(1) == focus, reach_query.name
