"""Working together: card evidence and comments, share links, reviews, audit log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

import journeymap as jm
from journeymap.web.app import WebState, render, wants_json
from journeymap.web.audit import recent_entries, record
from journeymap.web.auth import db_session, digest, new_secret, require
from journeymap.web.datasets import Filters, list_datasets
from journeymap.web.db import Comment, ShareLink, User, utcnow
from journeymap.web.maps import map_summary, parse_map
from journeymap.web.workspace import WorkspaceError

router = APIRouter()
DB = Annotated[Session, Depends(db_session)]
Viewer = Annotated[User, Depends(require("viewer"))]
Editor = Annotated[User, Depends(require("editor"))]
Admin = Annotated[User, Depends(require("admin"))]


def _card(state: WebState, name: str, card_id: str) -> dict[str, Any]:
    """A card of the map with its measured evidence (numbers, quotes), if measured."""
    journey = parse_map(state.workspace.read(name), f"maps/{name}.yaml")
    for stage in journey.stages:
        for kind, cards in (
            ("pain point", stage.pain_points),
            ("opportunity", stage.opportunities),
        ):
            for card in cards:
                if card.id == card_id:
                    found = card.model_dump(mode="json", exclude_none=True)
                    return {
                        "kind": kind,
                        "stage": stage.name,
                        "card": found,
                        "evidence": _evidence(state, name, journey, card_id),
                    }
    raise WorkspaceError(f"no card {card_id[:80]!r} in map {name!r}")


def _evidence(
    state: WebState, name: str, journey: jm.JourneyMap, card_id: str
) -> dict[str, Any] | None:
    datasets = list_datasets(state.workspace)
    if not datasets:
        return None
    measured, _svg = state.measurements.result(name, journey, datasets[0], Filters())
    for verdict in measured.get("pain_points") or []:
        if verdict.get("id") == card_id:
            return {
                "data": datasets[0].id,
                "verdict": verdict.get("verdict"),
                "summary": verdict.get("summary"),
                "reason": verdict.get("reason"),
                "impact": verdict.get("impact"),
                "q_value": verdict.get("q_value"),
                "test": verdict.get("test"),
                "groups": _groups(verdict.get("test")),
                "quotes": _quotes(measured, verdict.get("touchpoint_id")),
            }
    return None


def _groups(test: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The tested group and its comparison: who, how many, how many showed it."""
    if not test:
        return []
    return [
        {key: test[side].get(key) for key in ("label", "units", "events", "rate")}
        for side in ("exposed", "comparison")
        if isinstance(test.get(side), dict)
    ]


def _quotes(measured: dict[str, Any], touchpoint_id: str | None) -> list[str]:
    """Customers' own words at the card's touchpoint (its characteristic negative
    phrases, one quote each), at most five."""
    phrases = (measured.get("phrases") or {}).get("touchpoints") or {}
    found = (phrases.get(touchpoint_id or "") or {}).get("negative") or []
    quotes = [str(p["quote"]) for p in found if p.get("quote")]
    return list(dict.fromkeys(quotes))[:5]


def _comments(db: Session, name: str, card_id: str) -> list[dict[str, Any]]:
    rows = db.execute(
        select(Comment, User.username)
        .join(User, Comment.author_id == User.id)
        .where(Comment.map_name == name, Comment.card_id == card_id)
        .order_by(Comment.created_at, Comment.id)
    ).all()
    return [
        {
            "id": c.id,
            "author": username,
            "body": c.body,
            "at": c.created_at.strftime("%Y-%m-%d %H:%M"),
        }
        for c, username in rows
    ]


def _card_view(state: WebState, db: Session, name: str, card_id: str) -> dict[str, Any]:
    return (
        {"name": name}
        | _card(state, name, card_id)
        | {"comments": _comments(db, name, card_id)}
    )


@router.get("/maps/{name}/cards/{card_id}", include_in_schema=False)
def card_panel(
    request: Request, db: DB, user: Viewer, name: str, card_id: str
) -> Response:
    # htmx asks for the panel alone; a plain link (or a reload) gets a whole page
    template = "card.html" if request.headers.get("hx-request") else "card_page.html"
    view = _card_view(request.app.state.web, db, name, card_id)
    return render(request, template, view)


@router.get("/api/maps/{name}/cards/{card_id}", tags=["collaboration"])
def card_json(
    request: Request, db: DB, user: Viewer, name: str, card_id: str
) -> dict[str, Any]:
    """A card, its measured evidence and its comments."""
    return _card_view(request.app.state.web, db, name, card_id)


class NewComment(BaseModel):
    body: str = Field(min_length=1, max_length=5000)


def _add_comment(
    state: WebState, db: Session, user: User, name: str, card_id: str, body: str
) -> None:
    _card(state, name, card_id)  # 404 for an unknown card
    db.add(Comment(map_name=name, card_id=card_id, author_id=user.id, body=body))
    record(db, user, "comment.add", f"{name}/{card_id}")
    db.commit()


@router.post("/maps/{name}/cards/{card_id}/comments", include_in_schema=False)
def comment_form(
    request: Request,
    db: DB,
    user: Viewer,
    name: str,
    card_id: str,
    body: Annotated[str, Form(min_length=1, max_length=5000)],
) -> Response:
    state = request.app.state.web
    _add_comment(state, db, user, name, card_id, body)
    return render(request, "card.html", _card_view(state, db, name, card_id))


@router.post(
    "/api/maps/{name}/cards/{card_id}/comments", tags=["collaboration"], status_code=201
)
def comment_json(
    request: Request, body: NewComment, db: DB, user: Viewer, name: str, card_id: str
) -> dict[str, Any]:
    """Comment on a card (every role may comment)."""
    state = request.app.state.web
    _add_comment(state, db, user, name, card_id, body.body)
    return {"comments": _comments(db, name, card_id)}


