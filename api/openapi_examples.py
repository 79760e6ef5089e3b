"""Examples for the OpenAPI document: request bodies, answers and problem documents.

They document the HTTP contract for API users (and the generated docs page); they are not used
to compute anything.
"""

from __future__ import annotations

from typing import Any

PROBLEM = "application/problem+json"


def problem_example(status: int, title: str, detail: str, where: str | None = None,
                    instance: str = "/sparql") -> dict[str, Any]:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail,
                            "instance": instance}
    if where:
        body["where"] = where
    return body


def problems(*entries: tuple[int, str, str, str | None], instance: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for problem documents, one per status."""
    out: dict[int | str, dict[str, Any]] = {}
    for status, title, detail, where in entries:
        out[status] = {
            "description": title,
            "content": {PROBLEM: {"example": problem_example(status, title, detail, where, instance)}},
        }
    return out


_SELECT_JSON = {
    "head": {"vars": ["substance", "name"]},
    "results": {"bindings": [{
        "substance": {"type": "uri", "value": "https://w3id.org/medsupply/id/substance/amoxicillin"},
        "name": {"type": "literal", "value": "amoxicillin", "xml:lang": "en"},
    }]},
}

_SPARQL_PROBLEMS = problems(
    (400, "Could not parse input", "the query is not valid SPARQL 1.1: error at 1:25: expected one of LATERAL, "
     "SERVICE, [_]", "query, line 1, column 25"),
    (403, "Refused", "this SPARQL endpoint is read-only: INSERT is a SPARQL update and is not accepted here. To "
     "add or change data, load RDF files with `medsupply load FILE --graph NAME`.", "query"),
    (406, "Not acceptable", "this is a SELECT query; its results come as SPARQL JSON, SPARQL XML, CSV or TSV, "
     "and the request accepts none of them (Accept header or format parameter)", "format"),
    (422, "Invalid input", "'ulcm' is not an absolute IRI; give the full graph IRI, for example "
     "https://w3id.org/medsupply/graph/ulcm", "default-graph-uri"),
    (503, "Query limit exceeded", "the query ran longer than the time limit of 10 s and was stopped. Narrow it "
     "(fewer graphs, more selective patterns, a LIMIT) or ask the operator to raise MEDSUPPLY_QUERY_TIMEOUT.",
     "query"),
    instance="/sparql",
)

_SPARQL_OK: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Query results (SELECT/ASK) or a graph (CONSTRUCT/DESCRIBE); without a query, the "
                       "SPARQL 1.1 Service Description",
        "content": {
            "application/sparql-results+json": {"example": _SELECT_JSON},
            "application/sparql-results+xml": {"example": "<?xml version=\"1.0\"?><sparql xmlns=\"http://www.w3.org/2005/sparql-results#\">…</sparql>"},
            "text/csv": {"example": "substance,name\r\nhttps://w3id.org/medsupply/id/substance/amoxicillin,amoxicillin\r\n"},
            "text/tab-separated-values": {"example": "?substance\t?name\n<https://w3id.org/medsupply/id/substance/amoxicillin>\t\"amoxicillin\"@en\n"},
            "text/turtle": {"example": "<https://w3id.org/medsupply/id/substance/amoxicillin> a <https://w3id.org/medsupply/ontology#ActiveSubstance> ."},
            "application/n-triples": {"example": "<https://w3id.org/medsupply/id/substance/amoxicillin> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/medsupply/ontology#ActiveSubstance> .\n"},
            "application/ld+json": {"example": [{"@id": "https://w3id.org/medsupply/id/substance/amoxicillin", "@type": ["https://w3id.org/medsupply/ontology#ActiveSubstance"]}]},
            "application/rdf+xml": {"example": "<?xml version=\"1.0\"?><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">…</rdf:RDF>"},
        },
    },
}

SPARQL_GET_RESPONSES = {**_SPARQL_OK, **_SPARQL_PROBLEMS}
SPARQL_POST_RESPONSES = {
    **_SPARQL_OK,
    **_SPARQL_PROBLEMS,
    **problems((415, "Unsupported media type", "unsupported content type 'text/plain'; send "
                "application/sparql-query or a form (application/x-www-form-urlencoded) with a `query` field",
                "Content-Type"), instance="/sparql"),
}

SPARQL_POST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/sparql-query": {
            "schema": {"type": "string"},
            "example": "SELECT ?code ?label WHERE { ?c a ms:ATCCode ; skos:notation ?code ; skos:prefLabel ?label } LIMIT 5",
        },
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "required": ["query"],
                "properties": {
                    "query": {"type": "string"},
                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "format": {"type": "string"},
                },
            },
            "example": {"query": "ASK { ?s a ms:MedicinalProduct }",
                        "default-graph-uri": ["https://w3id.org/medsupply/graph/synthetic"]},
        },
    },
}

QUERY_LIST_EXAMPLE: dict[str, Any] = {"queries": [{
    "name": "products-exposed-to-country",
    "title": {"en": "Products exposed to a disruption in a country",
              "nl": "Producten die geraakt worden door een verstoring in een land"},
    "description": {"en": "Products whose active substance has an API supplier in the given country.",
                    "nl": "Producten waarvan de werkzame stof een API-leverancier in het opgegeven land heeft."},
    "parameters": [{"name": "country", "type": "string", "default": "CN",
                    "description": "ISO 3166-1 alpha-2 code of the country"}],
    "href": "/queries/products-exposed-to-country",
}]}

QUERY_RUN_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the query's solutions",
        "content": {
            "application/sparql-results+json": {"example": _SELECT_JSON},
            "application/sparql-results+xml": {"example": "<?xml version=\"1.0\"?><sparql xmlns=\"http://www.w3.org/2005/sparql-results#\">…</sparql>"},
            "text/csv": {"example": "substance,name\r\nhttps://w3id.org/medsupply/id/substance/amoxicillin,amoxicillin\r\n"},
            "text/tab-separated-values": {"example": "?substance\t?name\n<https://w3id.org/medsupply/id/substance/amoxicillin>\t\"amoxicillin\"@en\n"},
        },
    },
    **problems(
        (404, "Not found", "no named query 'policy/unknown'", "query name"),
        (406, "Not acceptable", "this is a SELECT query; its results come as SPARQL JSON, SPARQL XML, CSV or TSV, "
         "and the request accepts none of them (Accept header or format parameter)", "format"),
        (422, "Invalid input", "parameter 'date' must be a date written YYYY-MM-DD (for example 2026-01-31), got "
         "'31-01-2026' (stock positions on this date)", "date"),
        (503, "Query limit exceeded", "the query ran longer than the time limit of 10 s and was stopped. Narrow it "
         "(fewer graphs, more selective patterns, a LIMIT) or ask the operator to raise MEDSUPPLY_QUERY_TIMEOUT.",
         "query"),
        instance="/queries/products-exposed-to-country",
    ),
}

COMPLIANCE_ANSWER: dict[str, Any] = {
    "date": "2026-06-01", "regime": "in-force", "product": "https://w3id.org/medsupply/id/product/rvg-27815",
    "verdict": "non-compliant",
    "results": [{
        "obligation": "nl-safety-stock-mah", "title": "Safety stock held by the marketing-authorisation holder",
        "status": "violated",
        "message": "violated: the marketing-authorisation holder keeps at least 6 weeks of normal demand in stock",
        "required": ">= 6", "actual": 4.4, "unit": "WK",
        "legal_basis": [{"instrument": "Geneesmiddelenwet", "identifier": "BWBR0021505", "article": "49(9)",
                         "url": "https://wetten.overheid.nl/BWBR0021505"}],
        "rule_version": {"id": "https://w3id.org/medsupply/law/nl-safety-stock-mah/v2023-01-01",
                         "valid_from": "2023-01-01", "valid_until": None, "regime": "in-force"},
        "facts": [],
    }],
    "receipt": {"engine_version": "0.1.0", "ontology_hash": "…", "shapes_hash": "…", "data_hash": "…",
                "date": "2026-06-01", "regime": "in-force"},
}

COMPLIANCE_POST_BODY: dict[str, Any] = {
    "medicine": {
        "summary": "a prescription-only medicine with 4 weeks of MAH stock",
        "value": {"product": {"id": "RVG 99999", "kind": "medicine", "prescription_only": True,
                              "atc_code": "J01CA04", "shelf_life_months": 36, "medicinal_gas": False,
                              "named_patient": False}},
    },
}

_COMPLIANCE_PROBLEM_LIST = (
    (404, "Not found", "no product with registration number 'RVG 1' in the store", "product"),
    (422, "Invalid input", "the date must be written YYYY-MM-DD (for example 2026-06-01), got '1-6-2026'", "date"),
)
COMPLIANCE_PROBLEMS = problems(*_COMPLIANCE_PROBLEM_LIST, instance="/products/RVG%201/compliance")

OBLIGATION_EXAMPLE: dict[str, Any] = {
    "id": "nl-safety-stock-mah", "iri": "https://w3id.org/medsupply/law/nl-safety-stock-mah",
    "title": {"en": "Safety stock held by the marketing-authorisation holder",
              "nl": "Veiligheidsvoorraad bij de handelsvergunninghouder"},
    "type": "https://w3id.org/medsupply/ontology#StatutoryObligation",
    "legal_basis": [{"instrument": "Geneesmiddelenwet", "identifier": "BWBR0021505", "article": "49(9)", "url": None}],
    "exemptions": [{"id": "https://w3id.org/medsupply/law/nl-safety-stock-mah/exempt-medicinal-gas",
                    "title": "medicinal gases", "priority": 10, "legal_basis": []}],
    "versions": [{"id": "https://w3id.org/medsupply/law/nl-safety-stock-mah/v2023-01-01", "valid_from": "2023-01-01",
                  "valid_until": None, "regime": "in-force", "legal_basis": [],
                  "parameters": [{"path": "https://w3id.org/medsupply/ontology#mahStockWeeks",
                                  "constraint": "minInclusive", "value": 6, "unit": "WK"}], "note": None}],
    "href": "/obligations/nl-safety-stock-mah",
}
OBLIGATION_LIST_EXAMPLE: dict[str, Any] = {"date": "2026-06-01", "regime": "in-force", "obligations": [
    {k: v for k, v in OBLIGATION_EXAMPLE.items() if k != "versions"} | {"version": OBLIGATION_EXAMPLE["versions"][0]}]}
OBLIGATION_PROBLEMS = problems(
    (404, "Not found", "no obligation 'nl-unknown'; known obligations: nl-interruption-notice, nl-safety-stock-mah, …", "id"),
    (422, "Invalid input", "unknown regime 'draft'; use one of ['in-force', 'proposed']", "regime"),
    instance="/obligations",
)
