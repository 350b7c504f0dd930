"""Schema revisions (Alembic) applied to a database, and the adoption of legacy SQLite files.

A database that Alembic has not seen yet but that holds the hand-written migrations'
`migrations` table (every SQLite data dir made before Alembic) is adopted: the
hand-written migrations it lacks are applied first (bot/storage/migrations.py, as the
store always did), then it is stamped at the revision whose schema equals theirs, then
upgraded like any other. Two processes upgrading at once queue on a lock (SQLite's write
lock, a PostgreSQL advisory lock); the second finds nothing left to do.
"""

from __future__ import annotations

import logging
import sqlite3
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from .engine import describe, is_sqlite, redact, write_transaction
from .migrations import MIGRATIONS, migrate
from .schema import legacy_migrations
from .errors import StoreError

log = logging.getLogger(__name__)

SCRIPT_LOCATION = Path(__file__).resolve().parent / "alembic"

LEGACY_STAMPS: dict[str, str] = {
    "006_conversations": "0001",
    "007_web_articles": "0002",
}
"""The last hand-written migration a legacy database has -> the revision equal to it."""

_UPGRADE_LOCK = 0x756E696F6E  # PostgreSQL advisory lock key held while upgrading


class Revision(BaseModel):
    model_config = ConfigDict(frozen=True)

    revision: str
    doc: str


class UpgradeReport(BaseModel):
    """What an upgrade did: the revision before (None: an empty or legacy database), the
    legacy migrations a legacy database was adopted with, and the revisions applied."""

    model_config = ConfigDict(frozen=True)

    before: str | None
    adopted_at: str | None
    legacy_applied: tuple[str, ...]
    applied: tuple[Revision, ...]
    head: str


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    head = script_directory().get_current_head()
    if head is None:
        raise StoreError("no schema revisions are installed")
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at; None when Alembic has not migrated it."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> UpgradeReport:
    """Bring the database to the newest revision; what was done."""
    try:
        return _upgrade(engine)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot upgrade the database {redact(engine.url)}: {describe(exc)}") from exc
    except sqlite3.Error as exc:  # the legacy migrations run on the driver's connection
        raise StoreError(f"cannot upgrade the database {redact(engine.url)}: {exc}") from exc


def is_current(connection: Connection) -> bool:
    """Whether the schema is the newest without any change: at the head revision, or a
    legacy file whose hand-written migrations stand for it (read-only files are used so)."""
    head = head_revision()
    revision = current_revision(connection)
    if revision is not None:
        return revision == head
    if not inspect(connection).has_table(legacy_migrations.name):
        return False
    try:
        return _legacy_revision(connection) == head
    except StoreError:
        return False


def _upgrade(engine: Engine) -> UpgradeReport:
    head = head_revision()
    with engine.connect() as connection:  # the usual case, without waiting for the write lock
        before = current_revision(connection)
    if before == head:
        return UpgradeReport(before=before, adopted_at=None, legacy_applied=(), applied=(), head=head)
    legacy_applied: tuple[str, ...] = ()
    if is_sqlite(engine) and _is_legacy(engine):
        legacy_applied = _apply_legacy(engine)
    script = script_directory()
    with write_transaction(engine) as connection:
        if not is_sqlite(engine):
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
        before = current_revision(connection)
        adopted_at: str | None = None
        if before is None and inspect(connection).has_table(legacy_migrations.name):
            adopted_at = _legacy_revision(connection)
            command.stamp(_config(connection), adopted_at)
        start = before or adopted_at
        if start is not None and script.get_revision(start) is None:
            raise StoreError(
                f"the database is at schema revision {start}, newer than this program knows; upgrade unionbot"
            )
        command.upgrade(_config(connection), "head")
        after = current_revision(connection)
    steps = [] if after == start else list(script.iterate_revisions(after, start))
    applied = tuple(Revision(revision=s.revision, doc=(s.doc or "").strip()) for s in reversed(steps))
    for step in applied:
        log.info("applied schema revision %s: %s", step.revision, step.doc)
    return UpgradeReport(
        before=before, adopted_at=adopted_at, legacy_applied=legacy_applied, applied=applied, head=head
    )


def _is_legacy(engine: Engine) -> bool:
    """An SQLite file that has the hand-written migrations' table and no Alembic revision."""
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    return legacy_migrations.name in tables and "alembic_version" not in tables


def _apply_legacy(engine: Engine) -> tuple[str, ...]:
    """Run the hand-written migrations a legacy file lacks, as the store always did."""
    raw = engine.raw_connection()
    try:
        applied = migrate(raw.driver_connection)  # type: ignore[arg-type]
    finally:
        raw.close()
    return tuple(applied)


def _legacy_revision(connection: Connection) -> str:
    """The revision whose schema equals the legacy migrations recorded in the database."""
    done = {str(row[0]) for row in connection.execute(text("SELECT name FROM migrations"))}
    order = [name for name, _ in MIGRATIONS]
    missing = [name for name in order if name not in done]
    if missing:
        raise StoreError(f"the database lacks the legacy migrations {', '.join(missing)}")
    last = order[-1]
    revision = LEGACY_STAMPS.get(last)
    if revision is None:
        raise StoreError(f"no schema revision stands for the legacy migration {last}")
    return revision
