"""What SQLite and PostgreSQL spell differently, behind one name each.

- `upsert(connection, table)`: the dialect's INSERT with ON CONFLICT DO UPDATE / DO NOTHING
  (both databases have it; SQLAlchemy builds it per dialect).
- `greatest(a, b)`: the larger of two values (SQLite's two-argument MAX, PostgreSQL's
  GREATEST), as a CASE both understand.
- `contains(column, text)`: a LIKE that finds the text anywhere, case-insensitive on ASCII
  on both (SQLite's LIKE already is; PostgreSQL's ILIKE).
- `clock(connection)`: the database's own time in seconds since the epoch, so that every
  process and host using the database reads one clock.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Double, Table, case, cast, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

Upsert = postgresql.Insert | sqlite.Insert


def upsert(connection: Connection, table: Table) -> Upsert:
    """An INSERT into the table that can say what to do on a conflict, for this database."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def greatest(a: ColumnElement[Any], b: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((a >= b, a), else_=b)


def like_pattern(text: str, *, anywhere: bool = True) -> str:
    """A LIKE pattern matching the text literally (escape character: backslash)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%" if anywhere else f"{escaped}%"


def contains(connection: Connection, column: ColumnElement[Any], text: str, *, anywhere: bool = True) -> ColumnElement[bool]:
    """The column holds the text (or starts with it), ASCII case aside."""
    pattern = like_pattern(text, anywhere=anywhere)
    if connection.dialect.name == "postgresql":
        return column.ilike(pattern, escape="\\")
    return column.like(pattern, escape="\\")


_UNIX_EPOCH_JULIAN_DAY = 2440587.5


def clock(connection: Connection) -> ColumnElement[float]:
    """The database's time in seconds since the epoch: PostgreSQL's transaction time
    (`now()`), SQLite's time of the statement (one machine's clock: SQLite is local)."""
    if connection.dialect.name == "postgresql":
        return cast(func.extract("epoch", func.now()), Double)
    return cast((func.julianday("now") - _UNIX_EPOCH_JULIAN_DAY) * 86400.0, Double)
