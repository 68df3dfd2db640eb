"""The FastAPI application: state, middleware, error pages and the routers.

:func:`create_app` builds everything from :class:`WebSettings`; ``journeymap serve``
hands it to uvicorn. Each HTML page has a JSON twin under ``/api/`` (the same handler
data, see :mod:`journeymap.web.pages`), described by ``/api/openapi.json``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from journeymap import __version__
from journeymap.errors import JourneymapError
from journeymap.web.auth import (
    ForbiddenError,
    NotSignedInError,
    SigninThrottle,
    create_signin_link,
    csrf_token,
)
from journeymap.web.datasets import Measurements
from journeymap.web.db import AuditEntry, User, default_url, open_database, sessions
from journeymap.web.settings import WebSettings
from journeymap.web.workspace import Workspace, WorkspaceError

HERE = Path(__file__).resolve().parent
LOG = logging.getLogger("journeymap.web")
HTMX = "htmx-2.0.4.min.js"  # vendored from the htmx.org package, 0BSD licence


@dataclass
class WebState:
    """What every request reaches through ``request.app.state.web``."""

    settings: WebSettings
    workspace: Workspace
    engine: Engine
    sessions: Any
    measurements: Measurements
    templates: Environment
    throttle: SigninThrottle = field(default_factory=SigninThrottle)
    # one background worker: measuring maps on a new upload (see data.upload)
    background: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="jm-measure")
    )


def create_app(settings: WebSettings) -> FastAPI:
    """The web app on a workspace (created when missing) and its database."""
    from journeymap.web import (
        collaboration,
        dashboards,
        data,
        exports,
        maps,
        people,
        versions,
    )

    workspace = Workspace(settings.workspace)
    workspace.initialise()
    engine = open_database(settings.db_url or default_url(workspace.root))
    app = FastAPI(
        title="journeymap",
        version=__version__,
        description="Journey maps as code: view, edit, measure and share them.",
        openapi_url=None,  # served behind sign-in at /api/openapi.json
        docs_url=None,
        redoc_url=None,
    )
    app.state.web = WebState(
        settings=settings,
        workspace=workspace,
        engine=engine,
        sessions=sessions(engine),
        measurements=Measurements(workspace),
        templates=_templates(),
    )
    app.add_middleware(DatabaseSessionMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=_secret_key(workspace),
        session_cookie="journeymap_session",
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_upload_bytes)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (people, maps, versions, exports, dashboards, data, collaboration):
        app.include_router(module.router)
    _add_error_handlers(app)
    return app


def bootstrap_admin(app: FastAPI) -> str | None:
    """On a database without users: create ``admin`` and return a one-time sign-in
    secret for it (the CLI prints the link). None when users exist."""
    state: WebState = app.state.web
    with state.sessions() as db:
        if db.scalar(select(func.count()).select_from(User)):
            return None
        admin = User(username="admin", role="admin")
        db.add(admin)
        db.flush()
        secret = create_signin_link(db, admin, ttl_s=state.settings.signin_link_ttl_s)
        db.add(AuditEntry(action="user.create", target="admin", detail="first start"))
        db.commit()
        return secret


def _secret_key(workspace: Workspace) -> str:
    path = workspace.private_dir / "secret"
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every {{ }} is HTML-escaped; user text never becomes markup
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["htmx"] = HTMX
    env.globals["version"] = __version__
    return env


def render(
    request: Request, template: str, context: dict[str, Any], *, status: int = 200
) -> HTMLResponse:
    """An HTML page; the context also gets the user, the CSRF token and the path."""
    state: WebState = request.app.state.web
    page = state.templates.get_template(template).render(
        request=request,
        user=getattr(request.state, "user", None),
        csrf=csrf_token(request),
        **context,
    )
    return HTMLResponse(page, status_code=status)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotSignedInError)
    async def _not_signed_in(request: Request, _exc: NotSignedInError) -> Response:
        if wants_json(request):
            return JSONResponse(
                {"detail": "sign in or send an API token"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path if request.method == "GET" else "/maps"
        return render(
            request, "signin.html", {"next": target, "error": None}, status=401
        )

    @app.exception_handler(ForbiddenError)
    async def _forbidden(request: Request, exc: ForbiddenError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": exc.reason}, status_code=403)
        return render(request, "error.html", {"message": exc.reason}, status=403)

    @app.exception_handler(WorkspaceError)
    async def _not_found(request: Request, exc: WorkspaceError) -> Response:
        return _error(request, exc.one_line(), 404)

    @app.exception_handler(ValidationError)
    async def _invalid(request: Request, exc: ValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        return _error(request, problems, 400)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        # a bug, not bad input: one line for the person, the traceback for the log
        LOG.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        message = (
            f"internal error ({type(exc).__name__}); the server log has the details"
        )
        return _error(request, message, 500)

    @app.exception_handler(JourneymapError)
    async def _bad_input(request: Request, exc: JourneymapError) -> Response:
        return _error(request, exc.one_line(), 400)


def _error(request: Request, message: str, status: int) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    return render(request, "error.html", {"message": message}, status=status)


class DatabaseSessionMiddleware:
    """Closes the request's database session (opened lazily by ``db_session``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            db = scope.get("state", {}).get("db")
            if db is not None:
                db.close()


class SecurityHeadersMiddleware:
    """Headers that keep pages from being framed, sniffed or running foreign scripts."""

    HEADERS = [
        (
            b"content-security-policy",
            b"default-src 'self'; img-src 'self' data:; style-src 'self' "
            b"'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; "
            b"form-action 'self'; base-uri 'none'",
        ),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
    ]

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _value in headers}
                # a response that sets its own policy keeps it (the sandboxed report)
                headers += [h for h in self.HEADERS if h[0] not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """Refuses request bodies over ``max_bytes`` with 413, by Content-Length before
    reading and by counting while reading (a chunked upload has no length)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._too_large(scope, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _BodyTooLargeError()
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _BodyTooLargeError:
            await self._too_large(scope, send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        message = f"the upload is larger than the limit of {_megabytes(self.max_bytes)}"
        response: Response
        if scope["path"].startswith("/api/"):
            response = JSONResponse({"detail": message}, status_code=413)
        else:  # htmx swaps this fragment in where the upload's result would go
            response = HTMLResponse(f'<p class="error">{message}</p>', status_code=413)
        await response(scope, _no_receive, send)


class _BodyTooLargeError(Exception):
    pass


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def _megabytes(count: int) -> str:
    return (
        f"{count / (1024 * 1024):.1f} MB" if count >= 1024 * 1024 else f"{count} bytes"
    )


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()
