"""Data: upload events (CSV, Parquet, JSONL, XLSX), see the ingest report, download
the quarantined rows."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from journeymap.errors import IngestError
from journeymap.web.app import LOG, WebState, render, wants_json
from journeymap.web.audit import record
from journeymap.web.auth import db_session, require
from journeymap.web.datasets import (
    UPLOAD_SUFFIXES,
    Dataset,
    Filters,
    ingest_upload,
    list_datasets,
    load_dataset,
)
from journeymap.web.db import User
from journeymap.web.maps import parse_map

router = APIRouter()
DB = Annotated[Session, Depends(db_session)]
Viewer = Annotated[User, Depends(require("viewer"))]
Editor = Annotated[User, Depends(require("editor"))]
ROLES = ("customer_id", "timestamp", "event", "channel")


def _data(state: WebState) -> dict[str, Any]:
    return {
        "datasets": [d.to_dict() for d in list_datasets(state.workspace)],
        "suffixes": UPLOAD_SUFFIXES,
        "max_upload_bytes": state.settings.max_upload_bytes,
        "roles": ROLES,
    }


@router.get("/data", include_in_schema=False)
def data_page(request: Request, user: Viewer) -> Response:
    return render(request, "data.html", _data(request.app.state.web))


@router.get("/api/data", tags=["data"])
def data_json(request: Request, user: Viewer) -> dict[str, Any]:
    """Every uploaded data version with its ingest report, newest first."""
    return _data(request.app.state.web)


@router.post("/data", include_in_schema=False)
@router.post("/api/data", tags=["data"], status_code=201)
def upload(
    request: Request,
    db: DB,
    user: Editor,
    file: UploadFile,
    customer_id: Annotated[str, Form(max_length=200)] = "",
    timestamp: Annotated[str, Form(max_length=200)] = "",
    event: Annotated[str, Form(max_length=200)] = "",
    channel: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Upload events; optional column names map the file's columns to the roles.

    The answer is the ingest report: rows read, loaded, quarantined (with reasons)."""
    state: WebState = request.app.state.web
    filename = Path(file.filename or "upload").name
    columns = {
        role: value.strip()
        for role, value in zip(
            ROLES, (customer_id, timestamp, event, channel), strict=True
        )
        if value.strip()
    }
    try:
        dataset = _store(state, file, filename, columns, user)
    except IngestError as exc:
        if wants_json(request):
            return JSONResponse({"detail": exc.one_line()}, status_code=400)
        return render(
            request, "upload_result.html", {"error": exc.one_line()}, status=400
        )
    record(db, user, "data.upload", dataset.id, filename)
    db.commit()
    if state.settings.measure_after_upload:
        state.background.submit(measure_every_map, state, dataset)
    if wants_json(request):
        return JSONResponse(dataset.to_dict(), status_code=201)
    context = {
        "error": None,
        "dataset": dataset.to_dict(),
        "measuring": state.settings.measure_after_upload,
    }
    return render(request, "upload_result.html", context)


def measure_every_map(state: WebState, dataset: Dataset) -> list[str]:
    """Measure each map on a new data version, so that its first view is quick; a map
    that cannot be measured is logged and skipped (its page will say why)."""
    done = []
    for name in state.workspace.map_names():
        try:
            journey = parse_map(state.workspace.read(name), f"maps/{name}.yaml")
            state.measurements.result(name, journey, dataset, Filters())
            done.append(name)
        except Exception:  # noqa: BLE001 - background work must not die on one map
            LOG.warning("measuring %s on %s failed", name, dataset.id, exc_info=True)
    return done


def _store(
    state: WebState,
    file: UploadFile,
    filename: str,
    columns: dict[str, str],
    user: User,
) -> Any:
    incoming = state.workspace.data_dir / ".incoming"
    incoming.mkdir(exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=incoming, delete=False) as out:
        shutil.copyfileobj(file.file, out)
        temp = Path(out.name)
    try:
        return ingest_upload(
            state.workspace,
            temp,
            filename=filename,
            columns=columns,
            uploaded_by=user.username,
            uploaded_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
    finally:
        temp.unlink(missing_ok=True)


@router.get("/data/{data_id}", include_in_schema=False)
def dataset_page(request: Request, user: Viewer, data_id: str) -> Response:
    dataset = load_dataset(request.app.state.web.workspace, data_id)
    return render(request, "dataset.html", {"dataset": dataset.to_dict()})


@router.get("/api/data/{data_id}", tags=["data"])
def dataset_json(request: Request, user: Viewer, data_id: str) -> dict[str, Any]:
    """One data version's ingest report."""
    return load_dataset(request.app.state.web.workspace, data_id).to_dict()


@router.get("/data/{data_id}/quarantine.csv", include_in_schema=False)
@router.get("/api/data/{data_id}/quarantine.csv", tags=["data"])
def quarantine_csv(request: Request, user: Viewer, data_id: str) -> Response:
    """Every row that was not loaded: row number, line, column, reason, value."""
    dataset = load_dataset(request.app.state.web.workspace, data_id)
    return FileResponse(
        dataset.quarantine, media_type="text/csv", filename=f"quarantine-{data_id}.csv"
    )
