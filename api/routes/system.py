"""Health and statistics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from api import deps
from reasoner import __version__
from reasoner.dataset import loaded_version
from reasoner.errors import MedsupplyError
from reasoner.stats import graph_stats
from reasoner.store import OxigraphStore

router = APIRouter(tags=["system"])


@router.get("/health", operation_id="getHealth", summary="Is the service up and its store reachable?",
            responses={200: {"description": "the service is up", "content": {"application/json": {"example": {
                "status": "ok", "store": "reachable", "engine_version": "0.1.0",
                "dataset_version": "7032a33bd86793bf", "query_workers": 2,
                "reports_prepared": {"state": "ready", "date": "2026-12-01", "store_revision": 4, "seconds": 2.1,
                                     "error": None}}}}},
                       503: {"description": "the store cannot be read"}})
def health(request: Request, store: OxigraphStore = Depends(deps.store)) -> dict[str, Any]:
    """Cheap on purpose (one lookup, no counting): load balancers call it often."""
    try:
        version = loaded_version(store)
    except (OSError, MedsupplyError) as exc:
        raise MedsupplyError(f"the store cannot be read: {exc}", where="store") from None
    pool = getattr(request.app.state, "query_pool", None)
    preparation = getattr(request.app.state, "preparation", None)
    return {"status": "ok", "store": "reachable", "engine_version": __version__, "dataset_version": version,
            "query_workers": pool.size if pool else 0,
            "reports_prepared": preparation.status.as_dict() if preparation else None}


@router.get("/stats", operation_id="getStats", summary="Counts of what the graph holds, per source graph")
def stats(store: OxigraphStore = Depends(deps.store)) -> dict[str, Any]:
    return graph_stats(store)
