"""POST/GET/DELETE /datasets on the real HTTP server: bearer-token writes, problem+json listing
every problem, provenance of each load, idempotent re-uploads."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest


TOKEN = "test-write-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BAD = Path(__file__).parent / "data" / "bad"
TIMEOUT_S = 120
"""A write recomputes the derivations its graph touches (2-3 s on the default dataset) and starts a
new preparation; on a loaded CI machine a write, or a read beside it, can take longer than httpx's
default of 5 s, so every call here waits this long."""
PRODUCTS = ("registration_number,product_name,marketing_authorisation_holder,strength\n"
            "RVG 801,Http Product 10 mg,Example Pharma B.V.,10 mg\n")
TURTLE = """@prefix ms: <https://w3id.org/medsupply/ontology#> .
<https://w3id.org/medsupply/id/product/rvg-802> a ms:MedicinalProduct ;
    ms:registrationNumber "RVG 802" ; ms:productName "Turtle product" .
"""


def test_upload_without_credentials_is_401(live_server: str) -> None:
    response = httpx.post(f"{live_server}/datasets", content=TURTLE, headers={"Content-Type": "text/turtle"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_upload_with_malformed_credentials_is_401(live_server: str) -> None:
    response = httpx.post(f"{live_server}/datasets", content=TURTLE,
                          headers={"Content-Type": "text/turtle", "Authorization": f"Token {TOKEN}"})
    assert response.status_code == 401


def test_upload_with_a_wrong_token_is_403(live_server: str) -> None:
    response = httpx.post(f"{live_server}/datasets", content=TURTLE,
                          headers={"Content-Type": "text/turtle", "Authorization": "Bearer nope"})
    assert response.status_code == 403


def test_delete_without_credentials_is_401(live_server: str) -> None:
    assert httpx.delete(f"{live_server}/datasets/0123456789abcdef", timeout=TIMEOUT_S).status_code == 401


def _prepared(live_server: str) -> dict:
    return httpx.get(f"{live_server}/health", timeout=TIMEOUT_S).json()["reports_prepared"]


def test_multipart_csv_upload_is_listed_inspected_and_deleted(live_server: str) -> None:
    files = {"file": ("http-products.csv", PRODUCTS.encode(), "text/csv")}
    prepared_before = _prepared(live_server)["store_revision"]
    created = httpx.post(f"{live_server}/datasets", files=files, headers={**AUTH, "From": "steward@example.org"},
                         timeout=TIMEOUT_S)
    assert created.status_code == 201, created.text
    deadline = time.monotonic() + 120  # the dependency analysis is prepared again for the loaded data
    while not (_prepared(live_server)["state"] == "ready" and _prepared(live_server)["store_revision"] != prepared_before) \
            and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _prepared(live_server)["store_revision"] != prepared_before
    load = created.json()
    assert load["file"] == "http-products.csv" and load["loaded_by"] == "steward@example.org"
    assert created.headers["location"] == f"/datasets/{load['id']}"

    again = httpx.post(f"{live_server}/datasets", files=files, headers=AUTH, timeout=TIMEOUT_S)
    assert again.status_code == 200 and again.json()["unchanged"] is True

    listed = httpx.get(f"{live_server}/datasets", timeout=TIMEOUT_S).json()["loads"]
    assert load["id"] in [d["id"] for d in listed]
    shown = httpx.get(f"{live_server}/datasets/{load['id']}", timeout=TIMEOUT_S).json()
    assert shown["classes"]["ms:MedicinalProduct"] == 1 and shown["rows"] == 1

    deleted = httpx.delete(f"{live_server}/datasets/{load['id']}", headers=AUTH, timeout=TIMEOUT_S)
    assert deleted.status_code == 200
    assert httpx.get(f"{live_server}/datasets/{load['id']}", timeout=TIMEOUT_S).status_code == 404


def test_turtle_body_upload_becomes_a_load(live_server: str) -> None:
    response = httpx.post(f"{live_server}/datasets?name=products.ttl", content=TURTLE,
                          headers={**AUTH, "Content-Type": "text/turtle"}, timeout=TIMEOUT_S)
    assert response.status_code == 201, response.text
    assert response.json()["format"] == "text/turtle" and response.json()["file"] == "products.ttl"
    httpx.delete(f"{live_server}/datasets/{response.json()['id']}", headers=AUTH, timeout=TIMEOUT_S)


def test_refused_upload_is_problem_json_listing_every_problem(live_server: str) -> None:
    files = {"file": ("unknown-country.csv", (BAD / "unknown-country.csv").read_bytes(), "text/csv")}
    before = httpx.get(f"{live_server}/datasets", timeout=TIMEOUT_S).json()["loads"]
    response = httpx.post(f"{live_server}/datasets", files=files, headers=AUTH, timeout=TIMEOUT_S)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    errors = response.json()["errors"]
    located = {(e["row"], e["column"], e["value"]) for e in errors}
    assert {(2, "site_country", "XX"), (3, "site_country", "Netherlands")} <= located
    assert httpx.get(f"{live_server}/datasets", timeout=TIMEOUT_S).json()["loads"] == before


def test_truncated_turtle_body_is_400_with_its_line(live_server: str) -> None:
    response = httpx.post(f"{live_server}/datasets", content=(BAD / "truncated.ttl").read_bytes(),
                          headers={**AUTH, "Content-Type": "text/turtle"}, timeout=TIMEOUT_S)
    assert response.status_code == 400
    assert "line" in response.json()["where"]


def test_unknown_load_is_404(live_server: str) -> None:
    assert httpx.get(f"{live_server}/datasets/not-a-load", timeout=TIMEOUT_S).status_code == 404


@pytest.fixture(scope="module")
def server_without_token(
    prepared_store_dir: Path, tmp_path_factory: pytest.TempPathFactory, server_factory: Callable[..., Any]
) -> Iterator[str]:
    """The real server with MEDSUPPLY_WRITE_TOKEN unset: writes are disabled."""
    with server_factory(prepared_store_dir, tmp_path_factory.mktemp("no-token"),
                        env={"MEDSUPPLY_WRITE_TOKEN": None}) as base:
        yield base


def test_writes_are_refused_with_403_when_no_token_is_configured(server_without_token: str) -> None:
    response = httpx.post(f"{server_without_token}/datasets", content=TURTLE,
                          headers={**AUTH, "Content-Type": "text/turtle"})
    assert response.status_code == 403
    assert "MEDSUPPLY_WRITE_TOKEN" in response.json()["detail"]
