"""The web app's settings, declared once (docs/reference/web.md lists each one)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path


@dataclass(frozen=True)
class WebSettings:
    """How ``journeymap serve`` runs; every field is documented in docs/reference/web.md."""

    workspace: Path
    db_url: str | None = None  # None: SQLite at WORKSPACE/.journeymap/app.db
    max_upload_bytes: int = 200 * 1024 * 1024
    session_max_age_s: int = 14 * 24 * 3600
    signin_link_ttl_s: int = 24 * 3600
    share_link_ttl_s: int = 30 * 24 * 3600
    # set behind HTTPS so the cookie is never sent in clear
    secure_cookies: bool = False
    # measure every map on a new upload in the background, so first views are quick
    measure_after_upload: bool = True


def setting_names() -> list[str]:
    return [f.name for f in fields(WebSettings)]
