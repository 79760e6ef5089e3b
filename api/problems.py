"""Errors as ``application/problem+json`` (RFC 9457), mapped from :mod:`reasoner.errors` types."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from reasoner.errors import MedsupplyError

PROBLEM_JSON = "application/problem+json"


def problem(status: int, title: str, detail: str, request: Request, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": str(request.url.path),
    }
    body.update({k: v for k, v in extra.items() if v not in (None, [], {})})
    request_id = getattr(request.state, "request_id", None)
    headers = {"X-Request-ID": request_id} if request_id else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem document."""

    @app.exception_handler(MedsupplyError)
    async def _medsupply_error(request: Request, exc: MedsupplyError) -> JSONResponse:
        return problem(exc.http_status, exc.title, exc.message, request, where=exc.where, errors=exc.details)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"where": ".".join(str(p) for p in err.get("loc", ())), "message": err.get("msg", "")}
            for err in exc.errors()
        ]
        first = errors[0] if errors else {"where": "request", "message": "invalid"}
        return problem(422, "Invalid input", f"{first['where']}: {first['message']}", request,
                       where=first["where"], errors=errors)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logging.getLogger("medsupply.http").exception(
            "unhandled error", extra={"request_id": getattr(request.state, "request_id", None)})
        return problem(500, "Internal error", "the service failed while answering; the operator can find the "
                       "cause in the log under this request id", request)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), str(exc.detail), request)
