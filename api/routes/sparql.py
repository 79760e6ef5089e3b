"""The SPARQL 1.1 Protocol endpoint at ``/sparql``: read-only, limited, content-negotiated.

Every query runs in a query worker process (:class:`reasoner.sparql_guard.QueryPool`), so a query
that runs past its time limit is killed without holding this process.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api import deps
from api.openapi_examples import SPARQL_GET_RESPONSES, SPARQL_POST_BODY, SPARQL_POST_RESPONSES
from api.sparql_protocol import DEFAULT_GRAPH, UnsupportedMediaType, negotiate, serialise_graph, service_description
from reasoner.config import Settings
from reasoner.errors import InputError, Refused
from reasoner.namespaces import PREFIXES
from reasoner.sparql_guard import UPDATE_REFUSED, QueryOutcome, QueryPool, QueryRequest
from reasoner.store import OxigraphStore, Term

router = APIRouter(tags=["sparql"])

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


def graph_iris(values: list[str], parameter: str) -> tuple[str, ...]:
    """Validate ``default-graph-uri`` / ``named-graph-uri`` values as absolute IRIs."""
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            raise InputError(f"{value!r} is not an absolute IRI; give the full graph IRI, for example "
                             f"{PREFIXES['msg']}ulcm", where=parameter) from None
    return tuple(values)


def respond(outcome: QueryOutcome) -> Response:
    """The HTTP response for a serialised answer (``Vary: Accept``: the body depends on it)."""
    headers = {"Vary": "Accept"}
    if outcome.count is not None:
        headers["X-Result-Count"] = str(outcome.count)
    return Response(content=outcome.body, media_type=outcome.media_type, headers=headers)


async def run_query(request: Request, sparql: str, *, format_param: str | None,
                    default_graphs: tuple[str, ...] = (), named_graphs: tuple[str, ...] = (),
                    substitutions: dict[str, Term] | None = None) -> Response:
    """Negotiate, run ``sparql`` in the query pool within the configured limits, and answer."""
    settings: Settings = deps.settings(request)
    pool: QueryPool = deps.query_pool(request)
    chosen = negotiate(request.headers.get("accept"), format_param)
    query_request = QueryRequest(
        sparql=sparql, solutions_format=chosen.solutions, graph_format=chosen.graph,
        substitutions=substitutions or {}, default_graphs=default_graphs, named_graphs=named_graphs,
        timeout_s=settings.query_timeout_s, result_limit=settings.query_result_limit,
    )
    outcome = await run_in_threadpool(pool.run, query_request)
    return respond(outcome)


def _describe_service(request: Request, format_param: str | None) -> Response:
    settings: Settings = deps.settings(request)
    store: OxigraphStore = deps.store(request)
    chosen = negotiate(request.headers.get("accept"), format_param)
    endpoint = str(request.url.replace(query="", fragment=""))
    triples = service_description(endpoint, store.named_graphs(), settings.query_timeout_s,
                                  settings.query_result_limit, PREFIXES)
    body, media = serialise_graph(triples, chosen.graph or DEFAULT_GRAPH)
    return Response(content=body, media_type=media, headers={"Vary": "Accept"})


def _refuse_update(_text: str) -> Refused:
    return Refused(UPDATE_REFUSED.format(keyword="an update request"), where="update")


@router.get(
    "/sparql",
    operation_id="sparqlQuery",
    summary="Run a read-only SPARQL 1.1 query (or, without a query, describe the service)",
    description=(
        "SPARQL 1.1 Protocol query operation by GET. SELECT and ASK answer as SPARQL JSON, SPARQL XML, CSV "
        "or TSV; CONSTRUCT and DESCRIBE as Turtle, N-Triples, JSON-LD or RDF/XML; chosen by the Accept "
        "header or the `format` parameter. The default graph is the union of all named graphs; the project "
        "prefixes (ms:, msid:, law:, msg:, skos:, …) are predeclared. Without `query` the answer is the "
        "SPARQL 1.1 Service Description in Turtle. Updates, LOAD and SERVICE are refused (403); a query "
        "over the time or result limit is stopped (503)."
    ),
    responses=SPARQL_GET_RESPONSES,
)
async def sparql_get(
    request: Request,
    query: Annotated[str | None, Query(description="the SPARQL 1.1 query", examples=[
        "SELECT ?name WHERE { ?s a ms:ActiveSubstance ; rdfs:label ?name } LIMIT 10"])] = None,
    default_graph_uri: Annotated[list[str], Query(alias="default-graph-uri",
                                                  description="graphs that make up the default graph")] = [],
    named_graph_uri: Annotated[list[str], Query(alias="named-graph-uri",
                                                description="graphs available to GRAPH")] = [],
    format: Annotated[str | None, Query(description="result format when the Accept header cannot be set: "
                                        "json, xml, csv, tsv, turtle, ntriples, jsonld, rdfxml")] = None,
    update: Annotated[str | None, Query(include_in_schema=False)] = None,
) -> Response:
    if update is not None:
        raise _refuse_update(update)
    if query is None:
        return _describe_service(request, format)
    return await run_query(request, query, format_param=format,
                           default_graphs=graph_iris(default_graph_uri, "default-graph-uri"),
                           named_graphs=graph_iris(named_graph_uri, "named-graph-uri"))


@router.post(
    "/sparql",
    operation_id="sparqlQueryPost",
    summary="Run a read-only SPARQL 1.1 query sent by POST (form-encoded or application/sparql-query)",
    description=(
        "SPARQL 1.1 Protocol query operation by POST: either a form (`query`, `default-graph-uri`, "
        "`named-graph-uri`) or the query itself as `application/sparql-query` with the graph parameters in "
        "the URL. Updates (`update=` or `application/sparql-update`) are refused with 403."
    ),
    openapi_extra={"requestBody": SPARQL_POST_BODY},
    responses=SPARQL_POST_RESPONSES,
)
async def sparql_post(request: Request) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    url_params = parse_qs(request.url.query, keep_blank_values=True)
    if content_type == SPARQL_UPDATE:
        raise _refuse_update(body.decode("utf-8", "replace"))
    if content_type == FORM:
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        if "update" in form:
            raise _refuse_update(form["update"][0])
        if "query" not in form:
            raise InputError("the form has no `query` field; send the SPARQL query as query=…", where="query")
        params = {**url_params, **form}
        sparql = form["query"][0]
    elif content_type == SPARQL_QUERY:
        params = url_params
        sparql = body.decode("utf-8", "replace")
    else:
        raise UnsupportedMediaType(
            f"unsupported content type {content_type or '(none)'!r}; send {SPARQL_QUERY} or a form "
            f"({FORM}) with a `query` field", where="Content-Type")
    format_param = (params.get("format") or [None])[0]
    return await run_query(
        request, sparql, format_param=format_param,
        default_graphs=graph_iris(params.get("default-graph-uri", []), "default-graph-uri"),
        named_graphs=graph_iris(params.get("named-graph-uri", []), "named-graph-uri"),
    )
