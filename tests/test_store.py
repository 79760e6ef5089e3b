"""The store interface: loads are all-or-nothing and errors say where."""

from __future__ import annotations

import pytest

from reasoner.errors import ParseError
from reasoner.store import OxigraphStore, rdf_format

GOOD = b"@prefix ex: <http://example.org/> . ex:a ex:b ex:c ."
TRUNCATED = b"@prefix ex: <http://example.org/> . ex:a ex:b ex:c . ex:d ex:e "


def test_load_puts_triples_in_the_named_graph() -> None:
    store = OxigraphStore()
    written = store.load(GOOD, rdf_format("ttl"), graph="http://example.org/g")
    assert written == 1
    assert store.named_graphs() == ["http://example.org/g"]
    assert store.count("http://example.org/g") == 1


def test_truncated_turtle_is_rejected_with_line_and_column_and_store_unchanged() -> None:
    store = OxigraphStore()
    store.load(GOOD, rdf_format("ttl"), graph="http://example.org/g")
    before = store.fingerprint()
    with pytest.raises(ParseError) as caught:
        store.load(TRUNCATED, rdf_format("ttl"), graph="http://example.org/h", where="upload.ttl")
    assert "upload.ttl, line 1, column" in str(caught.value)
    assert store.fingerprint() == before


def test_malformed_query_names_line_and_column() -> None:
    with pytest.raises(ParseError) as caught:
        OxigraphStore().query("SELECT ?s WHERE { ?s ?p }")
    assert "query, line 1, column" in str(caught.value)


def test_replace_graph_swaps_content_atomically() -> None:
    store = OxigraphStore()
    store.load(GOOD, rdf_format("ttl"), graph="http://example.org/g")
    store.replace_graph("http://example.org/g", [])
    assert store.count("http://example.org/g") == 0


def test_fingerprint_ignores_insertion_order() -> None:
    one, two = OxigraphStore(), OxigraphStore()
    one.load(b"<http://e/a> <http://e/b> <http://e/c> .\n<http://e/d> <http://e/e> <http://e/f> .", rdf_format("nt"), graph="http://g")
    two.load(b"<http://e/d> <http://e/e> <http://e/f> .\n<http://e/a> <http://e/b> <http://e/c> .", rdf_format("nt"), graph="http://g")
    assert one.fingerprint() == two.fingerprint()


def test_unknown_format_is_a_clear_error() -> None:
    with pytest.raises(ParseError, match="unknown RDF format"):
        rdf_format("data.xlsx")
