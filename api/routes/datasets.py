"""User loads over HTTP: upload (multipart or an RDF/CSV body), list, inspect, delete.

Writes need ``Authorization: Bearer <token>`` equal to the server's ``MEDSUPPLY_WRITE_TOKEN``;
without that setting writes are disabled. Uploads are streamed to a staging file beside the store
(never held whole in memory) and then validated and committed by :mod:`reasoner.ingest.loads`,
so a refused upload leaves the store exactly as it was and its problem document lists every
problem (file, row, column or triple, value, why).
"""

from __future__ import annotations

import hmac
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api import deps
from reasoner.config import Settings
from reasoner.errors import Forbidden, InputError, Unauthorized
from reasoner.ingest import loads
from reasoner.store import OxigraphStore

router = APIRouter(tags=["datasets"])
CHUNK = 1 << 20


def writer(request: Request) -> str:
    """Who is writing: the holder of the configured write token (named by ``From`` if sent)."""
    settings: Settings = deps.settings(request)
    if not settings.write_token:
        raise Forbidden("writes are disabled on this server; set MEDSUPPLY_WRITE_TOKEN to enable uploads")
    header = request.headers.get("authorization")
    if not header:
        raise Unauthorized("uploading needs a token: send the header Authorization: Bearer <token>",
                           where="Authorization")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip() or " " in credentials.strip():
        raise Unauthorized("malformed Authorization header; send Authorization: Bearer <token>", where="Authorization")
    if not hmac.compare_digest(credentials.strip().encode("utf-8"), settings.write_token.encode("utf-8")):
        raise Forbidden("this token may not write; check MEDSUPPLY_WRITE_TOKEN", where="Authorization")
    return request.headers.get("from") or "holder of the write token"


async def _save_upload(upload: UploadFile, store: OxigraphStore) -> Path:
    path = loads.upload_path(store, suffix=Path(upload.filename or "").suffix)
    with open(path, "wb") as handle:
        while chunk := await upload.read(CHUNK):
            handle.write(chunk)
    return path


@router.post("/datasets", operation_id="postDataset", status_code=201,
             summary="Load a file (multipart upload, or an RDF/CSV body) as a validated load of its own")
async def post_dataset(request: Request, response: Response, mapping: str | None = None,
                       replace: str | None = None, name: str | None = None,
                       agent: str = Depends(writer), store: OxigraphStore = Depends(deps.store),
                       settings: Settings = Depends(deps.settings)) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    saved: list[Path] = []
    requests: list[loads.LoadRequest] = []
    try:
        if content_type.startswith("multipart/form-data"):
            form = await request.form(max_files=100)
            mapping = mapping or _field(form.get("mapping"))
            replace = replace or _field(form.get("replace"))
            for _key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    path = await _save_upload(value, store)
                    saved.append(path)
                    requests.append(loads.LoadRequest(path=path, name=value.filename or path.name,
                                                      format=None if Path(value.filename or "").suffix
                                                      else value.content_type, mapping=mapping))
            if not requests:
                raise InputError("the form holds no file; send the file in a part named 'file'", where="file")
        else:
            if not content_type:
                raise InputError("say what the body is with Content-Type (text/turtle, application/n-triples, "
                                 "application/ld+json, application/rdf+xml, text/csv, ...)", where="Content-Type")
            path = loads.upload_path(store)
            with open(path, "wb") as handle:
                async for chunk in request.stream():
                    handle.write(chunk)
            saved.append(path)
            requests.append(loads.LoadRequest(path=path, name=name or "request body", format=content_type,
                                              mapping=mapping))
        results = await run_in_threadpool(loads.load_files, store, settings, requests, agent=agent, replace=replace)
    finally:
        for path in saved:
            path.unlink(missing_ok=True)
    _prepare_again(request, store, settings)
    if all(r.get("unchanged") for r in results):
        response.status_code = 200
    if len(results) == 1:
        response.headers["Location"] = f"/datasets/{results[0]['id']}"
        return results[0]
    return {"loads": results}


def _field(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@router.get("/datasets", operation_id="listDatasets", summary="Every user load: who, when, which file, how much")
def list_datasets(store: OxigraphStore = Depends(deps.store)) -> dict[str, Any]:
    return {"loads": loads.list_loads(store)}


@router.get("/datasets/{load_id}", operation_id="getDataset",
            summary="One load: its provenance and what its graph holds")
def get_dataset(load_id: str, store: OxigraphStore = Depends(deps.store)) -> dict[str, Any]:
    return loads.describe_load(store, load_id)


@router.delete("/datasets/{load_id}", operation_id="deleteDataset", summary="Delete a load and its graph")
def delete_dataset(load_id: str, request: Request, agent: str = Depends(writer),
                   store: OxigraphStore = Depends(deps.store),
                   settings: Settings = Depends(deps.settings)) -> dict[str, Any]:
    deleted = loads.delete_load(store, load_id)
    _prepare_again(request, store, settings)
    return {"deleted": deleted, "deleted_by": agent}


def _prepare_again(request: Request, store: OxigraphStore, settings: Settings) -> None:
    """After a load or a deletion the prepared dependency analysis is stale: prepare it again."""
    preparation = getattr(request.app.state, "preparation", None)
    if preparation is not None and settings.prepare_reports:
        preparation.start(store, date.today())
