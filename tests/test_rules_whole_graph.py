"""The whole-graph path gives the answers of the one-product path, on the real default dataset.

``check_all`` reads the facts of every product at once (fact records worked out at load, and the
whole-graph forms of the fact families under ``queries/engine/whole-graph/``) and shares one
evaluation among products whose facts a rule cannot tell apart. Each of those shortcuts is held
here to the plain path: the same fact rows as asking product by product, and the same status per
product and rule as evaluating each product in full.
"""

from __future__ import annotations

import random
from datetime import date

import pyoxigraph as ox
import pytest

from reasoner.config import load_settings
from reasoner.errors import RuleDataError
from reasoner.rules.check import KIND, check_all, engine_for, evaluate_plan
from reasoner.namespaces import MS, graph_iri
from reasoner.queries import NamedQuery
from reasoner.rules.processes import in_processes
from reasoner.rules.snapshot import Otherwise, Snapshot, TermCache, from_store, record_rows, store_rows, whole_graph_queries
from reasoner.rules.whole_graph import Part, all_from_store, parts, tsv_records
from reasoner.store import OxigraphStore

SETTINGS = load_settings()
DATES = [date(2023, 6, 1), date(2024, 3, 1), date(2026, 11, 23)]


def _products(store: OxigraphStore) -> list[str]:
    rows = store.select("SELECT ?p WHERE { VALUES ?k { ms:MedicinalProduct ms:MedicalDevice } ?p a ?k }")
    return sorted(row["p"].value for row in rows)


def _linked(store: OxigraphStore) -> list[str]:
    """Products an import exemption covers and products with a supply-interruption notification:
    those whose guarded families (``# when:``) run rather than fall back to their 'otherwise' facts."""
    rows = store.select("""SELECT DISTINCT ?p WHERE {
        { ?p ms:importExemption ?x } UNION { ?n a ms:SupplyInterruptionNotification ; ms:concernsProduct ?p }
        VALUES ?k { ms:MedicinalProduct ms:MedicalDevice } ?p a ?k } ORDER BY ?p LIMIT 40""")
    return [row["p"].value for row in rows]


def test_whole_graph_fact_rows_equal_the_rows_of_each_product_alone(store: OxigraphStore) -> None:
    assert any(q.name.startswith("engine/whole-graph/") for q in whole_graph_queries(SETTINGS.queries_dir))
    products = _products(store)
    linked = _linked(store)
    assert linked, "the default dataset has products with exemptions or interruptions"
    sample = random.Random(20261201).sample(products, 120) + linked
    for on in DATES:
        whole: dict[str, set[tuple]] = {p: set() for p in sample}
        for row in store_rows(store, on, SETTINGS.queries_dir):
            if row[0] in whole:
                whole[row[0]].add(row)
        for product in sample:
            alone = set(store_rows(store, on, SETTINGS.queries_dir, product))
            assert whole[product] == alone, (on, product, sorted(whole[product] ^ alone)[:4])


def _plain(snap: Snapshot) -> dict:
    """A snapshot's facts and their sources as plain values (nested records as their own facts)."""
    return {prop: sorted(((repr(sorted(_plain(v).items())) if isinstance(v, Snapshot) else repr(v)), str(g))
                         for v, g in zip(values, snap.sources.get(prop, [])))
            for prop, values in snap.facts.items()}


def test_whole_graph_snapshots_equal_the_snapshot_of_each_product_alone(store: OxigraphStore) -> None:
    sample = random.Random(20261202).sample(_products(store), 120) + _linked(store)
    for on in DATES:
        whole = {snap.focus: snap for snap in all_from_store(store, on, SETTINGS.queries_dir, KIND)}
        for product in sample:
            alone = from_store(store, product, on, SETTINGS.queries_dir, KIND)
            assert _plain(whole[product]) == _plain(alone), (on, product)


