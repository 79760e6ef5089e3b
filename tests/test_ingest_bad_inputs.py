"""Every way a real file goes wrong (tests/data/bad/) gets a clear, located error or a documented
interpretation; none gets a partial load (the store's fingerprint is unchanged on refusal)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reasoner.config import load_settings
from reasoner.errors import InputError, MedsupplyError, ParseError, ValidationFailed
from reasoner.ingest.loads import LoadRequest, load_files
from reasoner.store import OxigraphStore

BAD = Path(__file__).parent / "data" / "bad"
SETTINGS = load_settings()
REFERENCE = ("registration_number,product_name,marketing_authorisation_holder\n"
             "RVG 501,Ibuprofen 400 mg,Example Pharma B.V.\n")


def load(store: OxigraphStore, path: Path, mapping: str | None = None) -> list[dict]:
    return load_files(store, SETTINGS, [LoadRequest(path=path, mapping=mapping)], agent="test")


@pytest.fixture(scope="module")
def with_products(prepared_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    """A store plus product RVG 501, which the corpus's stock and price rows refer to. Shared by the
    tests of accepted files: each file is a load of its own and each test reads only its graph."""
    folder = tmp_path_factory.mktemp("accepted")
    store = OxigraphStore(shutil.copytree(prepared_store_dir, folder / "store"))
    path = folder / "reference-products.csv"
    path.write_text(REFERENCE, encoding="utf-8")
    load(store, path)
    return store


@pytest.fixture(scope="module")
def refusing_store(prepared_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[OxigraphStore, str]:
    """One store with RVG 501 for all refusal tests, and its fingerprint: a refusal changes nothing,
    so every refusal test compares against the same fingerprint."""
    folder = tmp_path_factory.mktemp("refusals")
    store = OxigraphStore(shutil.copytree(prepared_store_dir, folder / "store"))
    path = folder / "reference-products.csv"
    path.write_text(REFERENCE, encoding="utf-8")
    load(store, path)
    return store, store.fingerprint()


REFUSED = [
    ("truncated.ttl", ParseError, "line"),
    ("empty.csv", InputError, "is empty"),
    ("empty.ttl", InputError, "is empty"),
    ("headers-only.csv", ValidationFailed, "no rows of data"),
    ("misspelled-headers.csv", ValidationFailed, "did you mean 'registratienummer'"),
    ("missing-required-column.csv", ValidationFailed, "required column weeks_of_demand"),
    ("impossible-date.csv", ValidationFailed, "valid date"),
    ("conflicting-rows.csv", ValidationFailed, "different values"),
    ("unknown-country.csv", ValidationFailed, "ISO 3166-1"),
    ("negative-stock.csv", ValidationFailed, "cannot be negative"),
    ("negative-stock.ttl", ValidationFailed, "cannot be negative"),
    ("bad-atc.csv", ValidationFailed, "ATC code must look like"),
    ("unknown-sheet.xlsx", ValidationFailed, "match no template"),
    ("not-json.jsonld", ParseError, ""),
    ("broken.rdf", ParseError, ""),
    ("broken.nt", ParseError, "line"),
    ("broken.nq", ParseError, "line"),
    ("broken.trig", ParseError, ""),
]


@pytest.mark.parametrize(("name", "error", "words"), REFUSED, ids=[r[0] for r in REFUSED])
def test_bad_file_is_refused_with_a_clear_error_and_nothing_written(
        refusing_store: tuple[OxigraphStore, str], tmp_path: Path, name: str, error: type, words: str) -> None:
    store, before = refusing_store
    path = tmp_path / name
    shutil.copy(BAD / name, path)
    with pytest.raises(error) as refused:
        load(store, path)
    text = str(refused.value) + " ".join(str(d) for d in refused.value.details)
    assert words in text
    assert refused.value.http_status in (400, 422)
    assert store.fingerprint() == before


def test_every_problem_is_located_by_row_column_and_value(refusing_store: tuple[OxigraphStore, str]) -> None:
    with pytest.raises(ValidationFailed) as refused:
        load(refusing_store[0], BAD / "unknown-country.csv")
    problems = [(d["row"], d["column"], d["value"]) for d in refused.value.details if d.get("column") == "site_country"]
    assert (2, "site_country", "XX") in problems
    assert (3, "site_country", "Netherlands") in problems


def test_misspelled_header_suggests_the_closest_known_header(refusing_store: tuple[OxigraphStore, str]) -> None:
    with pytest.raises(ValidationFailed) as refused:
        load(refusing_store[0], BAD / "misspelled-headers.csv")
    messages = [d["message"] for d in refused.value.details]
    assert any("registratienumer" != m and "did you mean 'registratienummer'" in m for m in messages)
    assert any("did you mean 'product_name'" in m or "did you mean 'productnaam'" in m for m in messages)


def test_latin1_csv_is_read_as_windows_1252_and_says_so(with_products: OxigraphStore) -> None:
    [result] = load(with_products, BAD / "latin1-suppliers.csv")
    assert result["encoding"] == "cp1252" and result["delimiter"] == ";"
    labels = {r["l"].value for r in with_products.select(
        f"SELECT ?l WHERE {{ GRAPH <{result['graph']}> {{ ?s a ms:Organisation ; rdfs:label ?l }} }}")}
    assert labels == {"Pharmé Zürich AG"}


def test_semicolon_csv_with_decimal_comma_loads(with_products: OxigraphStore) -> None:
    [result] = load(with_products, BAD / "semicolon-products.csv")
    assert result["delimiter"] == ";" and result["rows"] == 1
    [row] = with_products.select(
        f"SELECT ?size WHERE {{ GRAPH <{result['graph']}> {{ ?p ms:packSize ?size }} }}")
    assert row["size"].value == "20"  # "20,0" read as 20 (the store keeps decimals canonical)


def test_both_date_notations_mean_the_same_day(with_products: OxigraphStore) -> None:
    [result] = load(with_products, BAD / "dates-both-notations.csv")
    days = {(r["n"].value, r["s"].value) for r in with_products.select(
        f"SELECT ?n ?s WHERE {{ GRAPH <{result['graph']}> {{ ?x ms:notifiedOn ?n ; ms:expectedStart ?s }} }}")}
    assert days == {("2026-11-01", "2027-01-15")}


def test_decimal_commas_and_euro_signs_become_decimals(with_products: OxigraphStore) -> None:
    [result] = load(with_products, BAD / "decimal-commas.csv")
    [row] = with_products.select(
        f"""SELECT ?unit ?pack ?aip WHERE {{ GRAPH <{result['graph']}> {{ ?p ms:pricePerUnitEur ?unit ;
            ms:pricePerPackEur ?pack ; ms:pharmacyPurchasePriceEur ?aip }} }}""")
    assert (row["unit"].value, row["pack"].value, row["aip"].value) == ("0.05", "1234.5", "12.5")


def test_duplicate_rows_are_loaded_once_and_noted(with_products: OxigraphStore) -> None:
    [result] = load(with_products, BAD / "duplicate-rows.csv")
    assert result["notes"][0]["row"] == 3 and "repeats row 2" in result["notes"][0]["message"]
    [row] = with_products.select(
        f"SELECT (COUNT(?s) AS ?n) WHERE {{ GRAPH <{result['graph']}> {{ ?s a ms:StockPosition }} }}")
    assert row["n"].value == "1"


def test_xlsx_sheets_are_mapped_each_by_their_headers(fresh_store: OxigraphStore) -> None:
    [result] = load(fresh_store, BAD / "several-sheets.xlsx")
    assert [(t["table"].split("sheet ")[-1], t["mapping"]) for t in result["tables"]] == [
        ("Products", "products"), ("Voorraad", "stock-positions")]
    [row] = fresh_store.select(
        f"SELECT ?d ?w WHERE {{ GRAPH <{result['graph']}> {{ ?s ms:positionDate ?d ; ms:weeksOfDemand ?w }} }}")
    assert (row["d"].value, row["w"].value) == ("2026-12-31", "6.5")


def test_no_bad_input_raises_anything_but_a_typed_error(with_products: OxigraphStore) -> None:
    for path in sorted(BAD.iterdir()):
        if path.name == "README.md":
            continue
        try:
            load(with_products, path)
        except MedsupplyError as exc:
            assert exc.http_status < 500, (path.name, exc)
