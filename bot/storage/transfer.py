"""Copy everything a database holds into another one (`unionbot db copy`).

The target is upgraded to the newest revision first (so is a source that is behind: a
legacy SQLite file is adopted). Then, in ONE transaction on the target, every table is
copied in dependency order, in batches, from one consistent snapshot of the source; the
row counts are checked before the commit, so a failed copy leaves nothing half-done. A
target that already holds data is refused unless `replace` is given, which deletes what it
holds first (in the same transaction). On PostgreSQL the identity sequences are then moved
past the copied ids, so new rows do not collide with them.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, Engine, Table, func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from .engine import describe, is_sqlite, open_engine, parse_url, redact, write_transaction
from .revisions import UpgradeReport, current_revision, head_revision, upgrade
from .schema import BOOKKEEPING_TABLES, SEEDED_ROWS, TRANSIENT_TABLES, metadata
from .errors import StoreError

log = logging.getLogger(__name__)

BATCH_ROWS = 1000


class TableCount(BaseModel):
    model_config = ConfigDict(frozen=True)

    table: str
    rows: int


class CopyReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    source_upgrade: UpgradeReport | None
    target_upgrade: UpgradeReport
    tables: tuple[TableCount, ...]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def data_tables() -> list[Table]:
    """The tables that hold the application's data, parents before children (not the
    migrations' bookkeeping, nor the leases of the processes running on the source)."""
    return [t for t in metadata.sorted_tables if t.name not in BOOKKEEPING_TABLES | TRANSIENT_TABLES]


def copy_database(source_url: str, target_url: str, *, replace: bool = False) -> CopyReport:
    """Copy every row of the source database into the target (see the module's docstring)."""
    if _same_database(parse_url(source_url), parse_url(target_url)):
        raise StoreError("the source and the target are the same database")
    source = open_engine(source_url, create=False)
    target = open_engine(target_url)
    try:
        try:
            return _copy(source, target, replace)
        except SQLAlchemyError as exc:
            raise StoreError(f"copy to {redact(target.url)} failed, no rows were written: {describe(exc)}") from exc
    finally:
        source.dispose()
        target.dispose()


def _same_database(a: URL, b: URL) -> bool:
    if a.get_backend_name() == b.get_backend_name() == "sqlite":
        return Path(str(a.database)).resolve() == Path(str(b.database)).resolve()
    return a.set(password=None) == b.set(password=None)


def _copy(source: Engine, target: Engine, replace: bool) -> CopyReport:
    source_upgrade: UpgradeReport | None = None
    with source.connect() as connection:
        at = current_revision(connection)
    if at != head_revision():
        source_upgrade = upgrade(source)
    target_upgrade = upgrade(target)
    counts: list[TableCount] = []
    with source.connect() as reading:
        if not is_sqlite(source):
            reading = reading.execution_options(isolation_level="REPEATABLE READ")
        with reading.begin(), write_transaction(target) as writing:
            held = _held(writing)
            if held and not replace:
                raise StoreError(
                    f"the target already holds data ({', '.join(held)}); "
                    "give --replace to delete it and copy anyway"
                )
            for table in reversed(data_tables()):
                writing.execute(table.delete())
            for table in data_tables():
                copied = _copy_table(table, reading, writing)
                expected = _count(reading, table)
                written = _count(writing, table)
                if not copied == expected == written:
                    raise StoreError(
                        f"table {table.name}: {expected} rows in the source, {copied} read, {written} written"
                    )
                counts.append(TableCount(table=table.name, rows=written))
                log.info("copied %s: %d rows", table.name, written)
            if not is_sqlite(target):
                _advance_sequences(writing)
    return CopyReport(source_upgrade=source_upgrade, target_upgrade=target_upgrade, tables=tuple(counts))


def _held(connection: Connection) -> list[str]:
    """The data tables holding rows other than those the migrations put there."""
    held: list[str] = []
    for table in data_tables():
        seeded = SEEDED_ROWS.get(table.name, [])
        rows = [dict(row) for row in connection.execute(select(table).limit(len(seeded) + 1)).mappings()]
        if rows and not all(row in seeded for row in rows):
            held.append(table.name)
    return held


def _copy_table(table: Table, reading: Connection, writing: Connection) -> int:
    order = list(table.primary_key.columns)
    result = reading.execution_options(yield_per=BATCH_ROWS).execute(select(table).order_by(*order))
    copied = 0
    for batch in result.mappings().partitions():
        rows = [dict(row) for row in batch]
        writing.execute(table.insert(), rows)
        copied += len(rows)
    return copied


def _count(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _advance_sequences(connection: Connection) -> None:
    """Move each identity column's sequence past the largest copied id."""
    for table in data_tables():
        for column in table.primary_key.columns:
            if column.identity is None:
                continue
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                    f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"
                )
            )