@pytest.mark.parametrize(("on", "regime"), [(date(2026, 11, 23), "in-force"), (date(2024, 3, 1), "proposed")])
def test_check_all_shared_evaluations_give_each_products_own_statuses(store: OxigraphStore, on: date, regime: str) -> None:
    summary = check_all(store, on, regime)
    statuses = {(row["product"], row["obligation"]): row["status"] for row in summary["rows"]}
    plan = engine_for(store, SETTINGS).plan(on, regime)
    checked = 0
    for snap in all_from_store(store, on, SETTINGS.queries_dir, KIND):
        for outcome in evaluate_plan(plan, snap):
            assert statuses[(snap.focus, outcome.item.obligation.id)] == outcome.status, (snap.focus, outcome.item.obligation.id)
            checked += 1
    assert checked == len(statuses) == summary["products"] * len(plan)


def test_a_notification_is_nested_under_its_product_in_either_path_whatever_order_its_rows_come_in(
        store: OxigraphStore) -> None:
    """Regression (found at 1M products): a notification met first as the subject of its own rows and
    then as the value of ``ms:supplyInterruption`` stayed a plain string, so its notice was never
    read and a late notification came out ``unknown`` instead of ``violated``."""
    on = date(2026, 11, 23)
    rows = store.select("""SELECT DISTINCT ?p WHERE { ?n a ms:SupplyInterruptionNotification ; ms:concernsProduct ?p ;
        ms:notifiedOn ?d . FILTER(?d <= "2026-11-23"^^xsd:date)
        OPTIONAL { ?n ms:expectedEnd ?end } FILTER(!BOUND(?end) || ?end >= "2026-11-23"^^xsd:date) } ORDER BY ?p LIMIT 30""")
    products = [row["p"].value for row in rows]
    assert products
    whole = {snap.focus: snap for snap in all_from_store(store, on, SETTINGS.queries_dir, KIND)}
    prop = str(MS.supplyInterruption)
    for product in products:
        for snap in (from_store(store, product, on, SETTINGS.queries_dir, KIND), whole[product]):
            assert snap.values(prop) and all(isinstance(v, Snapshot) for v in snap.values(prop)), product
    cache = TermCache()
    node = ox.NamedNode("urn:n")
    assert isinstance(cache.text(node), str) and type(cache.value(node)) is type(cache.text(node))


def test_check_all_in_several_processes_gives_the_answers_of_one(store: OxigraphStore) -> None:
    on = date(2026, 11, 23)
    answers = {n: check_all(store, on, settings=load_settings(check_processes=n)) for n in (1, 2, 3)}
    one = list(answers[1]["rows"])
    assert one and all(list(answers[n]["rows"]) == one for n in (2, 3))
    assert all(answers[n]["verdicts"] == answers[1]["verdicts"] for n in (2, 3))


def test_parts_deal_every_product_to_exactly_one_part_as_the_records_query_filters_them(store: OxigraphStore) -> None:
    """The records query keeps a part's products by the MD5 of their IRI in SPARQL; the other
    families' rows are kept by :meth:`Part.holds` in Python: the two must agree."""
    on = date(2026, 11, 23)
    everyone = {snap.focus for snap in all_from_store(store, on, SETTINGS.queries_dir, KIND)}
    seen: set[str] = set()
    for part in parts(3):
        mine = {snap.focus for snap in all_from_store(store, on, SETTINGS.queries_dir, KIND, part=part)}
        assert mine and not mine & seen
        assert all(part.holds(p) for p in mine) and not any(part.holds(p) for p in everyone - mine)
        seen |= mine
    assert seen == everyone
    assert Part().whole and not parts(2)[0].whole


