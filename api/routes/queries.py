"""Named policy queries (``queries/policy/*.rq``): list them, run one with typed parameters.

A named query runs exactly like a query sent to ``/sparql`` (same worker pool, limits and result
formats); its parameters are bound with SEP-0007 substitutions, never pasted into the text.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from api import deps
from api.openapi_examples import QUERY_LIST_EXAMPLE, QUERY_RUN_RESPONSES
from api.routes.sparql import run_query
from reasoner.queries import NamedQuery, all_queries, bind_parameters, named_query

router = APIRouter(tags=["named queries"])

POLICY_FOLDER = "policy"
RESERVED = {"format"}


def describe(query: NamedQuery) -> dict[str, Any]:
    """A query's header as JSON: name, titles and descriptions in English and Dutch, parameters."""
    short = query.name.removeprefix(f"{POLICY_FOLDER}/")
    return {
        "name": short,
        "title": {"en": query.meta.get("title", short), "nl": query.meta.get("title@nl")},
        "description": {"en": query.meta.get("description"), "nl": query.meta.get("description@nl")},
        "parameters": [
            {"name": p.name, "type": p.type, "default": p.default, "description": p.description}
            for p in query.parameters
        ],
        "href": f"/queries/{short}",
    }


@router.get(
    "/queries",
    operation_id="listNamedQueries",
    summary="List the named policy queries with their titles, descriptions and parameters (English and Dutch)",
    responses={200: {"description": "the named queries",
                     "content": {"application/json": {"example": QUERY_LIST_EXAMPLE}}}},
)
def list_queries(request: Request) -> dict[str, Any]:
    folder = deps.settings(request).queries_dir
    return {"queries": [describe(q) for q in all_queries(folder, POLICY_FOLDER)]}


@router.get(
    "/queries/{name}",
    operation_id="runNamedQuery",
    summary="Run a named policy query; parameters as query-string values, result format by Accept or format",
    description=(
        "Runs `queries/policy/{name}.rq`. Each parameter the query declares (see `GET /queries`) can be given "
        "in the query string, e.g. `?country=IN`; missing ones take their default. A value of the wrong type "
        "is a 422 naming the parameter. Results come in every SPARQL result format (SPARQL JSON, XML, CSV, "
        "TSV), chosen by the Accept header or `format=`."
    ),
    responses=QUERY_RUN_RESPONSES,
)
async def run_named_query(
    request: Request,
    name: Annotated[str, Path(description="query name as listed by GET /queries",
                              examples=["products-exposed-to-country"])],
    format: Annotated[str | None, Query(description="json, xml, csv or tsv (when Accept cannot be set)")] = None,
) -> Response:
    query = named_query(deps.settings(request).queries_dir, f"{POLICY_FOLDER}/{name}")
    given = {k: v for k, v in request.query_params.items() if k not in RESERVED}
    substitutions = bind_parameters(query, given)
    return await run_query(request, query.sparql, format_param=format, substitutions=substitutions)
