"""Loads are validated, all-or-nothing, idempotent, traceable, replaceable and deletable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from reasoner.config import load_settings
from reasoner.dataset import open_store
from reasoner.errors import NotFound, ValidationFailed
from reasoner.ingest import loads
from reasoner.ingest.loads import LoadRequest, load_files
from reasoner.store import OxigraphStore

SETTINGS = load_settings()
PRODUCTS = ("registration_number,product_name,atc_code,active_substance,marketing_authorisation_holder,strength\n"
            "RVG 501,Ibuprofen 400 mg,M01AE01,ibuprofen,Example Pharma B.V.,400 mg\n"
            "RVG 502,Naproxen 250 mg,M01AE02,naproxen,Example Pharma B.V.,250 mg\n")
STOCK = ("registration_number,holder,holder_role,weeks_of_demand,position_date\n"
         "RVG 501,Example Pharma B.V.,mah,8,2026-12-31\n")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def load(store: OxigraphStore, *paths: Path, **kwargs: object) -> list[dict]:
    return load_files(store, SETTINGS, [LoadRequest(path=p) for p in paths], agent="test steward", **kwargs)


def test_rejected_load_leaves_the_store_exactly_as_it_was(fresh_store: OxigraphStore, tmp_path: Path) -> None:
    before = fresh_store.fingerprint()
    bad = write(tmp_path, "stock.csv", STOCK.replace(",8,", ",-8,"))
    with pytest.raises(ValidationFailed):
        load(fresh_store, bad)
    assert fresh_store.fingerprint() == before


def test_one_refused_file_refuses_every_file_of_the_command(fresh_store: OxigraphStore, tmp_path: Path) -> None:
    before = fresh_store.fingerprint()
    good = write(tmp_path, "products.csv", PRODUCTS)
    bad = write(tmp_path, "stock.csv", STOCK.replace("2026-12-31", "2026-13-45"))
    with pytest.raises(ValidationFailed) as refused:
        load(fresh_store, good, bad)
    assert refused.value.details[0]["file"] == "stock.csv"
    assert fresh_store.fingerprint() == before


def test_each_load_is_a_named_graph_whose_name_resolves_to_its_provenance(fresh_store: OxigraphStore,
                                                                           tmp_path: Path) -> None:
    path = write(tmp_path, "products.csv", PRODUCTS)
    [result] = load(fresh_store, path)
    graph = result["graph"]
    assert graph == loads.load_graph(result["id"])
    rows = fresh_store.select(
        """SELECT ?who ?at ?file ?sha ?triples ?rows ?mapping WHERE {
             GRAPH ?product_graph { <https://w3id.org/medsupply/id/product/rvg-501> ms:productName ?name }
             GRAPH msg:loads { ?product_graph prov:wasAttributedTo/rdfs:label ?who ; prov:generatedAtTime ?at ;
               prov:wasDerivedFrom ?source ; <http://rdfs.org/ns/void#triples> ?triples ; ms:rowCount ?rows ;
               dcterms:conformsTo/dcterms:source ?mapping .
               ?source dcterms:title ?file ; dcterms:identifier ?sha } }""")
    assert len(rows) == 1
    row = rows[0]
    assert row["who"].value == "test steward"
    assert row["file"].value == "products.csv"
    assert row["sha"].value == "sha256:" + result["sha256"]
    assert int(row["rows"].value) == 2
    assert int(row["triples"].value) == fresh_store.count(graph)
    assert row["mapping"].value == "data/mappings/products.yaml"
    assert loads.load_for_graph(fresh_store, graph)["file"] == "products.csv"
    assert loads.load_for_graph(fresh_store, "https://w3id.org/medsupply/graph/ulcm") is None


def test_loading_the_same_file_twice_changes_nothing(fresh_store: OxigraphStore, tmp_path: Path) -> None:
    path = write(tmp_path, "products.csv", PRODUCTS)
    [first] = load(fresh_store, path)
    after_first = fresh_store.fingerprint()
    copy = write(tmp_path, "same-bytes-other-name.csv", PRODUCTS)
    [second] = load(fresh_store, copy)
    assert second["unchanged"] is True and second["id"] == first["id"]
    assert fresh_store.fingerprint() == after_first


def test_replace_swaps_the_graph_and_records_the_revision(fresh_store: OxigraphStore, tmp_path: Path) -> None:
    [old] = load(fresh_store, write(tmp_path, "products.csv", PRODUCTS))
    newer = write(tmp_path, "products-v2.csv", PRODUCTS.replace("Ibuprofen 400 mg", "Ibuprofen 400 mg tablet"))
    [new] = load(fresh_store, newer, replace=old["id"])
    assert new["replaces"] == old["id"]
    assert loads.load_graph(old["id"]) not in fresh_store.named_graphs()
    names = {r["n"].value for r in fresh_store.select(
        "SELECT ?n WHERE { <https://w3id.org/medsupply/id/product/rvg-501> ms:productName ?n }")}
    assert names == {"Ibuprofen 400 mg tablet"}
    assert [d["id"] for d in loads.list_loads(fresh_store)] == [new["id"]]


def test_delete_removes_the_graph_and_its_description(fresh_store: OxigraphStore, tmp_path: Path) -> None:
    before = fresh_store.fingerprint()
    [result] = load(fresh_store, write(tmp_path, "products.csv", PRODUCTS))
    loads.delete_load(fresh_store, result["id"])
    assert fresh_store.fingerprint() == before
    with pytest.raises(NotFound):
        loads.describe_load(fresh_store, result["id"])


def test_inspect_counts_what_the_load_holds_by_class(fresh_store: OxigraphStore, tmp_path: Path) -> None:
    [result] = load(fresh_store, write(tmp_path, "products.csv", PRODUCTS))
    description = loads.describe_load(fresh_store, result["id"])
    assert description["classes"]["ms:MedicinalProduct"] == 2
    assert description["stored_triples"] == description["triples"]


def test_stock_for_a_product_of_an_earlier_load_is_accepted(fresh_store: OxigraphStore, tmp_path: Path) -> None:
    load(fresh_store, write(tmp_path, "products.csv", PRODUCTS))
    [stock] = load(fresh_store, write(tmp_path, "stock.csv", STOCK))
    assert stock["rows"] == 1


def test_large_load_commits_in_bulk_with_the_description_last(fresh_store: OxigraphStore, tmp_path: Path) -> None:
    [result] = load(fresh_store, write(tmp_path, "products.csv", PRODUCTS), transaction_limit=3)
    assert fresh_store.count(result["graph"]) == result["triples"] > 3


def _big_products(path: Path, rows: int, name_width: int = 0) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        out.write("registration_number,product_name,strength,pack_size\n")
        padding = "x" * name_width
        for i in range(rows):
            out.write(f"RVG {700000 + i},Product {i} {padding},10 mg,30\n")
    return path


def test_a_large_file_is_streamed_not_read_whole(fresh_store: OxigraphStore, tmp_path: Path) -> None:
    path = _big_products(tmp_path / "wide.csv", 6_000, name_width=4000)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        prepared = loads.prepare(fresh_store, SETTINGS, LoadRequest(path=path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert prepared.rows == 6_000 and prepared.staged is not None
    prepared.staged.unlink()
    assert size > 20_000_000
    # what grows with the file is a small per-row index (duplicate keys, subjects of the load),
    # never the rows themselves
    assert peak < size / 3, f"peak {peak} bytes of Python memory for a {size}-byte file"


def _run_load_and_kill(store_dir: Path, csv: Path, kill_on: str) -> tuple[str, int]:
    env = dict(os.environ, MEDSUPPLY_STORE=str(store_dir))
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "load", str(csv), "--transaction-limit", "1000"],
        env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert process.stderr is not None
    seen = ""
    for line in process.stderr:
        seen += line
        if kill_on in line:
            process.send_signal(signal.SIGKILL)
            break
    process.wait()
    return seen, process.returncode


@pytest.mark.parametrize("kill_on", ["reading", "in bulk"])
def test_a_load_killed_half_way_leaves_the_store_as_it_was(prepared_store_dir: Path, tmp_path: Path,
                                                           kill_on: str) -> None:
    import shutil

    store_dir = tmp_path / "store"
    shutil.copytree(prepared_store_dir, store_dir)
    # open it the way the command will (bringing the default dataset up to date if its files changed
    # since the fixture was built), so that the only writer in the subprocess is the load
    before = open_store(load_settings(store_path=store_dir))
    fingerprint = before.fingerprint()
    del before
    csv = _big_products(tmp_path / "big.csv", 40_000)
    seen, code = _run_load_and_kill(store_dir, csv, kill_on)
    assert code == -signal.SIGKILL, seen
    reopened = OxigraphStore(store_dir)
    loads.recover(reopened)
    assert reopened.fingerprint() == fingerprint
    assert not list(loads.staging_dir(reopened).glob("*.nt"))


def test_recovery_drops_a_load_graph_whose_description_was_never_written(fresh_store: OxigraphStore,
                                                                          tmp_path: Path) -> None:
    """What a process killed between the bulk write and the commit marker leaves behind."""
    import pyoxigraph as ox

    before = fresh_store.fingerprint()
    orphan = loads.load_graph("00000000deadbeef")
    fresh_store.raw.bulk_load(
        input=b'<https://w3id.org/medsupply/id/product/rvg-1> <https://w3id.org/medsupply/ontology#productName> "x" .\n',
        format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(orphan))
    leftover = loads.staging_dir(fresh_store) / "00000000deadbeef-x.nt"
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_text("", encoding="utf-8")
    assert loads.recover(fresh_store) == [orphan]
    assert fresh_store.fingerprint() == before
    assert not leftover.exists()


def test_recovery_finishes_a_replacement_that_died_before_the_old_load_was_deleted(
        fresh_store: OxigraphStore, tmp_path: Path) -> None:
    """A replacement writes the new load with ``prov:wasRevisionOf`` (its commit point) and then
    deletes the old one; recovery deletes what a process killed in between left, and derives again
    what the old load reached (here the fact record of its product)."""
    import datetime as dt

    turtle = ('<https://w3id.org/medsupply/id/product/rvg-{n}> a <https://w3id.org/medsupply/ontology#MedicinalProduct> ; '
              '<https://w3id.org/medsupply/ontology#registrationNumber> "RVG {n}" ; '
              '<https://w3id.org/medsupply/ontology#productName> "Replaced product" .\n')
    first, second = tmp_path / "v1.ttl", tmp_path / "v2.ttl"
    first.write_text(turtle.format(n=970001), encoding="utf-8")
    second.write_text(turtle.format(n=970002), encoding="utf-8")
    [old] = load_files(fresh_store, SETTINGS, [LoadRequest(path=first)], agent="test")
    records = "SELECT ?p WHERE { ?p ms:factRecord ?r FILTER(?p IN (<https://w3id.org/medsupply/id/product/rvg-970001>)) }"
    assert fresh_store.select(records)
    # what commit(..., replaces=old) writes before it deletes the old load
    prepared = loads.prepare(fresh_store, SETTINGS, LoadRequest(path=second))
    assert prepared.staged is not None
    graph = loads.load_graph(prepared.load_id)
    quads = [loads.ox.Quad(t.subject, t.predicate, t.object, loads.ox.NamedNode(graph))
             for t in loads.ox.parse(path=str(prepared.staged), format=loads.ox.RdfFormat.N_TRIPLES)]
    fresh_store.add_quads(quads + loads._metadata(prepared, "test", dt.datetime.now(dt.timezone.utc), len(quads),
                                                  old["id"]))
    prepared.staged.unlink()
    assert loads.recover(fresh_store, SETTINGS) == [loads.load_graph(old["id"])]
    assert [d["id"] for d in loads.list_loads(fresh_store)] == [prepared.load_id]
    assert not fresh_store.select(records)
