"""Versions of a map: the in-place editor and the YAML editor (each save is one git
commit by the signed-in user), history, diff and restore."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from journeymap.errors import MapError
from journeymap.web.app import WebState, render, wants_json
from journeymap.web.audit import record
from journeymap.web.auth import db_session, require
from journeymap.web.db import User
from journeymap.web.editing import EditResult, apply_edits, errors_by_field
from journeymap.web.maps import load_journey, web_state

router = APIRouter()
DB = Annotated[Session, Depends(db_session)]
Viewer = Annotated[User, Depends(require("viewer"))]
Editor = Annotated[User, Depends(require("editor"))]


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
        journey = load_journey(state.workspace, name)
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
        _editor_context(web_state(request), name, values=None, result=None),
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
    state = web_state(request)
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
    state = web_state(request)
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
    state = web_state(request)
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
    return render(request, "history.html", _history(web_state(request), name))


@router.get("/api/maps/{name}/history", tags=["maps"])
def history_json(request: Request, user: Viewer, name: str) -> dict[str, Any]:
    """Every commit that changed the map, newest first (browser and hand edits)."""
    return _history(web_state(request), name)


def _version(state: WebState, name: str, commit: str) -> dict[str, Any]:
    return {
        "name": name,
        "commit": commit,
        "diff": state.workspace.diff(name, commit),
        "text": state.workspace.read(name, commit),
    }


@router.get("/maps/{name}/versions/{commit}", include_in_schema=False)
def version_page(request: Request, user: Viewer, name: str, commit: str) -> Response:
    return render(request, "version.html", _version(web_state(request), name, commit))


@router.get("/api/maps/{name}/versions/{commit}", tags=["maps"])
def version_json(
    request: Request, user: Viewer, name: str, commit: str
) -> dict[str, Any]:
    """The map as of one commit, and what that commit changed."""
    return _version(web_state(request), name, commit)


@router.post("/maps/{name}/versions/{commit}/restore", include_in_schema=False)
@router.post("/api/maps/{name}/versions/{commit}/restore", tags=["maps"])
def restore(request: Request, db: DB, user: Editor, name: str, commit: str) -> Response:
    """Make an old version current again (a new commit; history is kept)."""
    state = web_state(request)
    text = state.workspace.read(name, commit)
    new = state.workspace.save(
        name, text, author=user.username, message=f"Restore {name} to {commit[:10]}"
    )
    record(db, user, "map.restore", name, f"{commit[:10]} -> {new[:10]}")
    db.commit()
    if wants_json(request):
        return JSONResponse({"name": name, "commit": new})
    return RedirectResponse(f"/maps/{name}/history", status_code=303)
