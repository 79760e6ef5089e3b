"""Sniffing files (kind, encoding, delimiter) and loading RDF in every format it comes in."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from reasoner.config import load_settings
from reasoner.errors import InputError
from reasoner.ingest.formats import read_tables, sniff
from reasoner.ingest.loads import LoadRequest, load_files
from reasoner.store import OxigraphStore

SETTINGS = load_settings()
BAD = Path(__file__).parent / "data" / "bad"


def test_latin1_file_is_sniffed_as_windows_1252_with_semicolons() -> None:
    info = sniff(BAD / "latin1-suppliers.csv")
    assert (info.kind, info.encoding, info.delimiter) == ("csv", "cp1252", ";")
    [table] = read_tables(info)
    assert next(table.rows)[1][0] == "Pharmé Zürich AG"


def test_utf8_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfregistration_number\tproduct_name\nRVG 1\tX\n")
    info = sniff(path)
    assert (info.encoding, info.delimiter) == ("utf-8-sig", "\t")
    assert next(read_tables(info)).headers == ["registration_number", "product_name"]


def test_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty"):
        sniff(BAD / "empty.csv")


def test_old_excel_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0 not really")
    with pytest.raises(InputError, match=r"\.xlsx"):
        sniff(path)


def test_rdf_kind_is_known_from_content_when_the_name_does_not_say(tmp_path: Path) -> None:
    path = tmp_path / "upload"
    path.write_text('{"@id": "https://example.org/x"}', encoding="utf-8")
    assert sniff(path).rdf_format == ox.RdfFormat.JSON_LD


FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS,
           "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD, "rdf": ox.RdfFormat.RDF_XML}


def test_rdf_in_every_format_loads_into_its_own_graph(fresh_store: OxigraphStore, tmp_path: Path) -> None:
    ms, msid = "https://w3id.org/medsupply/ontology#", "https://w3id.org/medsupply/id/"
    for n, (suffix, fmt) in enumerate(FORMATS.items()):
        subject = ox.NamedNode(f"{msid}product/rvg-9{n}")
        triples = [ox.Quad(subject, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                           ox.NamedNode(ms + "MedicinalProduct")),
                   ox.Quad(subject, ox.NamedNode(ms + "registrationNumber"), ox.Literal(f"RVG 9{n}")),
                   ox.Quad(subject, ox.NamedNode(ms + "productName"), ox.Literal(f"Product in {suffix}"))]
        if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
            triples = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode("https://example.org/their-graph"))
                       for q in triples]
        path = tmp_path / f"product.{suffix}"
        path.write_bytes(ox.serialize(triples, format=fmt))
        [result] = load_files(fresh_store, SETTINGS, [LoadRequest(path=path)], agent="test")
        assert fresh_store.count(result["graph"]) == 3, suffix
        assert result["format"] == fmt.media_type
