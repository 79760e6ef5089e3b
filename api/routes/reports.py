"""HERA dependency reports and disruption scenarios over HTTP (reads only, through :mod:`reasoner`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api import deps
from reasoner.dependency.dates import parse_date
from reasoner.dependency.report import SCOPES, build_dependency_report
from reasoner.dependency.report_formats import FORMAT_NAMES, file_name, report_format
from reasoner.dependency.scenario import Disruption, product_names_for, run_scenario, scenario_as_dict
from reasoner.errors import InputError
from reasoner.store import OxigraphStore

router = APIRouter(tags=["reports"])


@router.get(
    "/reports/dependencies", operation_id="getDependencyReport",
    summary="HERA dependency report: supplier concentration, vulnerability verdicts, single points of failure",
    responses={200: {"content": {"application/ld+json": {}, "text/csv": {}, "text/html": {},
                                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}},
)
def dependency_report(
    scope: str = Query("union-list", description=f"one of {', '.join(SCOPES)}"),
    date: str | None = Query(None, description="as-of date YYYY-MM-DD (default today)"),
    format: str = Query("json", description=f"one of {', '.join(FORMAT_NAMES)}"),
    store: OxigraphStore = Depends(deps.store),
) -> Response:
    if scope not in SCOPES:
        raise InputError(f"unknown scope {scope!r}; use one of {', '.join(SCOPES)}", where="scope")
    fmt = report_format(format)
    report = build_dependency_report(store, scope=scope, on=parse_date(date), with_product_names=True)
    disposition = "inline" if fmt.name in ("json", "html") else "attachment"
    return Response(
        content=fmt.render(report), media_type=fmt.media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{file_name(report, fmt)}"'},
    )


class DisruptionRequest(BaseModel):
    """Who stops supplying, for how long, and how demand moves meanwhile."""

    model_config = ConfigDict(extra="forbid")

    countries: list[str] = Field(default_factory=list, description="ISO 3166-1 alpha-2 codes or country IRIs")
    suppliers: list[str] = Field(default_factory=list, description="IRIs of suppliers or manufacturing sites")
    organisations: list[str] = Field(default_factory=list, description="IRIs of organisations (with their sites)")
    weeks: float = Field(8.0, gt=0, description="how long the disruption lasts, in weeks")
    demand_surge: float = Field(1.0, gt=0, description="demand factor during the disruption (1.0 = normal)")
    date: str | None = Field(None, description="start date YYYY-MM-DD (default today)")
    include_unaffected: bool = Field(False, description="list unaffected products too")
    limit: int | None = Field(None, ge=0, description="list at most this many products, the most severe first "
                                                      "(totals always count every product)")


@router.post("/scenarios/disruption", operation_id="runDisruptionScenario",
             summary="What a disruption does to every product: lost, degraded, stock cover, when it runs short")
def disruption_scenario(request: DisruptionRequest, store: OxigraphStore = Depends(deps.store)) -> dict[str, Any]:
    disruption = Disruption(tuple(request.countries), tuple(request.suppliers), tuple(request.organisations),
                            request.weeks, request.demand_surge, parse_date(request.date))
    result = run_scenario(store, disruption, include_unaffected=request.include_unaffected)
    return scenario_as_dict(result, product_names_for(store, result), request.limit)
