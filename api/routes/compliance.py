"""Compliance checks over HTTP: a product in the graph by its registration number, or a product
sent as JSON (nothing stored). Both answer the response JSON of :func:`reasoner.rules.check_product`.

Checks run in this process on the shared store (not in the query pool): they are bounded by the
rules, not by user SPARQL, and must stay fast (p99 under 50 ms at 100k products).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request

from api import deps
from api.openapi_examples import COMPLIANCE_ANSWER, COMPLIANCE_POST_BODY, COMPLIANCE_PROBLEMS
from reasoner.errors import InputError
from reasoner.rules import check_product
from reasoner.rules.versions import check_regime

router = APIRouter(tags=["compliance"])

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DateParam = Annotated[str | None, Query(description="the date of the check, YYYY-MM-DD (default: today)",
                                        examples=["2026-06-01"])]
RegimeParam = Annotated[str, Query(description="`in-force` (law as it stands) or `proposed` (with proposed rules)",
                                   examples=["in-force"])]


def check_date(value: str | None) -> date:
    """The ``date`` parameter: YYYY-MM-DD, defaulting to today."""
    if value is None or value == "":
        return date.today()
    try:
        if not _DATE.match(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"the date must be written YYYY-MM-DD (for example 2026-06-01), got {value!r}",
                         where="date") from None


def _answer(request: Request, product: str | dict[str, Any], on: str | None, regime: str) -> dict[str, Any]:
    day = check_date(on)
    check_regime(regime)
    return check_product(deps.store(request), product, day, regime, deps.settings(request))


@router.get(
    "/products/{id:path}/compliance",
    operation_id="checkProductCompliance",
    summary="Check a product in the graph against every obligation on a date",
    description=(
        "The product is named by its registration number as the graph holds it, URL-encoded "
        "(`RVG 12345` → `RVG%2012345`, `EU/1/99/112/002` → `EU%2F1%2F99%2F112%2F002`) or by its IRI. The "
        "answer gives a verdict, one result per obligation (satisfied, violated, not-applicable or unknown, "
        "with the legal basis and rule version) and a receipt. 404 for an unknown product."
    ),
    responses={200: {"description": "the check", "content": {"application/json": {"example": COMPLIANCE_ANSWER}}},
               **COMPLIANCE_PROBLEMS},
)
def product_compliance(
    request: Request,
    id: Annotated[str, Path(description="registration number (URL-encoded) or product IRI", examples=["RVG 27815"])],
    date: DateParam = None,
    regime: RegimeParam = "in-force",
) -> dict[str, Any]:
    return _answer(request, id, date, regime)


@router.post(
    "/compliance",
    operation_id="checkComplianceOfSubmittedProduct",
    summary="Check a product described in the request (not in the graph) on a date; nothing is stored",
    responses={200: {"description": "the check", "content": {"application/json": {"example": COMPLIANCE_ANSWER}}},
               **COMPLIANCE_PROBLEMS},
)
def submitted_compliance(
    request: Request,
    body: Annotated[dict[str, Any], Body(description='the product JSON: {"product": {...}}',
                                         openapi_examples=COMPLIANCE_POST_BODY)],
    date: DateParam = None,
    regime: RegimeParam = "in-force",
) -> dict[str, Any]:
    return _answer(request, body, date, regime)
