"""Maps: list, create, view (measured), edit, history, restore, duplicate, export."""

from __future__ import annotations

import datetime as dt
import functools
import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import (
    JSONResponse,
    RedirectResponse,
    Response,
)
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

import journeymap as jm
from journeymap.errors import MapError
from journeymap.web.app import WebState, render, today
from journeymap.web.audit import record
from journeymap.web.auth import db_session, require
from journeymap.web.datasets import (
    Dataset,
    Filters,
    list_datasets,
    load_dataset,
)
from journeymap.web.db import User
from journeymap.web.workspace import MAP_NAME, Workspace

router = APIRouter()
# the formats the map page offers (journeymap.web.exports writes them)
EXPORT_FORMATS = ("svg", "png", "pdf", "pptx", "report", "json")
DB = Annotated[Session, Depends(db_session)]
Viewer = Annotated[User, Depends(require("viewer"))]
Editor = Annotated[User, Depends(require("editor"))]


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def load_journey(
    workspace: Workspace, name: str, commit: str | None = None
) -> jm.JourneyMap:
    return parse_map(workspace.read(name, commit), f"maps/{name}.yaml")


@functools.lru_cache(maxsize=64)
def parse_map(text: str, file: str) -> jm.JourneyMap:
    """A map parsed once per text (maps are immutable; parsing YAML is the slow part of
    a page view)."""
    return jm.loads_map(text, file=file)


def map_summary(state: WebState, name: str) -> dict[str, Any]:
    """One row of the maps list; a map that does not load shows its error instead."""
    row: dict[str, Any] = {
        "name": name,
        "last_measured": state.measurements.last_measured(name),
    }
    try:
        journey = load_journey(state.workspace, name)
    except MapError as exc:
        return row | {"title": name, "error": exc.one_line()}
    due = journey.review.next_due() if journey.review else None
    return row | {
        "title": journey.name,
        "owner": journey.owner,
        "state": journey.state,
        "stages": len(journey.stages),
        "review_due": None if due is None else due.isoformat(),
        "overdue": due is not None and due < today(),
        "error": None,
    }


def _maps(state: WebState) -> dict[str, Any]:
    return {
        "maps": [map_summary(state, name) for name in state.workspace.map_names()],
        "frameworks": [{"id": f.id, "name": f.name} for f in jm.list_frameworks()],
    }


@router.get("/maps", include_in_schema=False)
def maps_page(request: Request, user: Viewer) -> Response:
    return render(request, "maps.html", _maps(web_state(request)) | {"error": None})


@router.get("/api/maps", tags=["maps"])
def maps_json(request: Request, user: Viewer) -> dict[str, Any]:
    """Every map with owner, state, last measured and review due date."""
    return _maps(web_state(request))


class NewMap(BaseModel):
    name: str = Field(pattern=f"^{MAP_NAME.pattern}$", description="file name (slug)")
    title: str = Field(min_length=1, max_length=200)
    framework: str = Field(
        default="classic-5", description="a stage framework id, or 'demo'"
    )


def _create(state: WebState, db: Session, user: User, new: NewMap) -> str:
    from journeymap.demo import demo_map_text
    from journeymap.model.templates import new_map_yaml

    if state.workspace.exists(new.name):
        raise MapError(f"a map named {new.name!r} exists")
    if new.framework == "demo":
        text = demo_map_text()
    else:
        jm.get_framework(new.framework)  # did-you-mean on an unknown id
        text = new_map_yaml(new.framework, new.title)
    journey, document = map_document(text, new.name)
    if new.framework == "demo":
        document["name"] = new.title
        text = dump_document(document)
    commit = state.workspace.save(
        new.name,
        text,
        author=user.username,
        message=f"Create {new.name} ({new.framework})",
    )
    record(db, user, "map.create", new.name, f"{new.framework} {commit[:10]}")
    db.commit()
    return commit


def map_document(text: str, name: str) -> tuple[jm.JourneyMap, Any]:
    from journeymap.model.spec import loads_map_document

    return loads_map_document(text, file=f"maps/{name}.yaml")


def dump_document(document: Any) -> str:
    from journeymap.model.spec import dumps_map_document

    return dumps_map_document(document)


@router.post("/maps", include_in_schema=False)
def create_map_form(
    request: Request,
    db: DB,
    user: Editor,
    name: Annotated[str, Form(max_length=63)],
    title: Annotated[str, Form(max_length=200)],
    framework: Annotated[str, Form(max_length=64)] = "classic-5",
) -> Response:
    state = web_state(request)
    try:
        new = NewMap(name=name.strip(), title=title.strip(), framework=framework)
        _create(state, db, user, new)
    except (ValueError, MapError) as exc:
        message = exc.one_line() if isinstance(exc, MapError) else _invalid_name(name)
        return render(
            request, "maps.html", _maps(state) | {"error": message}, status=400
        )
    return RedirectResponse(f"/maps/{new.name}", status_code=303)


