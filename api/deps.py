"""Request dependencies: the shared store, the query worker pool and settings."""

from __future__ import annotations

from fastapi import Request

from reasoner.config import Settings
from reasoner.sparql_guard import QueryPool
from reasoner.store import OxigraphStore


def store(request: Request) -> OxigraphStore:
    """The store: the primary handle, or (with several HTTP workers) a read-only view kept current."""
    view = getattr(request.app.state, "store_view", None)
    return view.current() if view is not None else request.app.state.store


def query_pool(request: Request) -> QueryPool:
    """The worker processes that run user SPARQL within time and result limits."""
    return request.app.state.query_pool


def settings(request: Request) -> Settings:
    return request.app.state.settings
