"""The obligations (rules) medsupply checks: which are in force on a date, and one with all its versions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from api import deps
from api.openapi_examples import OBLIGATION_EXAMPLE, OBLIGATION_LIST_EXAMPLE, OBLIGATION_PROBLEMS
from api.routes.compliance import DateParam, RegimeParam, check_date
from reasoner.errors import NotFound
from reasoner.rules.check import engine_for
from reasoner.rules.evaluate import NodeShape
from reasoner.rules.explain import jsonable
from reasoner.rules.model import Obligation, Version
from reasoner.rules.versions import applicable, check_regime

router = APIRouter(tags=["obligations"])


def parameters(shape: NodeShape | None) -> list[dict[str, Any]]:
    """The thresholds and fixed values a requirement sets (path, constraint, value, unit), nested ones included."""
    if shape is None:
        return []
    found: list[dict[str, Any]] = []
    for prop in shape.properties:
        for name, value in prop.compares:
            found.append({"path": prop.path, "constraint": name, "value": jsonable(value), "unit": prop.unit})
        for value in prop.has_value:
            found.append({"path": prop.path, "constraint": "hasValue", "value": jsonable(value), "unit": prop.unit})
        for node in prop.nodes:
            found += parameters(node)
    for group in [shape.and_, shape.node, *shape.or_]:
        for node in group:
            found += parameters(node)
    return found


def version_record(version: Version, request: Request) -> dict[str, Any]:
    engine = engine_for(deps.store(request), deps.settings(request))
    return {
        "id": version.iri,
        "valid_from": version.valid_from.isoformat() if version.valid_from else None,
        "valid_until": version.valid_until.isoformat() if version.valid_until else None,
        "regime": version.regime,
        "legal_basis": [a.citation() for a in version.legal_basis],
        "parameters": parameters(engine.compiler.node(version.requirement)),
        "note": version.source_note or version.application_date_note,
    }


def obligation_record(ob: Obligation) -> dict[str, Any]:
    return {
        "id": ob.id,
        "iri": ob.iri,
        "title": {"en": ob.title, "nl": ob.title_nl},
        "type": ob.type,
        "legal_basis": [a.citation() for a in ob.legal_basis],
        "exemptions": [{"id": ex.iri, "title": ex.title, "priority": ex.priority,
                        "legal_basis": [a.citation() for a in ex.legal_basis]} for ex in ob.exemptions],
        "note": ob.source_note,
        "href": f"/obligations/{ob.id}",
    }


@router.get(
    "/obligations",
    operation_id="listObligations",
    summary="The obligations in force on a date, with their legal basis and parameters",
    responses={200: {"description": "obligations in force", "content": {"application/json": {"example": OBLIGATION_LIST_EXAMPLE}}},
               **OBLIGATION_PROBLEMS},
)
def list_obligations(request: Request, date: DateParam = None, regime: RegimeParam = "in-force") -> dict[str, Any]:
    day = check_date(date)
    check_regime(regime)
    rules = engine_for(deps.store(request), deps.settings(request)).rules
    listed = []
    for ob in rules.obligations:
        chosen = applicable(ob, day, regime)
        if chosen.version is None:
            continue
        record = obligation_record(ob)
        record["version"] = version_record(chosen.version, request)
        if chosen.note:
            record["version"]["application_note"] = chosen.note
        listed.append(record)
    return {"date": day.isoformat(), "regime": regime, "obligations": listed}


@router.get(
    "/obligations/{id}",
    operation_id="getObligation",
    summary="One obligation with all its versions (in force and proposed)",
    responses={200: {"description": "the obligation", "content": {"application/json": {"example": OBLIGATION_EXAMPLE}}},
               **OBLIGATION_PROBLEMS},
)
def get_obligation(request: Request,
                   id: Annotated[str, Path(description="obligation id", examples=["nl-safety-stock-mah"])]) -> dict[str, Any]:
    rules = engine_for(deps.store(request), deps.settings(request)).rules
    try:
        ob = rules.obligation(id)
    except KeyError:
        known = ", ".join(sorted(o.id for o in rules.obligations))
        raise NotFound(f"no obligation {id!r}; known obligations: {known}", where="id") from None
    record = obligation_record(ob)
    record["versions"] = [version_record(v, request) for v in ob.versions]
    return record