def _invalid_name(name: str) -> str:
    return f"map name {name[:80]!r}: use lower-case letters, digits and dashes, and a title"


@router.post("/api/maps", tags=["maps"], status_code=201)
def create_map_json(
    request: Request, body: NewMap, db: DB, user: Editor
) -> dict[str, str]:
    """Create a map from a stage framework (or the demo map); commits it."""
    commit = _create(web_state(request), db, user, body)
    return {"name": body.name, "commit": commit}


# -- view ---------------------------------------------------------------------------
def _filters(
    persona: str | None, department: str | None, since: str | None, until: str | None
) -> Filters:
    for label, value in (("since", since), ("until", until)):
        if value:
            try:
                dt.date.fromisoformat(value)
            except ValueError as exc:
                raise MapError(
                    f"{label}: not a date (YYYY-MM-DD): {value[:40]!r}"
                ) from exc
    return Filters(persona or None, department or None, since or None, until or None)


def chosen_dataset(state: WebState, data: str | None) -> Dataset | None:
    if data:
        return load_dataset(state.workspace, data)
    found = list_datasets(state.workspace)
    return found[0] if found else None


def _view(
    state: WebState, name: str, data: str | None, filters: Filters
) -> dict[str, Any]:
    journey = load_journey(state.workspace, name)
    if filters.persona and filters.persona not in {p.id for p in journey.personas}:
        raise MapError(f"persona {filters.persona!r} is not in this map")
    if filters.department:
        if filters.department not in {d.id for d in journey.departments}:
            raise MapError(f"department {filters.department!r} is not in this map")
        journey = journey.for_department(filters.department)
    dataset = chosen_dataset(state, data)
    measured: dict[str, Any] | None = None
    if dataset is None:
        svg = jm.render_map_svg(journey)
    else:
        measured, svg = state.measurements.result(name, journey, dataset, filters)
    return {
        "name": name,
        "journey": journey.model_dump(mode="json", exclude_none=True),
        "version": state.workspace.blob(name),
        "data": None if dataset is None else dataset.to_dict(),
        "filters": filters.__dict__,
        "measured": measured,
        "svg": svg,
    }


