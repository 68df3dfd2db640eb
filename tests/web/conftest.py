"""The web app on a real workspace (git) and a real database: SQLite, and PostgreSQL
when its server binaries are installed (a throwaway cluster per test session)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi import FastAPI
from fastapi.testclient import TestClient

from journeymap.web.app import create_app
from journeymap.web.auth import hash_password
from journeymap.web.db import User
from journeymap.web.settings import WebSettings

PASSWORD = "correct horse battery staple"
ROLES = ("viewer", "editor", "admin")
# Debian's server binaries, newest major version first (.ci/run installs them)
PG_BINS = sorted(
    Path("/usr/lib/postgresql").glob("*/bin/initdb"),
    key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    reverse=True,
)
PG_BIN = PG_BINS[0].parent if PG_BINS else Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL 15 server on a free loopback port, for this test session."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip("PostgreSQL 15 server binaries are not installed")
    folder = Path(tempfile.mkdtemp(prefix="jm-web-pg-"))
    port = free_port()
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(folder, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    subprocess.run(
        [
            *as_postgres,
            str(PG_BIN / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "jm",
        ],
        check=True,
        capture_output=True,
    )
    options = f"-k {folder} -h 127.0.0.1 -p {port}"
    pg_ctl = [*as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(data)]
    subprocess.run(
        [*pg_ctl, "-o", options, "-l", str(folder / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://jm@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


_databases = 0


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """None (SQLite in the workspace), or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    server: str = request.getfixturevalue("postgres_server")
    import psycopg

    global _databases
    _databases += 1
    name = f"web_{os.getpid()}_{_databases}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # name built above, not user input
    return server.rsplit("/", 1)[0] + f"/{name}"


@dataclass
class Site:
    """An app with one user per role; ``client(role)`` is signed in as that role."""

    app: FastAPI
    workspace: Path

    def client(self, role: str | None = None) -> TestClient:
        client = TestClient(self.app)
        if role is not None:
            page = client.get("/signin")
            response = client.post(
                "/signin",
                data={
                    "username": role,
                    "password": PASSWORD,
                    "csrf_token": csrf_of(page.text),
                },
                follow_redirects=False,
            )
            assert response.status_code == 303, response.text
        return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def make_site(workspace: Path, db_url: str | None = None, **settings: Any) -> Site:
    # measuring after an upload runs in a background thread; only the test of it asks
    options = {"measure_after_upload": False} | settings
    app = create_app(WebSettings(workspace=workspace, db_url=db_url, **options))
    with app.state.web.sessions() as db:
        for role in ROLES:
            db.add(
                User(username=role, role=role, password_hash=hash_password(PASSWORD))
            )
        db.commit()
    return Site(app, workspace)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(tmp_path / "ws")


class Browserish:
    """A signed-in client that sends the page's CSRF token with each change."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf = csrf_of(client.get("/account").text)

    def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.client.post(
            url, data={"csrf_token": self.csrf, **(data or {})}, **kw
        )

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, **kw)


@pytest.fixture
def editor(site: Site) -> Browserish:
    return Browserish(site.client("editor"))


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from journeymap.demo import write_demo_data

    return write_demo_data(tmp_path_factory.mktemp("demo"), customers=300, seed=3)