def test_tsv_records_give_back_record_text_with_quotes_backslashes_tabs_and_newlines() -> None:
    texts = ["ms:kind\t\tmsg:x\t\t\tms:MedicinalProduct\nms:name\txsd:string\tmsg:x\t\t\tplain",
             'ms:name\txsd:string\tmsg:x\t\t\ta "quoted" name with a back\\slash\\n and \\t',
             "ms:name\txsd:string\tmsg:x\t\t\tcarriage\rreturn é ✓"]
    memory = ox.Store()
    for i, text in enumerate(texts):
        memory.add(ox.Quad(ox.NamedNode(f"urn:p{i}"), ox.NamedNode(str(MS.factRecord)), ox.Literal(text)))
    data = memory.query(f"SELECT ?product ?record WHERE {{ ?product <{MS.factRecord}> ?record }} ORDER BY ?product"
                        ).serialize(format=ox.QueryResultsFormat.TSV)
    assert list(tsv_records(data, "test")) == [(f"urn:p{i}", text) for i, text in enumerate(texts)]
    with pytest.raises(RuleDataError, match="line 2"):
        list(tsv_records(b"?product\t?record\n_:b0\t\"x\"\n", "test"))
    with pytest.raises(RuleDataError, match="last"):
        list(tsv_records(b"?record\t?product\n", "test"))


def _fail_in_second_part(part: int, _store: OxigraphStore) -> int:
    if part == 1:
        raise RuleDataError("the second part found a malformed record", where="engine/facts-records")
    return part


def test_an_error_in_a_worker_process_is_raised_as_itself_in_the_caller(store: OxigraphStore) -> None:
    assert in_processes(lambda part, _s: part * 10, [0, 1, 2], store) == [0, 10, 20]
    with pytest.raises(RuleDataError, match="second part") as raised:
        in_processes(_fail_in_second_part, [0, 1], store)
    assert raised.value.where == "engine/facts-records"


def test_fact_record_lines_hold_only_on_their_dates() -> None:
    record = "\n".join([
        "https://w3id.org/medsupply/ontology#mahStockWeeks\thttp://www.w3.org/2001/XMLSchema#decimal\tg:1\t2026-01-01\t2026-02-01\t7",
        "https://w3id.org/medsupply/ontology#mahStockWeeks\thttp://www.w3.org/2001/XMLSchema#decimal\tg:2\t2026-02-01\t\t5",
    ])
    def weeks(on: date) -> list:
        return [row[3] for row in record_rows("urn:p", record, on, TermCache(), "test")]
    assert weeks(date(2025, 12, 31)) == []
    assert weeks(date(2026, 1, 1)) == [7]
    assert weeks(date(2026, 1, 31)) == [7]
    assert weeks(date(2026, 2, 1)) == [5]


def test_malformed_fact_record_is_a_rule_data_error_naming_the_product() -> None:
    with pytest.raises(RuleDataError, match="urn:p"):
        list(record_rows("urn:p", "ms:kind\tno tabs enough", date(2026, 1, 1), TermCache(), "engine/facts-records"))


def test_otherwise_header_states_the_facts_of_products_a_whole_graph_form_leaves_out() -> None:
    form = NamedQuery("engine/whole-graph/example", "", {
        "otherwise": "ms:importExemptionCount 0; ms:importExemptionInForce false",
        "otherwise for": "ms:kind ms:MedicinalProduct", "otherwise cites": "msg:igj-exemptions"})
    stated = Otherwise.of(form)
    assert stated is not None
    assert stated.facts == ((str(MS.importExemptionCount), 0), (str(MS.importExemptionInForce), False))
    assert (stated.anchor, stated.anchor_value) == (str(MS.kind), str(MS.MedicinalProduct))
    assert stated.cites == graph_iri("igj-exemptions") and not stated.cites_graph_of


def test_otherwise_header_without_for_and_cites_is_a_rule_data_error_naming_the_form() -> None:
    form = NamedQuery("engine/whole-graph/example", "", {"otherwise": "ms:supplyInterruptionCount 0"})
    with pytest.raises(RuleDataError) as error:
        Otherwise.of(form)
    assert error.value.where == "engine/whole-graph/example"
