"""Compliance and obligations over HTTP (the rules library behind the real server)."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

PRODUCT = {"product": {"id": "RVG 99999", "kind": "medicine", "prescription_only": True, "atc_code": "J01CA04",
                       "shelf_life_months": 36, "medicinal_gas": False, "named_patient": False}}


def _any_registration(live_server: str, prefix: str) -> str:
    query = ("SELECT ?r WHERE { ?p a ms:MedicinalProduct ; ms:registrationNumber ?r ; ms:prescriptionOnly true . "
             f'FILTER STRSTARTS(?r, "{prefix}") }} ORDER BY ?r LIMIT 1')
    rows = httpx.get(f"{live_server}/sparql", params={"query": query}, timeout=60).json()["results"]["bindings"]
    return rows[0]["r"]["value"]


def test_compliance_of_a_product_in_the_graph_by_its_url_encoded_registration_number(live_server: str) -> None:
    registration = _any_registration(live_server, "RVG ")
    response = httpx.get(f"{live_server}/products/{quote(registration, safe='')}/compliance",
                         params={"date": "2026-06-01", "regime": "in-force"}, timeout=60)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["date"] == "2026-06-01" and body["regime"] == "in-force"
    assert body["verdict"] in {"compliant", "non-compliant", "incomplete"}
    statuses = {r["status"] for r in body["results"]}
    assert statuses <= {"satisfied", "violated", "not-applicable", "unknown"}
    assert all(r["legal_basis"] for r in body["results"] if r["rule_version"])


def test_compliance_of_an_eu_registration_with_slashes(live_server: str) -> None:
    registration = _any_registration(live_server, "EU/")
    response = httpx.get(f"{live_server}/products/{quote(registration, safe='')}/compliance", timeout=60)
    assert response.status_code == 200, response.text


def test_compliance_date_defaults_to_today(live_server: str) -> None:
    from datetime import date

    registration = _any_registration(live_server, "RVG ")
    body = httpx.get(f"{live_server}/products/{quote(registration, safe='')}/compliance", timeout=60).json()
    assert body["date"] == date.today().isoformat()


def test_unknown_product_is_a_404_problem(live_server: str) -> None:
    response = httpx.get(f"{live_server}/products/{quote('RVG 0', safe='')}/compliance", timeout=60)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("params, where", [
    ({"date": "1-6-2026"}, "date"),
    ({"date": "2026-02-30"}, "date"),
    ({"regime": "draft"}, "regime"),
])
def test_malformed_date_or_regime_is_a_422_naming_the_parameter(live_server: str, params: dict[str, str], where: str) -> None:
    registration = _any_registration(live_server, "RVG ")
    response = httpx.get(f"{live_server}/products/{quote(registration, safe='')}/compliance", params=params, timeout=60)
    assert response.status_code == 422
    assert response.json()["where"] == where


def test_post_compliance_checks_a_product_that_is_not_stored(live_server: str) -> None:
    response = httpx.post(f"{live_server}/compliance", params={"date": "2026-06-01"}, json=PRODUCT, timeout=60)
    assert response.status_code == 200, response.text
    assert response.json()["date"] == "2026-06-01"
    again = httpx.get(f"{live_server}/products/{quote('RVG 99999', safe='')}/compliance", timeout=60)
    assert again.status_code == 404  # nothing was stored


def test_post_compliance_with_a_bad_body_names_the_field(live_server: str) -> None:
    response = httpx.post(f"{live_server}/compliance", json={"product": {"kind": "spaceship"}}, timeout=60)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json().get("where")


def test_obligations_in_force_on_a_date_with_legal_basis_and_parameters(live_server: str) -> None:
    body = httpx.get(f"{live_server}/obligations", params={"date": "2026-06-01"}, timeout=60).json()
    by_id = {o["id"]: o for o in body["obligations"]}
    mah = by_id["nl-safety-stock-mah"]
    assert mah["legal_basis"] and mah["title"]["nl"]
    assert any(p["constraint"] == "minInclusive" and p["value"] == 6 for p in mah["version"]["parameters"])
    before = httpx.get(f"{live_server}/obligations", params={"date": "2022-06-01"}, timeout=60).json()
    assert "nl-safety-stock-mah" not in {o["id"] for o in before["obligations"]}


def test_one_obligation_shows_all_its_versions(live_server: str) -> None:
    body = httpx.get(f"{live_server}/obligations/nl-interruption-notice", timeout=60).json()
    regimes = {v["regime"] for v in body["versions"]}
    assert regimes == {"in-force", "proposed"}
    assert len(body["versions"]) >= 3
    assert httpx.get(f"{live_server}/obligations/no-such-rule", timeout=60).status_code == 404
