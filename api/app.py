"""The FastAPI application. Routers are modules in :mod:`api.routes` exposing ``router``.

The store is opened once per process at start-up (filling it with the default dataset when
empty) and shared through ``app.state``; handlers get it with :func:`api.deps.store`.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date

from fastapi import FastAPI, Request, Response

from api import problems, routes
from reasoner import __version__
from reasoner.config import Settings, load_settings
from reasoner.dependency.preparation import Preparation
from reasoner.dataset import open_store
from reasoner.rules.check import engine_for
from reasoner.sparql_guard import QueryPool, ReadOnlyView

log = logging.getLogger("medsupply.http")


def create_app(settings: Settings | None = None, *, read_only: bool = False) -> FastAPI:
    """The application. ``read_only``: open the store as a read-only view (one of several HTTP
    workers; the ``serve`` parent loaded the dataset and no worker holds the write lock)."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        if read_only:
            app.state.store_view = ReadOnlyView(settings.store_path, check_every_s=1.0)
            app.state.store = app.state.store_view.current()
        else:
            app.state.store = open_store(settings, progress=lambda m: log.info(m))
        app.state.query_pool = QueryPool(settings.store_path, size=settings.query_workers)
        engine_for(app.state.store, settings)  # compile the rules before the first request, not during it
        app.state.preparation = Preparation()
        if settings.prepare_reports:
            app.state.preparation.start(app.state.store, date.today())
        yield
        app.state.query_pool.close()
        app.state.store.flush()

    app = FastAPI(
        title="medsupply",
        version=__version__,
        description=(
            "Regulatory reasoning about the supply security of medicines and medical devices in the "
            "Netherlands and the EU: compliance checks as of a date, SPARQL, named policy queries and "
            "dependency reports. Every answer cites its law and its sources."
        ),
        lifespan=lifespan,
    )
    problems.install(app)

    @app.middleware("http")
    async def request_log(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        request.state.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex[:16]
        started = time.perf_counter()
        response = await call_next(request)
        duration_ms = (time.perf_counter() - started) * 1000
        response.headers["X-Request-ID"] = request.state.request_id
        log.info(
            "request",
            extra={"request_id": request.state.request_id, "method": request.method,
                   "path": request.url.path, "status": response.status_code, "duration_ms": round(duration_ms, 2)},
        )
        return response

    for info in sorted(pkgutil.iter_modules(routes.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{routes.__name__}.{info.name}")
        if hasattr(module, "router"):
            app.include_router(module.router)
    return app


def create_worker_app() -> FastAPI:
    """Factory for ``serve --workers N`` (N > 1): each uvicorn worker process builds its own app
    over a read-only view of the store named by ``MEDSUPPLY_STORE``."""
    from api.cli import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level)
    return create_app(settings, read_only=True)
