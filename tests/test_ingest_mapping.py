"""The declarative mappings and their documented value interpretations (no store needed)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from reasoner.config import load_settings
from reasoner.errors import ValidationFailed
from reasoner.ingest.mapping import XSD, choose_mapping, header_key, key_slug, load_mappings, slug

SETTINGS = load_settings()
MAPPINGS = load_mappings(SETTINGS)
TEMPLATES = SETTINGS.data_dir / "templates"
INTERPRET = MAPPINGS["products"].interpretations


def test_registration_numbers_slug_as_the_contract_says() -> None:
    assert slug("RVG 12345") == "rvg-12345"
    assert slug("EU/1/99/112/002") == "eu-1-99-112-002"
    assert key_slug("abacavir|lamivudine") == "abacavir--lamivudine"


@pytest.mark.parametrize("text", ["2026-12-31", "31-12-2026", "31/12/2026", "31.12.2026", "20261231"])
def test_dates_are_iso_or_day_first(text: str) -> None:
    assert INTERPRET.normalise(text, XSD + "date") == "2026-12-31"


def test_impossible_dates_are_kept_as_written_for_the_shapes_to_refuse() -> None:
    assert INTERPRET.normalise("31-02-2026", XSD + "date") == "31-02-2026"
    assert INTERPRET.normalise("12/31/2026", XSD + "date") == "12/31/2026"


@pytest.mark.parametrize(("text", "value"), [("12,5", "12.5"), ("1.234,56", "1234.56"), ("1,234.56", "1234.56"),
                                              ("1.234", "1.234"), ("€ 12,50", "12.5"), ("8,0", "8"), ("+08.50", "8.5"), ("-3", "-3"), ("7", "7")])
def test_decimal_commas_and_points(text: str, value: str) -> None:
    assert INTERPRET.normalise(text, XSD + "decimal") == value


@pytest.mark.parametrize(("text", "value"), [("ja", "true"), ("Nee", "false"), ("yes", "true"), ("0", "false"),
                                              ("x", "true"), ("misschien", "misschien")])
def test_yes_no_words(text: str, value: str) -> None:
    assert INTERPRET.normalise(text, XSD + "boolean") == value


def test_headers_match_without_case_accents_or_separators() -> None:
    assert header_key(" Registratie-Nummer ") == header_key("registratie_nummer") == "registratie_nummer"
    assert MAPPINGS["stock-positions"].column_for("Weken Voorraad").name == "weeks_of_demand"


def test_misspelled_header_is_refused_with_the_closest_header_suggested() -> None:
    with pytest.raises(ValidationFailed) as refused:
        MAPPINGS["products"].bind(["registratienumer", "productnaam"], "x.csv")
    assert "did you mean 'registratienummer'" in refused.value.details[0]["message"]


def test_tables_are_matched_to_a_template_by_their_dutch_or_english_headers() -> None:
    dutch = ["registratienummer", "houder", "rol_houder", "weken_voorraad", "peildatum"]
    assert choose_mapping(dutch, MAPPINGS, None, None, "x").mapping.name == "stock-positions"
    english = ["organisation", "site", "site_country"]
    assert choose_mapping(english, MAPPINGS, None, None, "x").mapping.name == "suppliers"


@pytest.mark.parametrize("name", sorted(MAPPINGS))
def test_every_template_fits_its_mapping(name: str) -> None:
    with open(TEMPLATES / f"{name}.csv", encoding="utf-8") as handle:
        headers = next(csv.reader(handle))
    assert choose_mapping(headers, MAPPINGS, None, None, name).mapping.name == name
    MAPPINGS[name].bind(headers, name)
    book = openpyxl.load_workbook(TEMPLATES / f"{name}.xlsx", read_only=True)
    sheet = book.worksheets[0]
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == headers
    assert choose_mapping(headers, MAPPINGS, None, sheet.title, name).mapping.name == name
    assert name in Path(TEMPLATES / "README.md").read_text(encoding="utf-8")


def test_a_row_maps_to_typed_values_with_documented_interpretations() -> None:
    bound = MAPPINGS["stock-positions"].bind(
        ["registratienummer", "houder", "rol_houder", "weken_voorraad", "peildatum"], "x")
    [stock, holder] = bound.map_row(["RVG 12345", "Apotheek B.V.", "groothandel", "10,5", "31-12-2026"])
    ms = "https://w3id.org/medsupply/ontology#"
    assert stock.values[ms + "stockOf"] == ["https://w3id.org/medsupply/id/product/rvg-12345"]
    assert stock.values[ms + "holderRole"] == [ms + "WholesalerRole"]
    assert stock.values[ms + "weeksOfDemand"] == [("10.5", XSD + "decimal")]
    assert stock.values[ms + "positionDate"] == [("2026-12-31", XSD + "date")]
    assert holder.subject == "https://w3id.org/medsupply/id/org/apotheek-b-v"
