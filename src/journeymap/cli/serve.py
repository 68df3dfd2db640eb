"""`journeymap serve`: the self-hosted web app on a workspace folder (extra ``web``)."""

from __future__ import annotations

import importlib.util
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from journeymap.cli._common import console
from journeymap.errors import MissingExtraError

WEB_MODULES = ("fastapi", "uvicorn", "jinja2", "sqlalchemy", "alembic", "argon2")


def serve(
    workspace: Annotated[
        Path,
        typer.Option(
            "--workspace",
            "-w",
            help="Folder holding maps/ (a git repository), data and the database; "
            "created when missing.",
            envvar="JOURNEYMAP_WORKSPACE",
        ),
    ],
    host: Annotated[
        str,
        typer.Option(
            "--host", help="Address to bind; the default serves this machine only."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database URL, e.g. postgresql://user@host/db "
            "(default: SQLite in WORKSPACE/.journeymap/app.db).",
            envvar="JOURNEYMAP_DB",
        ),
    ] = None,
    max_upload_mb: Annotated[
        int, typer.Option("--max-upload-mb", min=1, help="Largest upload accepted.")
    ] = 200,
    secure_cookies: Annotated[
        bool,
        typer.Option(
            "--secure-cookies", help="Send the session cookie over HTTPS only."
        ),
    ] = False,
) -> None:
    """Serve the web app: view, edit, measure and share the workspace's maps."""
    missing = [m for m in WEB_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        raise MissingExtraError(
            f'serve needs {", ".join(missing)}: pip install "journeymap[web]"'
        )
    import uvicorn

    from journeymap.web.app import bootstrap_admin, create_app
    from journeymap.web.settings import WebSettings

    settings = WebSettings(
        workspace=workspace,
        db_url=db,
        max_upload_bytes=max_upload_mb * 1024 * 1024,
        secure_cookies=secure_cookies,
    )
    _check_usable(workspace, host, port)
    app = _create(create_app, settings)
    secret = bootstrap_admin(app)
    base = f"http://{host}:{port}"
    if secret is not None:
        console.print(
            "First start: sign in as [bold]admin[/bold] with this one-time link "
            f"(valid 24 h), then set a password:\n  {base}/signin/link/{secret}"
        )
    console.print(f"journeymap serving {workspace} at {base} (Ctrl-C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _check_usable(workspace: Path, host: str, port: int) -> None:
    """Refuse at once, in one line, what would fail later with a traceback."""
    if workspace.exists() and not workspace.is_dir():
        raise typer.BadParameter(
            f"{workspace} is a file, not a folder", param_hint="--workspace"
        )
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise typer.BadParameter(
                f"cannot listen on {host}:{port} ({exc.strerror}); pass another --port",
                param_hint="--port",
            ) from None


def _create(create_app: Callable[[Any], Any], settings: Any) -> Any:
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return create_app(settings)
    except SQLAlchemyError as exc:
        first = str(exc).strip().splitlines()[0]
        raise typer.BadParameter(
            f"cannot use the database: {first}", param_hint="--db"
        ) from None


def register(app: typer.Typer) -> None:
    app.command()(serve)
