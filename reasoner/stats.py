"""Counts of what the graph holds: the JSON of ``GET /stats`` and ``medsupply stats``."""

from __future__ import annotations

from typing import Any

from reasoner.config import load_settings
from reasoner.namespaces import GRAPH
from reasoner.queries import named_query
from reasoner.store import OxigraphStore


def graph_stats(store: OxigraphStore) -> dict[str, Any]:
    """Domain counts from ``queries/system/stats.rq`` plus the number of facts per named graph."""
    query = named_query(load_settings().queries_dir, "system/stats")
    row = store.select(query.sparql)[0]
    counts = {name: int(term.value) for name, term in row.items()}
    prefix = str(GRAPH)
    return {
        "triples": len(store),
        "products": counts["products"],
        "substances": counts["substances"],
        "suppliers": counts["suppliers"],
        "countries": counts["countries"],
        "ulcm_atc_codes": counts["ulcm_atc_codes"],
        "nl_critical_atc_codes": {
            "red": counts["nl_critical_red"],
            "orange": counts["nl_critical_orange"],
            "yellow": counts["nl_critical_yellow"],
        },
        "legal_instruments": counts["legal_instruments"],
        "obligations": counts["obligations"],
        "graphs": {
            (g[len(prefix):] if g.startswith(prefix) else g): store.count(g) for g in store.named_graphs()
        },
    }
