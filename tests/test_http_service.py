"""Service quality: health, request ids, OpenAPI with examples and stable operation ids, problem+json."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest


OPERATION_IDS = {
    ("get", "/sparql"): "sparqlQuery",
    ("post", "/sparql"): "sparqlQueryPost",
    ("get", "/queries"): "listNamedQueries",
    ("get", "/queries/{name}"): "runNamedQuery",
    ("get", "/products/{id}/compliance"): "checkProductCompliance",
    ("post", "/compliance"): "checkComplianceOfSubmittedProduct",
    ("get", "/obligations"): "listObligations",
    ("get", "/obligations/{id}"): "getObligation",
    ("get", "/health"): "getHealth",
}


def test_health_says_the_store_is_reachable_and_gives_the_dataset_version(live_server: str) -> None:
    body = httpx.get(f"{live_server}/health", timeout=10).json()
    assert body["status"] == "ok" and body["store"] == "reachable"
    assert body["dataset_version"] and body["query_workers"] >= 1


def test_the_service_prepares_todays_dependency_analysis_in_the_background(live_server: str) -> None:
    """Started with the default settings, the service reads today's supply facts and builds the
    analysis after it starts; /health says how far it got, and a report is then served warm."""
    import time
    deadline = time.monotonic() + 120
    prepared = httpx.get(f"{live_server}/health", timeout=10).json()["reports_prepared"]
    while prepared["state"] in ("idle", "preparing") and time.monotonic() < deadline:
        time.sleep(0.5)
        prepared = httpx.get(f"{live_server}/health", timeout=10).json()["reports_prepared"]
    assert prepared["state"] == "ready", prepared
    assert prepared["date"] == date.today().isoformat() and prepared["seconds"] is not None
    report = httpx.get(f"{live_server}/reports/dependencies", params={"scope": "union-list"}, timeout=60)
    assert report.status_code == 200


def test_every_response_carries_a_request_id_and_echoes_the_callers(live_server: str) -> None:
    assert httpx.get(f"{live_server}/health").headers["x-request-id"]
    echoed = httpx.get(f"{live_server}/health", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"


def test_openapi_has_stable_operation_ids_and_examples_for_every_operation(live_server: str) -> None:
    spec = httpx.get(f"{live_server}/openapi.json", timeout=30).json()
    for (method, path), operation_id in OPERATION_IDS.items():
        operation = spec["paths"][path][method]
        assert operation["operationId"] == operation_id
        contents = [c for r in operation["responses"].values() for c in r.get("content", {}).values()]
        assert any("example" in c or "examples" in c for c in contents), f"{method} {path} has no example"
    post_body = spec["paths"]["/sparql"]["post"]["requestBody"]["content"]
    assert {"application/sparql-query", "application/x-www-form-urlencoded"} <= set(post_body)


def test_errors_are_problem_json_documents(live_server: str) -> None:
    response = httpx.get(f"{live_server}/no/such/path")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(problem)


@pytest.fixture(scope="module")
def two_worker_server(
    prepared_store_dir: Path, tmp_path_factory: pytest.TempPathFactory, server_factory: Callable[..., Any]
) -> Iterator[str]:
    """``medsupply serve --workers 2``: both workers answer from read-only views of one store."""
    with server_factory(prepared_store_dir, tmp_path_factory.mktemp("two-workers"),
                        env={"MEDSUPPLY_QUERY_WORKERS": "1"}, args=("--workers", "2")) as base:
        yield base


def test_two_workers_answer_health_sparql_and_named_queries(two_worker_server: str) -> None:
    for _ in range(6):  # spread over both workers
        assert httpx.get(f"{two_worker_server}/health", timeout=10).json()["store"] == "reachable"
    rows = httpx.get(f"{two_worker_server}/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?c a ms:Country }"},
                     timeout=60).json()["results"]["bindings"]
    assert rows[0]["n"]["value"] == "49"
    assert httpx.get(f"{two_worker_server}/queries/ulcm-and-nl-red", timeout=60).status_code == 200


def test_two_workers_refuse_http_writes_with_a_clear_problem(two_worker_server: str) -> None:
    response = httpx.post(f"{two_worker_server}/datasets?name=x.ttl", content="<urn:a> <urn:b> <urn:c> .",
                          headers={"Content-Type": "text/turtle", "Authorization": "Bearer test-write-token"},
                          timeout=60)
    assert response.status_code in (403, 422)
    assert response.headers["content-type"] == "application/problem+json"
