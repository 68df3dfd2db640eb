"""Signing in and out, accounts, API tokens and (for admins) users and the schema."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from journeymap.web.app import render, wants_json
from journeymap.web.audit import record
from journeymap.web.auth import (
    ForbiddenError,
    SigninThrottle,
    authenticate,
    check_new_password,
    create_api_token,
    create_signin_link,
    db_session,
    hash_password,
    public_csrf,
    require,
    session_stamp,
    signed_in,
    use_signin_link,
    user_dict,
)
from journeymap.web.db import ROLES, ApiToken, User
from journeymap.web.workspace import WorkspaceError

router = APIRouter()
DB = Annotated[Session, Depends(db_session)]
Viewer = Annotated[User, Depends(require("viewer"))]
Admin = Annotated[User, Depends(require("admin"))]
USERNAME = r"^[a-z0-9][a-z0-9._-]{0,63}$"


def _safe_next(target: str) -> str:
    """Only a path on this site (never ``//host`` or a scheme) after signing in."""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/maps"


def _start_session(request: Request, user: User) -> None:
    request.session.clear()  # a new session id and CSRF token: no session fixation
    request.session["uid"] = user.id
    request.session["stamp"] = session_stamp(user)


# -- public -----------------------------------------------------------------------
@router.get("/signin", include_in_schema=False)
def signin_page(request: Request, next: str = "/maps") -> Response:
    return render(request, "signin.html", {"next": _safe_next(next), "error": None})


@router.post("/signin", include_in_schema=False, dependencies=[Depends(public_csrf)])
def signin(
    request: Request,
    db: DB,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=500)] = "/maps",
) -> Response:
    name = username.strip().lower()
    address = request.client.host if request.client else ""
    throttle: SigninThrottle = request.app.state.web.throttle
    if throttle.blocked(address, name):
        error = "too many failed sign-ins; wait 15 minutes or ask an admin for a link"
        context = {"next": _safe_next(next), "error": error}
        return render(request, "signin.html", context, status=429)
    user = authenticate(db, name, password)
    if user is None:
        throttle.failed(address, name)
        record(db, None, "signin.failed", username[:64])
        db.commit()
        context = {"next": _safe_next(next), "error": "wrong name or password"}
        return render(request, "signin.html", context, status=401)
    throttle.succeeded(address, name)
    _start_session(request, user)
    record(db, user, "signin", user.username)
    db.commit()
    return RedirectResponse(_safe_next(next), status_code=303)


@router.get("/signin/link/{secret}", include_in_schema=False)
def signin_link(request: Request, db: DB, secret: str) -> Response:
    user = use_signin_link(db, secret)
    if user is None:
        message = (
            "this sign-in link is unknown, used or expired; ask an admin for a new one"
        )
        return render(request, "error.html", {"message": message}, status=403)
    _start_session(request, user)
    record(db, user, "signin.link", user.username)
    db.commit()
    return RedirectResponse("/account?new=1", status_code=303)


# -- signed in --------------------------------------------------------------------
@router.post("/signout", include_in_schema=False)
def signout(request: Request, user: Viewer) -> Response:
    request.session.clear()
    return RedirectResponse("/signin", status_code=303)


@router.get("/", include_in_schema=False)
def home(user: Viewer) -> Response:
    return RedirectResponse("/maps", status_code=303)


def _account(db: Session, user: User) -> dict[str, Any]:
    tokens = db.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
        .order_by(ApiToken.id)
    ).all()
    return {
        "account": user_dict(user),
        "has_password": user.password_hash is not None,
        "tokens": [
            {"id": t.id, "name": t.name, "created_at": str(t.created_at)[:16]}
            for t in tokens
        ],
    }


@router.get("/account", include_in_schema=False)
def account_page(request: Request, db: DB, user: Viewer, new: int = 0) -> Response:
    context = _account(db, user) | {"new": bool(new), "created_token": None}
    return render(request, "account.html", context)


@router.get("/api/account", tags=["account"])
def account_json(db: DB, user: Viewer) -> dict[str, Any]:
    """The signed-in user and their API tokens (names only)."""
    return _account(db, user)


@router.post("/account/password", include_in_schema=False)
def set_password(
    request: Request,
    db: DB,
    user: Viewer,
    password: Annotated[str, Form(max_length=256)],
) -> Response:
    problem = check_new_password(password)
    if problem is not None:
        context = _account(db, user) | {"new": False, "created_token": None}
        context["password_error"] = problem
        return render(request, "account.html", context, status=400)
    account = db.get(User, user.id)  # the signed-in user was loaded by another session
    assert account is not None
    account.password_hash = hash_password(password)
    record(db, user, "password.set", user.username)
    db.commit()
    request.session["stamp"] = session_stamp(account)  # this session stays signed in
    return RedirectResponse("/account", status_code=303)


class TokenRequest(BaseModel):
    name: str = Field(min_length=1, max_length=100)


