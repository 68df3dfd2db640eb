"""Maps: list, create, view (measured), edit, history, restore, duplicate, export."""

from __future__ import annotations

import datetime as dt
import functools
import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import (
    FileResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

import journeymap as jm
from journeymap.errors import MapError
from journeymap.web.app import WebState, render, today, wants_json
from journeymap.web.audit import record
from journeymap.web.auth import db_session, require
from journeymap.web.datasets import (
    Dataset,
    Filters,
    list_datasets,
    load_dataset,
)
from journeymap.web.db import User
from journeymap.web.editing import EditResult, apply_edits, errors_by_field
from journeymap.web.workspace import MAP_NAME, Workspace, WorkspaceError

router = APIRouter()
DB = Annotated[Session, Depends(db_session)]
Viewer = Annotated[User, Depends(require("viewer"))]
Editor = Annotated[User, Depends(require("editor"))]

# export format → (file suffix, media type); the same writers as `journeymap render`
EXPORTS = {
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


def _state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def _journey(
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
        journey = _journey(state.workspace, name)
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
    return render(request, "maps.html", _maps(_state(request)) | {"error": None})


@router.get("/api/maps", tags=["maps"])
def maps_json(request: Request, user: Viewer) -> dict[str, Any]:
    """Every map with owner, state, last measured and review due date."""
    return _maps(_state(request))


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
    journey, document = _document(text, new.name)
    if new.framework == "demo":
        document["name"] = new.title
        text = _dumps(document)
    commit = state.workspace.save(
        new.name,
        text,
        author=user.username,
        message=f"Create {new.name} ({new.framework})",
    )
    record(db, user, "map.create", new.name, f"{new.framework} {commit[:10]}")
    db.commit()
    return commit


def _document(text: str, name: str) -> tuple[jm.JourneyMap, Any]:
    from journeymap.model.spec import loads_map_document

    return loads_map_document(text, file=f"maps/{name}.yaml")


def _dumps(document: Any) -> str:
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
    state = _state(request)
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
    commit = _create(_state(request), db, user, body)
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


def _dataset(state: WebState, data: str | None) -> Dataset | None:
    if data:
        return load_dataset(state.workspace, data)
    found = list_datasets(state.workspace)
    return found[0] if found else None


def _view(
    state: WebState, name: str, data: str | None, filters: Filters
) -> dict[str, Any]:
    journey = _journey(state.workspace, name)
    if filters.persona and filters.persona not in {p.id for p in journey.personas}:
        raise MapError(f"persona {filters.persona!r} is not in this map")
    if filters.department:
        if filters.department not in {d.id for d in journey.departments}:
            raise MapError(f"department {filters.department!r} is not in this map")
        journey = journey.for_department(filters.department)
    dataset = _dataset(state, data)
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
    state = _state(request)
    view = _view(state, name, data, _filters(persona, department, since, until))
    context = view | {
        "datasets": [d.to_dict() for d in list_datasets(state.workspace)],
        "cards": _cards(view),
        "svg": _inline_svg(view["svg"]),
        "exports": list(EXPORTS),
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
    state = _state(request)
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
    journey = _journey(state.workspace, name)
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


# -- edit ---------------------------------------------------------------------------
def _editor_context(
    state: WebState,
    name: str,
    *,
    values: dict[str, str] | None,
    result: EditResult | None,
) -> dict[str, Any]:
    text = state.workspace.read(name)
    try:
        journey = _journey(state.workspace, name)
        form = journey.model_dump(mode="json", exclude_none=True)
    except MapError as exc:  # a hand edit broke it: only the YAML editor helps
        form = None
        result = result or EditResult(text, errors_by_field([exc]))
    return {
        "name": name,
        "form": form,
        "values": values or {},
        "errors": result.errors if result else {},
        "yaml": result.text if result and not result.ok else text,
        "version": state.workspace.blob(name),
        "saved": None,
    }


@router.get("/maps/{name}/edit", include_in_schema=False)
def edit_page(request: Request, user: Editor, name: str) -> Response:
    return render(
        request,
        "edit.html",
        _editor_context(_state(request), name, values=None, result=None),
    )


def _save_checked(
    state: WebState,
    db: Session,
    user: User,
    name: str,
    result: EditResult,
    *,
    base_version: str,
    message: str,
) -> str | None:
    """Commit a valid edit made on the current version; the commit, or None when the
    map changed meanwhile (the caller reports the conflict)."""
    if state.workspace.blob(name) != base_version:
        result.errors.setdefault("", []).append(
            "someone saved this map after you opened it; reload to see their version"
        )
        return None
    commit = state.workspace.save(
        name, result.text, author=user.username, message=message
    )
    record(db, user, "map.save", name, commit[:10])
    db.commit()
    return commit


@router.post("/maps/{name}/edit", include_in_schema=False)
async def edit_form(request: Request, db: DB, user: Editor, name: str) -> Response:
    state = _state(request)
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    base_version = values.pop("version", "")
    result = apply_edits(state.workspace.read(name), values, file=f"maps/{name}.yaml")
    commit = None
    if result.ok:
        commit = _save_checked(
            state,
            db,
            user,
            name,
            result,
            base_version=base_version,
            message=f"Edit {name}",
        )
    if commit is not None:
        return RedirectResponse(
            f"/maps/{name}/edit?saved={commit[:10]}", status_code=303
        )
    context = _editor_context(state, name, values=values, result=result)
    return render(request, "edit.html", context, status=400)


@router.post("/maps/{name}/yaml", include_in_schema=False)
def edit_yaml_form(
    request: Request,
    db: DB,
    user: Editor,
    name: str,
    text: Annotated[str, Form(max_length=2_000_000)],
    version: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    state = _state(request)
    text = text.replace("\r\n", "\n")
    result = _validated(name, text)
    if result.ok and _save_checked(
        state,
        db,
        user,
        name,
        result,
        base_version=version,
        message=f"Edit {name} (YAML)",
    ):
        return RedirectResponse(f"/maps/{name}/edit", status_code=303)
    context = _editor_context(state, name, values=None, result=result)
    context["yaml"] = text
    return render(request, "edit.html", context, status=400)


def _validated(name: str, text: str) -> EditResult:
    from journeymap.model.spec import validate_map_text

    return EditResult(
        text, errors_by_field(validate_map_text(text, file=f"maps/{name}.yaml"))
    )


class MapText(BaseModel):
    text: str = Field(max_length=2_000_000, description="the whole map as YAML")
    version: str = Field(
        max_length=64,
        description="the version (GET /api/maps/NAME) the edit is based on",
    )


@router.put("/api/maps/{name}", tags=["maps"])
def save_map_json(
    request: Request, body: MapText, db: DB, user: Editor, name: str
) -> Response:
    """Replace the map's YAML (validated; one commit). 409 when it changed meanwhile."""
    state = _state(request)
    state.workspace.read(name)  # 404 for an unknown map
    result = _validated(name, body.text)
    if not result.ok:
        return JSONResponse({"errors": result.errors}, status_code=422)
    commit = _save_checked(
        state,
        db,
        user,
        name,
        result,
        base_version=body.version,
        message=f"Edit {name} (API)",
    )
    if commit is None:
        return JSONResponse({"errors": result.errors}, status_code=409)
    return JSONResponse({"name": name, "commit": commit})


# -- history ------------------------------------------------------------------------
def _history(state: WebState, name: str) -> dict[str, Any]:
    state.workspace.read(name)
    return {
        "name": name,
        "versions": [v.to_dict() for v in state.workspace.history(name)],
    }


@router.get("/maps/{name}/history", include_in_schema=False)
def history_page(request: Request, user: Viewer, name: str) -> Response:
    return render(request, "history.html", _history(_state(request), name))


@router.get("/api/maps/{name}/history", tags=["maps"])
def history_json(request: Request, user: Viewer, name: str) -> dict[str, Any]:
    """Every commit that changed the map, newest first (browser and hand edits)."""
    return _history(_state(request), name)


def _version(state: WebState, name: str, commit: str) -> dict[str, Any]:
    return {
        "name": name,
        "commit": commit,
        "diff": state.workspace.diff(name, commit),
        "text": state.workspace.read(name, commit),
    }


@router.get("/maps/{name}/versions/{commit}", include_in_schema=False)
def version_page(request: Request, user: Viewer, name: str, commit: str) -> Response:
    return render(request, "version.html", _version(_state(request), name, commit))


@router.get("/api/maps/{name}/versions/{commit}", tags=["maps"])
def version_json(
    request: Request, user: Viewer, name: str, commit: str
) -> dict[str, Any]:
    """The map as of one commit, and what that commit changed."""
    return _version(_state(request), name, commit)


@router.post("/maps/{name}/versions/{commit}/restore", include_in_schema=False)
@router.post("/api/maps/{name}/versions/{commit}/restore", tags=["maps"])
def restore(request: Request, db: DB, user: Editor, name: str, commit: str) -> Response:
    """Make an old version current again (a new commit; history is kept)."""
    state = _state(request)
    text = state.workspace.read(name, commit)
    new = state.workspace.save(
        name, text, author=user.username, message=f"Restore {name} to {commit[:10]}"
    )
    record(db, user, "map.restore", name, f"{commit[:10]} -> {new[:10]}")
    db.commit()
    if wants_json(request):
        return JSONResponse({"name": name, "commit": new})
    return RedirectResponse(f"/maps/{name}/history", status_code=303)


class Duplicate(BaseModel):
    name: str = Field(pattern=f"^{MAP_NAME.pattern}$")


def _duplicate(
    state: WebState, db: Session, user: User, name: str, new_name: str
) -> None:
    if state.workspace.exists(new_name):
        raise MapError(f"a map named {new_name!r} exists")
    journey, document = _document(state.workspace.read(name), name)
    document["state"] = "future"
    document["current_map"] = f"{name}.yaml"
    document["name"] = f"{journey.name} (future)"
    state.workspace.save(
        new_name,
        _dumps(document),
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
    _duplicate(_state(request), db, user, name, body.name)
    return RedirectResponse(f"/maps/{body.name}", status_code=303)


@router.post("/api/maps/{name}/duplicate", tags=["maps"], status_code=201)
def duplicate_json(
    request: Request, body: Duplicate, db: DB, user: Editor, name: str
) -> dict[str, str]:
    """Copy the map as a future-state map that names this one as its current map."""
    _duplicate(_state(request), db, user, name, body.name)
    return {"name": body.name}


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
    state = _state(request)
    journey = _journey(state.workspace, name)
    dataset = _dataset(state, data)
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
    """Write the export once per (map version, data version) into the cache."""
    if dataset is None:
        folder = (
            state.workspace.cache_dir
            / f"{name}@{state.workspace.blob(name)[:16]}-nodata"
        )
        folder.mkdir(parents=True, exist_ok=True)
        measured = None
    else:
        measured, folder = state.measurements.measured(
            name, journey, dataset, Filters()
        )
    path = folder / f"export-{fmt}{suffix}"
    if path.is_file():
        return path
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
    future = _journey(state.workspace, name)
    current_name = _current_of(state, name, future)
    current = _journey(state.workspace, current_name)
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
    found = _compare(_state(request), name, data)
    for view in found["views"].values():
        view["svg"] = _inline_svg(view["svg"])
    return render(request, "compare.html", found)


@router.get("/api/maps/{name}/compare", tags=["maps"])
def compare_json(
    request: Request, user: Viewer, name: str, data: str | None = None
) -> dict[str, Any]:
    """A future-state map beside its current map: stages and cards added or removed,
    and both maps measured on the same data version."""
    found = _compare(_state(request), name, data)
    for view in found["views"].values():
        view.pop("svg")
    return found
