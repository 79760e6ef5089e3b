"""SELECT results read back from pyoxigraph's TSV as plain values (reasoner/tsv_results.py)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from reasoner.errors import QueryDataError
from reasoner.tsv_results import plain, query_tsv, tsv_rows

XSD = "http://www.w3.org/2001/XMLSchema#"


def test_every_kind_of_term_comes_back_as_its_plain_text_and_unbound_as_empty() -> None:
    store = ox.Store()
    subject, p = ox.NamedNode("urn:s"), ox.NamedNode("urn:p")
    values = [ox.NamedNode("urn:o"), ox.Literal("tab\there \"quoted\" back\\slash"), ox.Literal("nl", language="nl"),
              ox.Literal("7.5", datatype=ox.NamedNode(XSD + "decimal")), ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
              ox.Literal("2026-11-23", datatype=ox.NamedNode(XSD + "date"))]
    for value in values:
        store.add(ox.Quad(subject, p, value))
    data = query_tsv(store, "SELECT ?s ?o ?missing WHERE { ?s ?p ?o OPTIONAL { ?s <urn:none> ?missing } }")
    got = sorted(tuple(row) for row in tsv_rows(data, ("o", "s", "missing"), "test"))
    assert got == sorted((v.value, "urn:s", "") for v in values)


def test_results_without_a_wanted_column_or_with_a_broken_line_are_refused_with_the_query_named() -> None:
    with pytest.raises(QueryDataError, match="lack the column.*product") as raised:
        list(tsv_rows(b"?s\t?o\n<urn:a>\t<urn:b>\n", ("product",), "dependency/example"))
    assert raised.value.where == "dependency/example"
    with pytest.raises(QueryDataError, match="malformed"):
        list(tsv_rows(b"?s\t?o\n<urn:a>\n", ("s",), "dependency/example"))
    assert plain("") == "" and plain("_:b1") == "_:b1" and plain("12") == "12"
