"""The Alembic migrations build exactly the schema the models describe, on SQLite and
PostgreSQL, and running them again changes nothing."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from journeymap.web.db import Base, default_url, migrate, open_database


def test_migrations_match_the_models(tmp_path: Path, db_url: str | None) -> None:
    url = db_url or default_url(tmp_path)
    (tmp_path / ".journeymap").mkdir()
    engine = open_database(url)
    migrate(engine)  # a second run is a no-op
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection), Base.metadata
        )
        tables = set(inspect(connection).get_table_names())
    assert differences == []
    assert {"users", "api_tokens", "comments", "share_links", "audit_log"} <= tables
    assert "alembic_version" in tables
    engine.dispose()
