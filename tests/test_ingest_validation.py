"""The compiled structural checks give exactly pySHACL's results on the same shapes (a sample with
good and bad rows of every template), and the shapes refuse what the issue lists."""

from __future__ import annotations

import csv
import io

import pyshacl
import rdflib
from rdflib.namespace import RDF, RDFS, SH

from reasoner.config import load_settings
from reasoner.ingest.mapping import load_mappings
from reasoner.ingest.validation import (
    Checker, compiled_shapes, obj_nt, shapes_dir, store_type_lookup, subclass_pairs,
)
from reasoner.store import OxigraphStore

SETTINGS = load_settings()

SAMPLE = {
    "products": """registration_number,product_name,atc_code,active_substance,marketing_authorisation_holder,strength,pack_size,prescription_only,shelf_life_months,product_type
RVG 901,Good 500 mg,N02BE01,paracetamol,Example Pharma B.V.,500 mg,30,nee,36,geneesmiddel
RVG 902,Bad ATC,N2BE01,unknown-substance-x,Example Pharma B.V.,500 bananas,-3,misschien,abc,
RVG 903,Device,,,Other Pharma,5 mg/ml,"12,5",ja,,hulpmiddel
,No number,N02BE01,,,,,,,
""",
    "stock-positions": """registration_number,holder,holder_role,weeks_of_demand,position_date
RVG 901,Example Pharma B.V.,mah,"10,5",31-12-2026
RVG 999,Example Pharma B.V.,groothandel,-2,2026-02-31
RVG 902,Example Pharma B.V.,baker,4,2026-12-01
""",
    "suppliers": """organisation,organisation_role,organisation_country,site,site_country,substance,supply_tier
Example API Ltd,api_manufacturer,IN,Plant 1,XX,paracetamol,api
Example API Ltd,api_manufacturer,IN,Plant 2,Netherlands,nonexistent-substance,middle
Other API,mystery-role,ZZ,Plant 3,CN,,
""",
    "interruptions": """registration_number,notified_on,expected_start,expected_end,reference
RVG 901,2026-11-01,15-01-2027,31-03-2027,MP-1
RVG 901,2026-11-02,2027-05-01,2027-04-01,MP-2
RVG 998,yesterday,2027-01-01,,MP-3
""",
    "prices": """registration_number,price_per_unit_eur,price_per_pack_eur,pharmacy_purchase_price_eur
RVG 901,"0,05","1,50","1,20"
RVG 997,-1,abc,
""",
    "contracts": """insurer,preferred_supplier,substance,strength,route,z_index_number,valid_from,valid_until
Example Zorgverzekeraar,Example Pharma B.V.,paracetamol,500 mg,oral,123,2026-01-01,2027-12-31
Example Zorgverzekeraar,Example Pharma B.V.,mystery,500 furlongs,oral,124,2027-01-01,2026-01-01
""",
    "substances": """substance_name,normalised_key,atc_code,is_combination,components
Abacavir and lamivudine,abacavir|lamivudine,J05AR02,ja,abacavir|lamivudine
Weird,weird,J5,perhaps,
""",
}


def _key(value: object) -> object:
    """A finding's value as pySHACL's report shows it. rdflib reads an ill-formed boolean such as
    "misschien" as false and writes it so in sh:value; both report the violation."""
    if isinstance(value, tuple):
        if value[1].endswith("#boolean") and value[0] not in ("true", "false", "1", "0"):
            return ("false", value[1])
        return (value[0], value[1])
    return value


def _rdflib_key(node: rdflib.term.Node | None) -> object:
    if node is None:
        return None
    if isinstance(node, rdflib.Literal):
        return (str(node), str(node.datatype or "http://www.w3.org/2001/XMLSchema#string"))
    return str(node)


def test_compiled_checks_report_exactly_what_pyshacl_reports(store: OxigraphStore) -> None:
    shapes = compiled_shapes(shapes_dir(SETTINGS.home))
    checker = Checker(shapes, store_type_lookup(store.raw), subclass_pairs(store.raw))
    mappings = load_mappings(SETTINGS)
    lines: list[str] = []
    findings = []
    incoming: set[str] = set()
    for name, text in SAMPLE.items():
        rows = list(csv.reader(io.StringIO(text)))
        bound = mappings[name].bind(rows[0], name)
        for cells in rows[1:]:
            nodes = [n for n in bound.map_row(cells) if n.subject]
            for node in nodes:
                checker.add_incoming(node.subject, node.types)
            for node in nodes:
                incoming.add(node.subject)
                findings += checker.check(node.subject, node.types, node.values)
                lines += [f"<{node.subject}> <{RDF.type}> <{t}> ." for t in node.types]
                lines += [f"<{node.subject}> <{p}> {obj_nt(o)} ." for p, objs in node.values.items() for o in objs]
    findings += [f for f, _context, _count in checker.resolve()]
    compiled = {(f.focus, f.path, f.component, _key(f.value), f.severity) for f in findings}

    data = rdflib.Graph()
    data.parse(data="\n".join(lines), format="nt")
    # the reference data the shapes join with: class hierarchy and the types of referenced nodes
    for sub, sup in subclass_pairs(store.raw):
        data.add((rdflib.URIRef(sub), RDFS.subClassOf, rdflib.URIRef(sup)))
    lookup = store_type_lookup(store.raw)
    for obj in set(data.objects()):
        if isinstance(obj, rdflib.URIRef):
            for cls in lookup(str(obj)):
                data.add((obj, RDF.type, rdflib.URIRef(cls)))
    shacl = rdflib.Graph()
    for path in sorted(shapes_dir(SETTINGS.home).glob("*.ttl")):
        shacl.parse(path, format="turtle")
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shacl, inference="none", allow_warnings=True)
    severities = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
    expected = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = str(report.value(result, SH.focusNode))
        if focus not in incoming:
            continue
        path = report.value(result, SH.resultPath)
        expected.add((focus, str(path) if path is not None else None,
                      str(report.value(result, SH.sourceConstraintComponent)),
                      _rdflib_key(report.value(result, SH.value)),
                      severities[report.value(result, SH.resultSeverity)]))
    assert len(expected) > 20
    assert compiled - expected == set(), "compiled checks report more than pySHACL"
    assert expected - compiled == set(), "pySHACL reports more than the compiled checks"