@router.get("/maps/{name}", include_in_schema=False)
def map_page(
    request: Request,
    user: Viewer,
    name: str,
    data: str | None = None,
    persona: str | None = None,
    department: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Response:
    state = web_state(request)
    view = _view(state, name, data, _filters(persona, department, since, until))
    context = view | {
        "datasets": [d.to_dict() for d in list_datasets(state.workspace)],
        "cards": _cards(view),
        "svg": _inline_svg(view["svg"]),
        "exports": list(EXPORT_FORMATS),
    }
    return render(request, "map.html", context)


@router.get("/api/maps/{name}", tags=["maps"])
def map_json(
    request: Request,
    user: Viewer,
    name: str,
    data: str | None = None,
    persona: str | None = None,
    department: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Response:
    """The map, and its measurements on a data version (default: the newest upload)."""
    state = web_state(request)
    filters = _filters(persona, department, since, until)
    view = _view(state, name, data, filters)
    view.pop("svg")
    measured = view.pop("measured")
    if measured is None:
        return JSONResponse(view | {"measured": None})
    # the measured map is served as the cached text: at 1e6 events it is megabytes,
    # and re-encoding it per request took most of a page view (bench/bench_web.py)
    dataset = load_dataset(state.workspace, view["data"]["id"])
    journey = measured_journey(state, name, filters)
    text = state.measurements.text(name, journey, dataset, filters)
    head = json.dumps(view, ensure_ascii=False)
    return Response(
        head[:-1] + ', "measured": ' + text.strip() + "}", media_type="application/json"
    )


def measured_journey(state: WebState, name: str, filters: Filters) -> jm.JourneyMap:
    """The map as measured under ``filters`` (a department narrows it)."""
    journey = load_journey(state.workspace, name)
    return journey.for_department(filters.department) if filters.department else journey


def _inline_svg(svg: str) -> str:
    """The SVG without its XML declaration, to sit inside the page (the render
    layer escapes every text it draws)."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def _cards(view: dict[str, Any]) -> list[dict[str, Any]]:
    """The pain points and opportunities, each with its measured verdict if any."""
    verdicts = {v["id"]: v for v in ((view["measured"] or {}).get("pain_points") or [])}
    cards = []
    for stage in view["journey"].get("stages", []):
        for kind in ("pain_points", "opportunities"):
            for card in stage.get(kind, []):
                verdict = verdicts.get(card["id"], {}).get("verdict")
                cards.append(
                    {
                        "id": card["id"],
                        "kind": "pain point"
                        if kind == "pain_points"
                        else "opportunity",
                        "stage": stage["name"],
                        "text": card.get("text", ""),
                        "verdict": verdict,
                    }
                )
    return cards


class Duplicate(BaseModel):
    name: str = Field(pattern=f"^{MAP_NAME.pattern}$")


def _duplicate(
    state: WebState, db: Session, user: User, name: str, new_name: str
) -> None:
    if state.workspace.exists(new_name):
        raise MapError(f"a map named {new_name!r} exists")
    journey, document = map_document(state.workspace.read(name), name)
    document["state"] = "future"
    document["current_map"] = f"{name}.yaml"
    document["name"] = f"{journey.name} (future)"
    state.workspace.save(
        new_name,
        dump_document(document),
        author=user.username,
        message=f"Duplicate {name} as future state {new_name}",
    )
    record(db, user, "map.duplicate", new_name, f"from {name}")
    db.commit()


@router.post("/maps/{name}/duplicate", include_in_schema=False)
def duplicate_form(
    request: Request,
    db: DB,
    user: Editor,
    name: str,
    new_name: Annotated[str, Form(max_length=63)],
) -> Response:
    body = Duplicate(name=new_name.strip())
    _duplicate(web_state(request), db, user, name, body.name)
    return RedirectResponse(f"/maps/{body.name}", status_code=303)


@router.post("/api/maps/{name}/duplicate", tags=["maps"], status_code=201)
def duplicate_json(
    request: Request, body: Duplicate, db: DB, user: Editor, name: str
) -> dict[str, str]:
    """Copy the map as a future-state map that names this one as its current map."""
    _duplicate(web_state(request), db, user, name, body.name)
    return {"name": body.name}


# -- compare ------------------------------------------------------------------------
def _current_of(state: WebState, name: str, journey: jm.JourneyMap) -> str:
    """The workspace map a future-state map names as its current map."""
    if journey.current_map is None:
        raise MapError(f"{name} names no current map (set current_map: NAME.yaml)")
    current = Path(journey.current_map).stem
    if not state.workspace.exists(current):
        raise MapError(f"current_map {journey.current_map!r} is not a map here")
    return current


def _card_ids(journey: jm.JourneyMap) -> set[str]:
    return {c.id for _s, c in journey.pain_points()} | {
        c.id for _s, c in journey.opportunities()
    }


def _compare(state: WebState, name: str, data: str | None) -> dict[str, Any]:
    future = load_journey(state.workspace, name)
    current_name = _current_of(state, name, future)
    current = load_journey(state.workspace, current_name)
    views = {
        key: _view(state, map_name, data, Filters())
        for key, map_name in (("current", current_name), ("future", name))
    }
    stages = {
        key: [s.id for s in j.stages]
        for key, j in (("current", current), ("future", future))
    }
    cards = {key: _card_ids(j) for key, j in (("current", current), ("future", future))}
    return {
        "current": current_name,
        "future": name,
        "stages_added": [s for s in stages["future"] if s not in stages["current"]],
        "stages_removed": [s for s in stages["current"] if s not in stages["future"]],
        "cards_added": sorted(cards["future"] - cards["current"]),
        "cards_removed": sorted(cards["current"] - cards["future"]),
        "views": views,
    }


@router.get("/maps/{name}/compare", include_in_schema=False)
def compare_page(
    request: Request, user: Viewer, name: str, data: str | None = None
) -> Response:
    state = web_state(request)
    found = _compare(state, name, data)
    found["svg"] = _inline_svg(_side_by_side(state, name, found["current"], data))
    return render(request, "compare.html", found)


def _side_by_side(
    state: WebState, name: str, current_name: str, data: str | None
) -> str:
    """The render layer's comparison drawing (current state measured, on the left),
    written once per (both map versions, data version)."""
    workspace = state.workspace
    dataset = chosen_dataset(state, data)
    key = "-".join(
        [
            f"compare-{name}@{workspace.blob(name)[:12]}",
            f"{current_name}@{workspace.blob(current_name)[:12]}",
            dataset.id if dataset is not None else "nodata",
        ]
    )
    path = workspace.cache_dir / f"{key}.svg"
    if not path.is_file():
        current = load_journey(workspace, current_name)
        left: jm.JourneyMap | Any = current
        if dataset is not None:
            left, _folder = state.measurements.measured(
                current_name, current, dataset, Filters()
            )
        with tempfile.TemporaryDirectory(dir=workspace.cache_dir) as staging:
            out = jm.save(
                load_journey(workspace, name), Path(staging) / "c.svg", compare=left
            )
            out.replace(path)
    return path.read_text(encoding="utf-8")


@router.get("/api/maps/{name}/compare", tags=["maps"])
def compare_json(
    request: Request, user: Viewer, name: str, data: str | None = None
) -> dict[str, Any]:
    """A future-state map beside its current map: stages and cards added or removed,
    and both maps measured on the same data version."""
    found = _compare(web_state(request), name, data)
    for view in found["views"].values():
        view.pop("svg")
    return found