@router.post("/account/tokens", include_in_schema=False)
def create_token_form(
    request: Request, db: DB, user: Viewer, name: Annotated[str, Form(max_length=100)]
) -> Response:
    secret = create_api_token(db, user, name.strip() or "token")
    record(db, user, "token.create", name[:100])
    db.commit()
    context = _account(db, user) | {"new": False, "created_token": secret}
    return render(request, "account.html", context)


@router.post("/api/account/tokens", tags=["account"])
def create_token_json(body: TokenRequest, db: DB, user: Viewer) -> dict[str, str]:
    """A new API token; its secret is shown this once (only its hash is stored)."""
    secret = create_api_token(db, user, body.name)
    record(db, user, "token.create", body.name)
    db.commit()
    return {"name": body.name, "token": secret}


@router.post("/account/tokens/{token_id}/revoke", include_in_schema=False)
@router.post("/api/account/tokens/{token_id}/revoke", tags=["account"])
def revoke_token(request: Request, db: DB, user: Viewer, token_id: int) -> Response:
    """Revoke one of your API tokens."""
    token = db.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise WorkspaceError(f"no token {token_id} of yours")
    token.revoked = True
    record(db, user, "token.revoke", token.name)
    db.commit()
    if wants_json(request):
        return JSONResponse({"revoked": token_id})
    return RedirectResponse("/account", status_code=303)


# -- admin --------------------------------------------------------------------------
def _users(db: Session) -> list[dict[str, Any]]:
    users = db.scalars(select(User).order_by(User.username, User.id)).all()
    return [user_dict(u) | {"active": u.active} for u in users]


@router.get("/users", include_in_schema=False)
def users_page(request: Request, db: DB, user: Admin) -> Response:
    context = {"users": _users(db), "roles": ROLES, "link": None, "error": None}
    return render(request, "users.html", context)


@router.get("/api/users", tags=["admin"])
def users_json(db: DB, user: Admin) -> dict[str, Any]:
    """Every user with their role (admins only)."""
    return {"users": _users(db)}


class NewUser(BaseModel):
    username: str = Field(pattern=USERNAME)
    role: str = Field(pattern="^(viewer|editor|admin)$")


def _add_user(request: Request, db: Session, admin: User, new: NewUser) -> str:
    """Create the user and return the path of their one-time sign-in link."""
    if db.scalar(select(User).where(User.username == new.username)) is not None:
        raise WorkspaceError(f"a user named {new.username!r} exists")
    created = User(username=new.username, role=new.role)
    db.add(created)
    db.flush()
    ttl_s = request.app.state.web.settings.signin_link_ttl_s
    secret = create_signin_link(db, created, ttl_s=ttl_s)
    record(db, admin, "user.create", new.username, new.role)
    db.commit()
    return f"/signin/link/{secret}"


@router.post("/users", include_in_schema=False)
def add_user_form(
    request: Request,
    db: DB,
    user: Admin,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=16)],
) -> Response:
    try:
        new = NewUser(username=username.strip().lower(), role=role)
    except ValueError:
        error = "a name of lower-case letters, digits, '.', '_' or '-', and a role"
        context = {"users": _users(db), "roles": ROLES, "link": None, "error": error}
        return render(request, "users.html", context, status=400)
    link = _add_user(request, db, user, new)
    context = {"users": _users(db), "roles": ROLES, "link": link, "error": None}
    return render(request, "users.html", context)


@router.post("/api/users", tags=["admin"])
def add_user_json(
    request: Request, body: NewUser, db: DB, user: Admin
) -> dict[str, str]:
    """Create a user; the answer holds their one-time sign-in link (admins only)."""
    return {
        "username": body.username,
        "signin_link": _add_user(request, db, user, body),
    }


class UserChange(BaseModel):
    role: str = Field(pattern="^(viewer|editor|admin)$")
    active: bool = True


def _change_user(db: Session, admin: User, user_id: int, change: UserChange) -> None:
    target = db.get(User, user_id)
    if target is None:
        raise WorkspaceError(f"no user {user_id}")
    if target.id == admin.id and (change.role != "admin" or not change.active):
        raise ForbiddenError("you cannot demote or deactivate yourself")
    target.role, target.active = change.role, change.active
    record(
        db,
        admin,
        "user.change",
        target.username,
        f"{change.role} active={change.active}",
    )
    db.commit()


@router.post("/users/{user_id}", include_in_schema=False)
def change_user_form(
    request: Request,
    db: DB,
    user: Admin,
    user_id: int,
    role: Annotated[str, Form(max_length=16)],
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    _change_user(db, user, user_id, UserChange(role=role, active=active == "on"))
    return RedirectResponse("/users", status_code=303)


@router.post("/api/users/{user_id}", tags=["admin"])
def change_user_json(
    body: UserChange, db: DB, user: Admin, user_id: int
) -> dict[str, Any]:
    """Change a user's role, or deactivate them (admins only; not yourself)."""
    _change_user(db, user, user_id, body)
    return {"id": user_id, "role": body.role, "active": body.active}


@router.get("/api/openapi.json", include_in_schema=False)
def openapi(
    request: Request, user: Annotated[User, Depends(signed_in)]
) -> JSONResponse:
    return JSONResponse(request.app.openapi())
