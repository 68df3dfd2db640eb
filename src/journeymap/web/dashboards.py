"""Dashboards: stage funnel, flows (Sankey), emotion curve, ranked pain points,
attribution and forecast — the report layer's interactive report of the measured map,
made once per (map version, data version) and kept in the measurement cache.

The report inlines Plotly, so it needs inline scripts. It is therefore served on its
own URL with a Content-Security-Policy ``sandbox``: the browser runs it in an opaque
origin that cannot read the session cookie or call the app, and the dashboard page
frames it. Every other page keeps ``script-src 'self'``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response

import journeymap as jm
from journeymap.errors import MapError
from journeymap.web.app import WebState, render
from journeymap.web.auth import require
from journeymap.web.datasets import Dataset, Filters, list_datasets, load_dataset
from journeymap.web.db import User
from journeymap.web.maps import parse_map

router = APIRouter()
Viewer = Annotated[User, Depends(require("viewer"))]
DataQuery = Annotated[str | None, Query(max_length=16)]
SANDBOX = (
    "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; "
    "style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
)


def _dataset(state: WebState, data: str | None) -> Dataset:
    dataset = (
        load_dataset(state.workspace, data)
        if data
        else next(iter(list_datasets(state.workspace)), None)
    )
    if dataset is None:
        raise MapError("dashboards need data: upload events on the Data page first")
    return dataset


def _figures(
    state: WebState, name: str, data: str | None
) -> tuple[dict[str, Any], Dataset, jm.JourneyMap]:
    journey = parse_map(state.workspace.read(name), f"maps/{name}.yaml")
    dataset = _dataset(state, data)
    measured, _svg = state.measurements.result(name, journey, dataset, Filters())
    return measured, dataset, journey


def _summary(data: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's figures, from the measured map's JSON (the JSON twin)."""
    ranked = sorted(
        data["pain_points"],
        key=lambda p: (-(p.get("impact") or 0.0), p["id"]),
    )
    return {
        "funnel": [
            {"stage": s["id"], "name": s["name"], "reached": s["reached"]}
            for s in data["stages"]
        ],
        "emotion": [{"stage": s["id"], **s["emotion"]} for s in data["stages"]],
        "pain_points": [
            {k: p.get(k) for k in ("id", "verdict", "impact", "q_value", "summary")}
            for p in ranked
        ],
        "attribution": data["attribution"],
        "totals": data["totals"],
    }


@router.get("/maps/{name}/dashboard", include_in_schema=False)
def dashboard_page(
    request: Request, user: Viewer, name: str, data: DataQuery = None
) -> Response:
    state: WebState = request.app.state.web
    measured, dataset, journey = _figures(state, name, data)
    context = {
        "name": name,
        "title": journey.name,
        "data": dataset.to_dict(),
        "summary": _summary(measured),
    }
    return render(request, "dashboard.html", context)


@router.get("/api/maps/{name}/dashboard", tags=["maps"])
def dashboard_json(
    request: Request, user: Viewer, name: str, data: DataQuery = None
) -> dict[str, Any]:
    """Stage funnel, emotion curve, pain points ranked by impact, attribution."""
    measured, dataset, _journey = _figures(request.app.state.web, name, data)
    return {"name": name, "data": dataset.id} | _summary(measured)


@router.get("/maps/{name}/dashboard/report.html", include_in_schema=False)
def dashboard_report(
    request: Request, user: Viewer, name: str, data: DataQuery = None
) -> Response:
    state: WebState = request.app.state.web
    journey = parse_map(state.workspace.read(name), f"maps/{name}.yaml")
    dataset = _dataset(state, data)
    folder = state.measurements.folder(name, dataset, Filters())
    path = folder / "dashboard.html"
    if not path.is_file():
        measured, folder = state.measurements.measured(
            name, journey, dataset, Filters()
        )
        flows = jm.measure_flows(journey, jm.read_events(dataset.events))
        with tempfile.TemporaryDirectory(dir=folder) as staging:
            out = Path(staging) / path.name
            jm.save_report(measured, out, flows=flows)
            out.replace(path)
    return FileResponse(
        path,
        media_type="text/html",
        headers={"Content-Security-Policy": SANDBOX, "X-Frame-Options": "SAMEORIGIN"},
    )
