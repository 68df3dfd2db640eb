"""Alembic environment: run on the connection :func:`journeymap.web.db.migrate` hands in."""

from __future__ import annotations

from alembic import context

from journeymap.web.db import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata)
with context.begin_transaction():
    context.run_migrations()
