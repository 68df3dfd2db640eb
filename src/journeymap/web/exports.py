"""Exports: the map as SVG, PNG, PDF, PPTX, HTML report or measured JSON, written by
the same functions as the command line and cached per (map version, data version)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session

import journeymap as jm
from journeymap.errors import MapError
from journeymap.web.app import WebState
from journeymap.web.audit import record
from journeymap.web.auth import db_session, require
from journeymap.web.datasets import Dataset, Filters
from journeymap.web.db import User
from journeymap.web.maps import chosen_dataset, load_journey, web_state
from journeymap.web.workspace import WorkspaceError

router = APIRouter()
DB = Annotated[Session, Depends(db_session)]
Viewer = Annotated[User, Depends(require("viewer"))]

# export format → (file suffix, media type); the same writers as `journeymap render`
EXPORTS = {  # keys: journeymap.web.maps.EXPORT_FORMATS
    "svg": (".svg", "image/svg+xml"),
    "png": (".png", "image/png"),
    "pdf": (".pdf", "application/pdf"),
    "pptx": (
        ".pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "report": (".html", "text/html"),
    "json": (".json", "application/json"),
}


# -- export -------------------------------------------------------------------------
@router.get("/maps/{name}/export/{fmt}", include_in_schema=False)
@router.get("/api/maps/{name}/export/{fmt}", tags=["maps"])
def export(
    request: Request,
    db: DB,
    user: Viewer,
    name: str,
    fmt: str,
    data: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    """The map as SVG, PNG, PDF, PPTX, HTML report or measured JSON (as the CLI)."""
    if fmt not in EXPORTS:
        raise WorkspaceError(
            f"unknown export {fmt[:20]!r}; one of {', '.join(EXPORTS)}"
        )
    state = web_state(request)
    journey = load_journey(state.workspace, name)
    dataset = chosen_dataset(state, data)
    suffix, media = EXPORTS[fmt]
    path = _export_file(state, name, journey, dataset, fmt, suffix)
    record(db, user, "map.export", name, fmt)
    db.commit()
    return FileResponse(path, media_type=media, filename=f"{name}{suffix}")


def _export_file(
    state: WebState,
    name: str,
    journey: jm.JourneyMap,
    dataset: Dataset | None,
    fmt: str,
    suffix: str,
) -> Path:
    """Write the export once per (map version, data version) into the cache (a
    restarted server finds it there without measuring again)."""
    if dataset is None:
        folder = (
            state.workspace.cache_dir
            / f"{name}@{state.workspace.blob(name)[:16]}-nodata"
        )
    else:
        folder = state.measurements.folder(name, dataset, Filters())
    path = folder / f"export-{fmt}{suffix}"
    if path.is_file():
        return path
    measured = None
    if dataset is not None:
        measured, folder = state.measurements.measured(
            name, journey, dataset, Filters()
        )
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as staging:
        out = Path(staging) / path.name
        if fmt == "report":
            if measured is None:
                raise MapError("the report needs data: upload events first")
            jm.save_report(measured, out)
        elif fmt == "json":
            if measured is None:
                out.write_text(json.dumps(journey.model_dump(mode="json"), indent=2))
            else:
                out.write_text(measured.to_json(), encoding="utf-8")
        else:
            jm.save(measured if measured is not None else journey, out)
        out.replace(path)
    return path
