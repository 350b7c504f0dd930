"""Alembic's environment: migrate the connection the caller handed over, in its transaction."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bot.storage.schema import metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations through bot.storage.revisions (`unionbot db upgrade`)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
