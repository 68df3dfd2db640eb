"""L4: the self-hosted web app (``journeymap serve``; extra ``web``).

FastAPI, Jinja2 (autoescaped) and a vendored htmx; maps live as YAML in the
workspace's git repository, everything else in a SQLAlchemy database. See
docs/reference/web.md. Importing this package imports no web library; they load in
:func:`serve` and :func:`journeymap.web.app.create_app`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from journeymap.web.settings import WebSettings


def create_app(settings: WebSettings) -> FastAPI:
    """The web app for ``settings`` (workspace, database URL, limits)."""
    from journeymap.web.app import create_app as _create_app

    return _create_app(settings)
