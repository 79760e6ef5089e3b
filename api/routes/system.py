"""Health and statistics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from api import deps
from reasoner import __version__
from reasoner.dataset import loaded_version
from reasoner.stats import graph_stats
from reasoner.store import OxigraphStore

router = APIRouter(tags=["system"])


@router.get("/health", operation_id="getHealth", summary="Is the service up and its store reachable?")
def health(store: OxigraphStore = Depends(deps.store)) -> dict[str, Any]:
    return {"status": "ok", "engine_version": __version__, "dataset_version": loaded_version(store),
            "triples": len(store)}


@router.get("/stats", operation_id="getStats", summary="Counts of what the graph holds, per source graph")
def stats(store: OxigraphStore = Depends(deps.store)) -> dict[str, Any]:
    return graph_stats(store)
