"""Database engines from URLs: SQLite (the embedded default) or PostgreSQL (psycopg 3).

`sqlite:///PATH` gets what the store has always set on its connections: WAL, foreign
keys, a 30 s busy timeout; transactions are real ones (SQLAlchemy's default for the
sqlite3 module would defer BEGIN until the first write), and `write_transaction` takes the
write lock at BEGIN (BEGIN IMMEDIATE) so that two writers queue instead of failing.
`postgresql://…` (or `postgres://…`) is driven by psycopg 3, with a small pool whose
connections are checked before use.

`open_read_only` opens an SQLite file we may not write (nor its folder) so that nothing
is written beside it: `mode=ro`, and `immutable=1` when SQLite cannot create the WAL's
shared-memory file there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from .errors import StoreError

SQLITE_BUSY_MS = 30_000
_IMMEDIATE = "unionbot_immediate"


def database_url(data_dir: Path, configured: str | None) -> str:
    """The configured database URL, or the default SQLite file in the data dir."""
    if configured:
        return configured
    return f"sqlite:///{data_dir / 'unionbot.sqlite3'}"


def parse_url(url: str) -> URL:
    """A SQLAlchemy URL for a database we support; postgresql URLs get the psycopg driver."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"not a database URL: {redact(url)}") from None
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise StoreError("an SQLite database URL needs a file: sqlite:///PATH")
        return parsed
    raise StoreError(f"unsupported database (use sqlite:/// or postgresql://): {redact(url)}")


def redact(url: str | URL) -> str:
    """The URL without its password, for messages and logs."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except ArgumentError:
        return "<unreadable URL>"
    return parsed.render_as_string(hide_password=True)


def describe(exc: SQLAlchemyError) -> str:
    """The driver's own message, on one line (SQLAlchemy's adds the statement and a link)."""
    cause: BaseException = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return lines[0] if lines else type(cause).__name__


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def open_engine(url: str, *, create: bool = True) -> Engine:
    """An Engine for the URL. A missing SQLite file is created unless `create` is false."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, create)
    return create_engine(
        parsed,
        pool_size=5,
        max_overflow=5,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={"connect_timeout": 10, "application_name": "unionbot"},
    )


def open_read_only(path: Path) -> Engine:
    """An Engine that only reads the SQLite file and writes nothing beside it."""
    last: sqlite3.Error | None = None
    for options in ("mode=ro", "mode=ro&immutable=1"):
        uri = f"{path.resolve().as_uri()}?{options}"
        connect = partial(sqlite3.connect, uri, uri=True, timeout=SQLITE_BUSY_MS / 1000, check_same_thread=False)
        try:
            probe = connect()
            try:
                probe.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            finally:
                probe.close()
        except sqlite3.Error as exc:
            last = exc
            continue
        return create_engine(f"sqlite:///{path}", creator=connect)
    raise StoreError(f"cannot open the read-only database {path}: {last}")


def _sqlite_engine(url: URL, create: bool) -> Engine:
    path = Path(str(url.database))
    if not create and not path.is_file():
        raise StoreError(f"no such database: {path}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot open the database {path}: {exc}") from exc
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # we say BEGIN ourselves (see _on_begin)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write: on SQLite it holds the write lock from its start, so
    concurrent writers wait (busy timeout) instead of failing to upgrade a read lock."""
    with engine.connect() as connection:
        connection = connection.execution_options(**{_IMMEDIATE: True})
        with connection.begin():
            yield connection
