"""Load-time derivations (queries/derive/): each in its own graph, recomputed by the loads that touch
its vocabulary, and read by the fact queries — so a check sees a competing contract as soon as it
is loaded and stops seeing it once the load is deleted."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from reasoner.config import load_settings
from reasoner.derivations import affected, derivation_queries, derived_graph, vocabulary
from reasoner.ingest.loads import LoadRequest, delete_load, load_files, load_graph
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
