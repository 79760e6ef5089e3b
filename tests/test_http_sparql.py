"""The SPARQL 1.1 Protocol endpoint against the real server, with real SPARQL clients."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, SPARQLWrapper

ULCM_GRAPH = "https://w3id.org/medsupply/graph/ulcm"
COUNTRIES_GRAPH = "https://w3id.org/medsupply/graph/countries"
COUNT_COUNTRIES = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a ms:Country }"
AMOXICILLIN_SUPPLIERS = """
SELECT ?supplier ?iso WHERE {
  ?supplier ms:suppliesSubstance <https://w3id.org/medsupply/id/substance/amoxicillin> ;
            ms:supplyTier ms:ApiTier ; ms:locatedIn/ms:isoAlpha2 ?iso .
} ORDER BY ?supplier
"""
CONSTRUCT_COUNTRIES = "CONSTRUCT { ?c a ms:Country ; ms:isoAlpha2 ?iso } WHERE { ?c a ms:Country ; ms:isoAlpha2 ?iso }"


def sparql(base: str, query: str, accept: str | None = None, **params: str) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.get(f"{base}/sparql", params={"query": query, **params}, headers=headers, timeout=60)


def json_rows(response: httpx.Response) -> list[dict[str, str]]:
    body = response.json()
    return [{k: v["value"] for k, v in b.items()} for b in body["results"]["bindings"]]


# ---------------------------------------------------------------- results and formats

def test_select_by_get_answers_sparql_json_with_amoxicillin_suppliers_in_nine_countries(live_server: str) -> None:
    response = sparql(live_server, AMOXICILLIN_SUPPLIERS)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    rows = json_rows(response)
    assert len(rows) == 19
    assert len({r["iso"] for r in rows}) == 9


@pytest.mark.parametrize("accept, media, fmt", [
    ("application/sparql-results+json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/csv", "text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
])
def test_select_results_come_in_every_sparql_result_format_by_accept(live_server: str, accept: str, media: str,
                                                                    fmt: ox.QueryResultsFormat) -> None:
    response = sparql(live_server, AMOXICILLIN_SUPPLIERS, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    if fmt == ox.QueryResultsFormat.CSV:  # lossy by design: pyoxigraph does not read it back
        assert len(list(csv.DictReader(io.StringIO(response.text)))) == 19
    else:
        assert len(list(ox.parse_query_results(response.content, format=fmt))) == 19


def test_format_parameter_chooses_the_format_for_browsers(live_server: str) -> None:
    response = sparql(live_server, AMOXICILLIN_SUPPLIERS, accept="text/html,*/*;q=0.8", format="csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["iso"] for r in rows} >= {"CN", "IN"}


def test_accept_quality_values_pick_the_preferred_format(live_server: str) -> None:
    response = sparql(live_server, "ASK { ?s a ms:Country }",
                      accept="application/sparql-results+json;q=0.5, application/sparql-results+xml")
    assert response.headers["content-type"].startswith("application/sparql-results+xml")
    assert ox.parse_query_results(response.content, format=ox.QueryResultsFormat.XML)


def test_ask_answers_a_boolean(live_server: str) -> None:
    response = sparql(live_server, "ASK { ?c ms:isoAlpha2 \"CN\" }")
    assert response.json() == {"head": {}, "boolean": True}


@pytest.mark.parametrize("accept, fmt", [
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_construct_comes_in_every_rdf_format(live_server: str, accept: str, fmt: ox.RdfFormat) -> None:
    response = sparql(live_server, CONSTRUCT_COUNTRIES, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    triples = list(ox.parse(response.content, format=fmt))
    assert len({t.subject for t in triples}) == 49


def test_describe_answers_turtle_by_default(live_server: str) -> None:
    response = sparql(live_server, "DESCRIBE <https://w3id.org/medsupply/id/country/CN>")
    assert response.headers["content-type"].startswith("text/turtle")
    assert "isoAlpha2" in response.text


def test_select_asking_for_only_rdf_formats_is_not_acceptable(live_server: str) -> None:
    response = sparql(live_server, COUNT_COUNTRIES, accept="text/turtle")
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["where"] == "format"


def test_post_form_encoded_and_sparql_query_bodies_give_the_same_answer(live_server: str) -> None:
    form = httpx.post(f"{live_server}/sparql", data={"query": COUNT_COUNTRIES}, timeout=30)
    direct = httpx.post(f"{live_server}/sparql", content=COUNT_COUNTRIES,
                        headers={"Content-Type": "application/sparql-query"}, timeout=30)
    assert json_rows(form) == json_rows(direct) == [{"n": "49"}]


def test_default_graph_uri_makes_the_default_graph_one_source(live_server: str) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?c a ms:Country }"
    only_ulcm = sparql(live_server, query, **{"default-graph-uri": ULCM_GRAPH})
    only_countries = sparql(live_server, query, **{"default-graph-uri": COUNTRIES_GRAPH})
    assert json_rows(only_ulcm) == [{"n": "0"}]
    assert json_rows(only_countries) == [{"n": "49"}]
    by_form = httpx.post(f"{live_server}/sparql", data={"query": query, "default-graph-uri": COUNTRIES_GRAPH}, timeout=30)
    assert json_rows(by_form) == [{"n": "49"}]


def test_named_graph_uri_limits_the_graphs_graph_can_see(live_server: str) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = httpx.get(f"{live_server}/sparql", params=[("query", query), ("named-graph-uri", ULCM_GRAPH),
                                                          ("named-graph-uri", COUNTRIES_GRAPH)], timeout=30)
    assert {r["g"] for r in json_rows(response)} == {ULCM_GRAPH, COUNTRIES_GRAPH}


def test_graph_parameter_that_is_not_an_iri_is_a_422_naming_it(live_server: str) -> None:
    response = sparql(live_server, COUNT_COUNTRIES, **{"default-graph-uri": "ulcm"})
    assert response.status_code == 422
    assert response.json()["where"] == "default-graph-uri"


# ---------------------------------------------------------------- read-only and errors

@pytest.mark.parametrize("update", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "PREFIX ex: <urn:x#>\n# a comment\nDELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "DROP ALL",
])
def test_updates_sent_as_query_are_refused_with_403(live_server: str, update: str) -> None:
    response = sparql(live_server, update)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert "read-only" in response.json()["detail"]


def test_update_operation_by_form_or_media_type_is_refused(live_server: str) -> None:
    by_form = httpx.post(f"{live_server}/sparql", data={"update": "CLEAR ALL"}, timeout=30)
    by_type = httpx.post(f"{live_server}/sparql", content="CLEAR ALL",
                         headers={"Content-Type": "application/sparql-update"}, timeout=30)
    assert by_form.status_code == by_type.status_code == 403
    assert sparql(live_server, COUNT_COUNTRIES).json()["results"]["bindings"][0]["n"]["value"] == "49"


def test_service_to_another_endpoint_is_refused(live_server: str) -> None:
    response = sparql(live_server, "SELECT * WHERE { service <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert response.status_code == 403
    assert "SERVICE" in response.json()["detail"]


def test_the_words_service_and_load_in_strings_variables_and_names_are_allowed(live_server: str) -> None:
    query = 'SELECT ?service ?load WHERE { BIND("SERVICE <http://x> LOAD" AS ?service) BIND(1 AS ?load) } # SERVICE'
    response = sparql(live_server, query)
    assert response.status_code == 200
    assert json_rows(response)[0]["service"] == "SERVICE <http://x> LOAD"


def test_malformed_query_is_a_400_quoting_the_parser_with_line_and_column(live_server: str) -> None:
    response = sparql(live_server, "SELECT ?s WHERE {\n  ?s a ms:Country ;\n     ms:isoAlpha2 }")
    assert response.status_code == 400
    problem = response.json()
    assert problem["where"] == "query, line 3, column 19"
    assert "3:19" in problem["detail"]
    assert "ms:isoAlpha2 }" in problem["detail"]


def test_unsupported_post_content_type_is_a_415(live_server: str) -> None:
    response = httpx.post(f"{live_server}/sparql", content="SELECT * {}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


# ---------------------------------------------------------------- service description

def test_sparql_without_query_describes_the_service_in_turtle(live_server: str) -> None:
    response = httpx.get(f"{live_server}/sparql", timeout=30)
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoints = {str(o) for o in graph.objects(None, graph.namespace_manager.expand_curie("rdf:type").__class__(sd + "endpoint"))}
    assert endpoints == {f"{live_server}/sparql"}
    names = {str(o) for o in graph.objects(None, graph.namespace_manager.expand_curie("rdf:type").__class__(sd + "name"))}
    assert ULCM_GRAPH in names


# ---------------------------------------------------------------- real clients

def test_sparqlwrapper_select_json_and_csv(live_server: str) -> None:
    client = SPARQLWrapper(f"{live_server}/sparql")
    client.setQuery(AMOXICILLIN_SUPPLIERS)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]  # type: ignore[index]
    assert len(rows) == 19
    client.setReturnFormat(CSV)
    text = client.query().convert().decode("utf-8")  # type: ignore[union-attr]
    assert text.splitlines()[0] == "supplier,iso"


def test_sparqlwrapper_post_construct_as_turtle(live_server: str) -> None:
    client = SPARQLWrapper(f"{live_server}/sparql")
    client.setMethod("POST")
    client.setQuery(CONSTRUCT_COUNTRIES)
    client.setReturnFormat(TURTLE)
    data = client.query().convert()
    graph = Graph().parse(data=data, format="turtle")
    assert len(set(graph.subjects())) == 49


def test_sparqlwrapper_update_is_refused(live_server: str) -> None:
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    client = SPARQLWrapper(f"{live_server}/sparql")
    client.setMethod("POST")
    client.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises((SPARQLWrapperException, Exception)):
        client.query()


def test_rdflib_sparqlstore_reads_the_graph(live_server: str) -> None:
    store = SPARQLStore(f"{live_server}/sparql", returnFormat="json")
    graph = Graph(store=store)
    rows = list(graph.query(
        "PREFIX ms: <https://w3id.org/medsupply/ontology#> SELECT ?iso WHERE { ?c a ms:Country ; ms:isoAlpha2 ?iso }"))
    assert len({str(r[0]) for r in rows}) == 49
    assert graph.query("PREFIX ms: <https://w3id.org/medsupply/ontology#> ASK { ?c ms:isoAlpha2 \"IN\" }").askAnswer


# ---------------------------------------------------------------- limits (own server with tight limits)

@pytest.fixture(scope="module")
def limited_server(
    prepared_store_dir: Path, tmp_path_factory: pytest.TempPathFactory, server_factory: Callable[..., Any]
) -> Iterator[str]:
    """The real server with a 1 s time limit and a 50-result limit."""
    env = {"MEDSUPPLY_QUERY_TIMEOUT": "1", "MEDSUPPLY_QUERY_RESULT_LIMIT": "50", "MEDSUPPLY_QUERY_WORKERS": "1"}
    with server_factory(prepared_store_dir, tmp_path_factory.mktemp("limited"), env=env) as base:
        yield base


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_query_over_the_time_limit_is_stopped_with_503_and_the_server_keeps_answering(limited_server: str) -> None:
    response = sparql(limited_server, RUNAWAY)
    assert response.status_code == 503
    assert "time limit of 1 s" in response.json()["detail"]
    # the killed worker is replaced: the next queries are answered
    for _ in range(3):
        assert json_rows(sparql(limited_server, COUNT_COUNTRIES)) == [{"n": "49"}]


def test_query_over_the_result_limit_is_a_clear_error(limited_server: str) -> None:
    response = sparql(limited_server, "SELECT DISTINCT ?s WHERE { ?s a ms:ActiveSubstance }")
    assert response.status_code == 503
    assert "more than 50 solutions" in response.json()["detail"]
    assert sparql(limited_server, "SELECT DISTINCT ?s WHERE { ?s a ms:ActiveSubstance } LIMIT 50").status_code == 200


def test_health_reports_the_store_after_a_killed_query(limited_server: str) -> None:
    sparql(limited_server, RUNAWAY)
    health = httpx.get(f"{limited_server}/health", timeout=10).json()
    assert health["status"] == "ok" and health["store"] == "reachable"
    assert json.loads(json.dumps(health))["dataset_version"]


def test_query_workers_see_data_loaded_after_they_started(live_server: str) -> None:
    turtle = ("@prefix ms: <https://w3id.org/medsupply/ontology#> .\n"
              "<https://w3id.org/medsupply/id/product/rvg-987654> a ms:MedicinalProduct ; "
              "ms:registrationNumber \"RVG 987654\" ; ms:productName \"Freshness probe\" .\n")
    query = 'SELECT ?p WHERE { ?p ms:registrationNumber "RVG 987654" }'
    assert json_rows(sparql(live_server, query)) == []
    created = httpx.post(f"{live_server}/datasets?name=fresh.ttl", content=turtle,
                         headers={"Content-Type": "text/turtle", "Authorization": "Bearer test-write-token"},
                         timeout=120)
    assert created.status_code == 201, created.text
    try:
        for _ in range(4):  # every worker of the pool reopens its read-only view
            assert json_rows(sparql(live_server, query)) == [
                {"p": "https://w3id.org/medsupply/id/product/rvg-987654"}]
    finally:
        httpx.delete(f"{live_server}/datasets/{created.json()['id']}",
                     headers={"Authorization": "Bearer test-write-token"}, timeout=120)
