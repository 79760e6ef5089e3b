"""The synthetic scale graph: deterministic, the right size, in the project's vocabulary, and
shaped like the real data (country mix of API manufacturers from the profile).

Small sizes only (at most 2,000 products); the large sizes are measured in bench/.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from reasoner.cli import run
from reasoner.namespaces import GRAPH, MS
from reasoner.store import OxigraphStore
from reasoner.synthetic import iter_quads, load_profile, write_graph

PRODUCTS = 1_000
SYNTHETIC = str(GRAPH["synthetic-scale"])


def _text(products: int = PRODUCTS, seed: int = 7, **kwargs: object) -> str:
    out = io.StringIO()
    write_graph(out, products, seed, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    """A store holding only a 2,000-product synthetic graph, loaded the way users load files."""
    path = tmp_path_factory.mktemp("synthetic") / "scale.nq"
    write_graph(path, 2_000, 11)
    store = OxigraphStore(tmp_path_factory.mktemp("store") / "store")
    store.load(path, ox.RdfFormat.N_QUADS, where=str(path))
    return store


def _value(store: OxigraphStore, sparql: str) -> int:
    return int(store.select(sparql)[0]["n"].value)


def test_generation_is_deterministic_for_a_seed() -> None:
    assert _text(seed=7) == _text(seed=7)
    assert _text(seed=7) != _text(seed=8)


def test_gzip_output_is_byte_identical_for_a_seed(tmp_path: Path) -> None:
    first, second = tmp_path / "a.nq.gz", tmp_path / "b.nq.gz"
    write_graph(first, 200, 3)
    write_graph(second, 200, 3)
    assert first.read_bytes() == second.read_bytes()
    assert gzip.decompress(first.read_bytes()).decode("utf-8") == _text(200, 3)


def test_graph_has_about_thirty_triples_a_product() -> None:
    lines = _text().count("\n")
    assert 20 * PRODUCTS <= lines <= 40 * PRODUCTS


@pytest.mark.parametrize("fmt, rdf_format", [
    ("nq", ox.RdfFormat.N_QUADS), ("nt", ox.RdfFormat.N_TRIPLES), ("ttl", ox.RdfFormat.TURTLE),
])
def test_every_output_format_parses_with_pyoxigraph(fmt: str, rdf_format: ox.RdfFormat) -> None:
    text = _text(300, fmt=fmt)
    quads = list(ox.parse(text.encode("utf-8"), format=rdf_format))
    assert len(quads) == text.count("\n")


def test_nquads_put_every_fact_in_the_synthetic_scale_graph() -> None:
    graphs = {q.graph_name for q in ox.parse(_text(300).encode("utf-8"), format=ox.RdfFormat.N_QUADS)}
    assert graphs == {ox.NamedNode(SYNTHETIC)}


def test_graph_option_takes_a_name_or_an_iri() -> None:
    by_name = {q.graph_name for q in iter_quads(50, 1, graph="bench-run")}
    by_iri = {q.graph_name for q in iter_quads(50, 1, graph="urn:example:g")}
    assert by_name == {ox.NamedNode(str(GRAPH["bench-run"]))}
    assert by_iri == {ox.NamedNode("urn:example:g")}


def test_iter_quads_gives_the_same_quads_as_the_written_file() -> None:
    written = set(ox.parse(_text(300, 5).encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    assert set(iter_quads(300, 5)) == written


def test_every_product_has_the_properties_the_engine_needs(synthetic_store: OxigraphStore) -> None:
    needed = ["registrationNumber", "productName", "hasActiveSubstance", "atcCode", "marketingAuthorisationHolder",
              "prescriptionOnly", "medicinalGas", "pharmaceuticalForm", "strength"]
    assert _value(synthetic_store, "SELECT (COUNT(?p) AS ?n) WHERE { ?p a ms:MedicinalProduct }") == 2_000
    for local in needed:
        missing = _value(synthetic_store, f"""
            SELECT (COUNT(?p) AS ?n) WHERE {{
              ?p a ms:MedicinalProduct . FILTER NOT EXISTS {{ ?p ms:{local} ?v }} }}""")
        assert missing == 0, f"{missing} products without ms:{local}"


def test_every_product_is_marked_synthetic(synthetic_store: OxigraphStore) -> None:
    unmarked = _value(synthetic_store, """
        SELECT (COUNT(?p) AS ?n) WHERE { ?p a ms:MedicinalProduct . FILTER NOT EXISTS { ?p ms:synthetic true } }""")
    assert unmarked == 0


def test_atc_codes_and_substances_are_linked_as_the_engine_reads_them(synthetic_store: OxigraphStore) -> None:
    broken = _value(synthetic_store, """
        SELECT (COUNT(?p) AS ?n) WHERE {
          ?p a ms:MedicinalProduct ; ms:atcCode ?atc ; ms:hasActiveSubstance ?s .
          FILTER NOT EXISTS { ?s a ms:ActiveSubstance ; ms:atcCode ?atc .
                              ?atc a ms:ATCCode ; skos:notation ?code ; ms:atcLevel 5 } }""")
    assert broken == 0
    categorised = _value(synthetic_store, "SELECT (COUNT(DISTINCT ?atc) AS ?n) WHERE { ?atc ms:nlCriticalCategory ?c }")
    assert categorised > 0


def test_stock_positions_have_holder_role_weeks_and_date(synthetic_store: OxigraphStore) -> None:
    positions = _value(synthetic_store, "SELECT (COUNT(?s) AS ?n) WHERE { ?s a ms:StockPosition }")
    complete = _value(synthetic_store, """
        SELECT (COUNT(?s) AS ?n) WHERE {
          ?s a ms:StockPosition ; ms:stockOf ?p ; ms:heldBy ?org ; ms:holderRole ?role ;
             ms:weeksOfDemand ?w ; ms:positionDate ?d .
          ?p a ms:MedicinalProduct . FILTER(datatype(?d) = xsd:date && datatype(?w) = xsd:decimal) }""")
    roles = _value(synthetic_store, "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?s ms:holderRole ?r }")
    assert positions == complete
    assert 1.5 * 2_000 < positions <= 2 * 2_000  # MAH and wholesaler, a few missing on purpose
    assert roles == 2


def test_interruptions_and_contracts_concern_a_few_products(synthetic_store: OxigraphStore) -> None:
    interruptions = _value(synthetic_store, """
        SELECT (COUNT(?i) AS ?n) WHERE { ?i a ms:SupplyInterruptionNotification ; ms:concernsProduct ?p ;
          ms:notifiedOn ?on ; ms:expectedStart ?start ; ms:expectedEnd ?end . FILTER(?start <= ?end) }""")
    contracts = _value(synthetic_store, """
        SELECT (COUNT(?c) AS ?n) WHERE { ?c a ms:PreferredSupplierContract ; ms:buyer ?b ;
          ms:preferredSupplier ?o ; ms:concernsSubstance ?s ; ms:validFrom ?from ; ms:validUntil ?until }""")
    assert 0 < interruptions < 0.1 * 2_000
    assert 0 < contracts < 0.5 * 2_000


def test_api_supplier_countries_follow_the_profile(synthetic_store: OxigraphStore) -> None:
    rows = synthetic_store.select("""
        SELECT ?code (COUNT(?s) AS ?n) WHERE {
          ?s ms:supplyTier ms:ApiTier ; ms:locatedIn ?c . ?c ms:isoAlpha2 ?code } GROUP BY ?code""")
    counts = {r["code"].value: int(r["n"].value) for r in rows}
    total = sum(counts.values())
    observed = (counts.get("CN", 0) + counts.get("IN", 0)) / total
    expected = load_profile().api_country_share({"CN", "IN"})
    assert total > 500
    assert expected > 0.4  # China and India dominate API supply in the real data
    assert abs(observed - expected) < 0.08


def test_many_substances_have_one_to_three_api_suppliers(synthetic_store: OxigraphStore) -> None:
    rows = synthetic_store.select("""
        SELECT ?sub (COUNT(?s) AS ?n) WHERE { ?s ms:supplyTier ms:ApiTier ; ms:suppliesSubstance ?sub } GROUP BY ?sub""")
    few = sum(1 for r in rows if int(r["n"].value) <= 3)
    assert few >= 0.2 * len(rows)


def test_registration_numbers_stay_out_of_real_ranges() -> None:
    profile = load_profile()
    first = int(profile.raw["registration"]["rvg_first"])
    eu_prefix = str(profile.raw["registration"]["eu_prefix"]) + "/"
    numbers = [q.object.value for q in iter_quads(500, 2) if q.predicate == ox.NamedNode(str(MS.registrationNumber))]
    assert len(numbers) == 500 and len(set(numbers)) == 500
    for number in numbers:
        assert number.startswith(eu_prefix) or int(number.removeprefix("RVG ")) >= first


def test_generate_command_writes_a_gzipped_file_that_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "scale.nq.gz"
    assert run(["generate", "--products", "150", "--seed", "4", "--output", str(output)]) == 0
    store = OxigraphStore()
    store.load(gzip.decompress(output.read_bytes()), ox.RdfFormat.N_QUADS)
    assert store.count(SYNTHETIC) == len(store) > 150 * 20
    assert '"products": 150' in capsys.readouterr().out


def test_generate_command_refuses_zero_products(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["generate", "--products", "0"]) == 2
    assert "at least 1" in capsys.readouterr().err