# -- share links --------------------------------------------------------------------
@router.post("/maps/{name}/share", include_in_schema=False)
@router.post("/api/maps/{name}/share", tags=["collaboration"], status_code=201)
def share(request: Request, db: DB, user: Editor, name: str) -> Response:
    """A read-only link to the map's drawing, valid for the configured time."""
    state: WebState = request.app.state.web
    state.workspace.read(name)
    secret = new_secret()
    expires = utcnow() + dt.timedelta(seconds=state.settings.share_link_ttl_s)
    db.add(
        ShareLink(
            map_name=name,
            token_hash=digest(secret),
            created_by=user.id,
            expires_at=expires,
        )
    )
    record(db, user, "share.create", name, f"until {expires:%Y-%m-%d}")
    db.commit()
    link = {
        "url": f"/share/{secret}",
        "expires_at": expires.strftime("%Y-%m-%d %H:%M UTC"),
    }
    if wants_json(request):
        return JSONResponse(link, status_code=201)
    response = render(request, "share_result.html", link)
    response.headers["HX-Trigger"] = "shared"  # the list of links reloads
    return response


def share_links(db: Session, name: str) -> list[dict[str, Any]]:
    """The map's share links that still work (their secrets are not stored)."""
    rows = db.execute(
        select(ShareLink, User.username)
        .join(User, ShareLink.created_by == User.id)
        .where(
            ShareLink.map_name == name,
            ShareLink.revoked.is_(False),
            ShareLink.expires_at >= utcnow(),
        )
        .order_by(ShareLink.expires_at, ShareLink.id)
    ).all()
    return [
        {
            "id": link.id,
            "by": username,
            "expires_at": f"{link.expires_at:%Y-%m-%d %H:%M} UTC",
        }
        for link, username in rows
    ]


@router.get("/maps/{name}/shares", include_in_schema=False)
def shares_panel(request: Request, db: DB, user: Editor, name: str) -> Response:
    request.app.state.web.workspace.read(name)
    return render(
        request, "shares.html", {"name": name, "shares": share_links(db, name)}
    )


@router.get("/api/maps/{name}/shares", tags=["collaboration"])
def shares_json(request: Request, db: DB, user: Editor, name: str) -> dict[str, Any]:
    """The map's working share links (who made them, until when)."""
    request.app.state.web.workspace.read(name)
    return {"shares": share_links(db, name)}


@router.post("/maps/{name}/shares/{share_id}/revoke", include_in_schema=False)
@router.post("/api/maps/{name}/shares/{share_id}/revoke", tags=["collaboration"])
def revoke_share(
    request: Request, db: DB, user: Editor, name: str, share_id: int
) -> Response:
    """Stop a share link from working."""
    link = db.get(ShareLink, share_id)
    if link is None or link.map_name != name:
        raise WorkspaceError(f"no share link {share_id} for map {name!r}")
    link.revoked = True
    record(db, user, "share.revoke", name, str(share_id))
    db.commit()
    if wants_json(request):
        return JSONResponse({"revoked": share_id})
    return RedirectResponse(f"/maps/{name}", status_code=303)


def _shared_map(db: Session, secret: str) -> str | None:
    link = db.scalar(select(ShareLink).where(ShareLink.token_hash == digest(secret)))
    if link is None or link.revoked or link.expires_at < utcnow():
        return None
    return link.map_name


@router.get("/share/{secret}", include_in_schema=False)
def shared(request: Request, db: DB, secret: str) -> Response:
    """Public: the map behind a valid share link, read-only."""
    name = _shared_map(db, secret)
    if name is None:
        message = "this share link is unknown, revoked or expired"
        return render(request, "error.html", {"message": message}, status=403)
    state: WebState = request.app.state.web
    journey = parse_map(state.workspace.read(name), f"maps/{name}.yaml")
    datasets = list_datasets(state.workspace)
    if datasets:
        _measured, svg = state.measurements.result(
            name, journey, datasets[0], Filters()
        )
    else:
        svg = jm.render_map_svg(journey)
    start = svg.find("<svg")
    return render(
        request, "shared.html", {"title": journey.name, "svg": svg[max(start, 0) :]}
    )


# -- reviews and audit ------------------------------------------------------------
def _reviews(state: WebState) -> dict[str, Any]:
    rows = [map_summary(state, name) for name in state.workspace.map_names()]
    due = [r for r in rows if r.get("review_due")]
    due.sort(key=lambda r: (r["review_due"], r["name"]))
    return {
        "overdue": [r for r in due if r["overdue"]],
        "upcoming": [r for r in due if not r["overdue"]],
    }


@router.get("/reviews", include_in_schema=False)
def reviews_page(request: Request, user: Viewer) -> Response:
    return render(request, "reviews.html", _reviews(request.app.state.web))


@router.get("/api/reviews", tags=["collaboration"])
def reviews_json(request: Request, user: Viewer) -> dict[str, Any]:
    """Maps whose review is overdue, then those with a review date ahead."""
    return _reviews(request.app.state.web)


@router.get("/audit", include_in_schema=False)
def audit_page(request: Request, db: DB, user: Admin) -> Response:
    return render(request, "audit.html", {"entries": recent_entries(db)})


@router.get("/api/audit", tags=["admin"])
def audit_json(db: DB, user: Admin) -> dict[str, Any]:
    """The newest 200 audit entries (admins only)."""
    return {"entries": recent_entries(db)}
