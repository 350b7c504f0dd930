"""The flood guard's per-user windows, in the database, so that every bot process on it
counts the same questions.

One row per user who asked lately: the start of their current window, the questions let
through in it and in the window before it, and when they were last asked to slow down.
A question is let through while the sliding-window estimate

    previous_hits * (time left of the previous window's span) / window + hits + 1 <= limit

holds: the previous window's questions weigh less as the current window goes on, so a
burst at the end of one window and the start of the next is still limited. Windows start
at the user's first question (not on a clock grid), so a burst of questions at once falls
into one window.

The rule is `FloodWindow.admission` and `FloodWindow.counted`, plain Python, used two
ways. A bot deciding on a question only reads (`peek`: the user's row and the database's
clock), decides, and writes the decision afterwards (`count`, in a write transaction that
locks the row: PostgreSQL's FOR UPDATE, SQLite's writer lock), so that no reply waits for
a write. `admit` decides and counts in one such transaction. Times are integer
milliseconds since the epoch, from the caller's clock or, when it gives none, the
database's own (so hosts whose clocks differ still agree). `prune` deletes the rows that
no longer change any decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from sqlalchemy import (
    BigInteger,
    Connection,
    Integer,
    cast,
    delete,
    extract,
    func,
    select,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from .dialects import upsert
from .schema import flood_windows
from .store import Store


class Admission(StrEnum):
    """What a question gets from the flood guard."""

    ALLOWED = "allowed"  # answer it
    WARNED = "warned"  # over the limit: ask politely for a pause (once a window)
    QUIET = "quiet"  # over the limit, already told: say nothing


class FloodWindow(BaseModel):
    """One user's row: their window, the questions let through in it and in the one
    before, and their last warning."""

    model_config = ConfigDict(frozen=True)

    window_start: int
    hits: int = 0
    previous_hits: int = 0
    warned_at: int | None = None

    @classmethod
    def new(cls, now: int) -> FloodWindow:
        return cls(window_start=now)

    def rolled(self, now: int, window: int) -> FloodWindow:
        """The row as of `now`: the stored window is current (less than a window old), the
        one before (less than two: it becomes the previous one) or older (both forgotten)."""
        elapsed = now - self.window_start
        if elapsed < window:
            return self
        if elapsed < 2 * window:
            return self.model_copy(
                update={"window_start": self.window_start + window, "hits": 0, "previous_hits": self.hits}
            )
        return self.model_copy(update={"window_start": now, "hits": 0, "previous_hits": 0})

    def admission(self, now: int, limit: int, window: int, warn: bool) -> Admission:
        """What one more question at `now` gets (the row rolled to `now` first). With `warn`
        false an over-the-limit question is QUIET and leaves the warning unspent."""
        row = self.rolled(now, window)
        into = now - row.window_start  # how far into the window
        # previous * (window - into) / window + hits + 1 <= limit, in integers
        if row.previous_hits * (window - into) + (row.hits + 1) * window <= limit * window:
            return Admission.ALLOWED
        if warn and (row.warned_at is None or now - row.warned_at >= window):
            return Admission.WARNED
        return Admission.QUIET

    def counted(self, now: int, window: int, admission: Admission) -> FloodWindow:
        """The row after a question at `now` got `admission`."""
        row = self.rolled(now, window)
        if admission is Admission.ALLOWED:
            return row.model_copy(update={"hits": row.hits + 1})
        if admission is Admission.WARNED:
            return row.model_copy(update={"warned_at": now})
        return row


class FloodCount(BaseModel):
    """A question's admission, decided at `at` (ms since the epoch), to be counted."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    at: int
    admission: Admission


def database_now_ms(dialect: str) -> ColumnElement[int]:
    """The database's clock, in integer milliseconds since the epoch (one value per statement)."""
    if dialect == "postgresql":
        return cast(func.floor(extract("epoch", func.now()) * 1000), BigInteger)
    return cast((func.julianday("now") - 2440587.5) * 86_400_000.0, Integer)


_ROW = (flood_windows.c.window_start, flood_windows.c.hits, flood_windows.c.previous_hits, flood_windows.c.warned_at)


class FloodWindows:
    """Per-user question counts over sliding windows, shared through the store's database."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def peek(self, user_id: int, now_ms: int | None = None) -> tuple[int, FloodWindow | None]:
        """Read only: the time (`now_ms`, else the database's clock) and the user's row."""
        with self.store.reading() as connection:
            now = now_ms if now_ms is not None else _database_now(connection)
            found = connection.execute(select(*_ROW).where(flood_windows.c.user_id == user_id)).first()
        return now, None if found is None else FloodWindow.model_validate(found._asdict())

    def count(self, connection: Connection, counts: Sequence[FloodCount], window_ms: int) -> None:
        """Count decided admissions, in the caller's write transaction: each user's row is
        locked, rolled and counted in the order given."""
        for user_id in dict.fromkeys(c.user_id for c in counts):
            mine = [c for c in counts if c.user_id == user_id]
            row = self._locked(connection, user_id, mine[0].at)
            for one in mine:
                row = row.counted(one.at, window_ms, one.admission)
            self._store(connection, user_id, row, mine[-1].admission)

    def admit(self, user_id: int, limit: int, window_ms: int, now_ms: int | None = None, warn: bool = True) -> Admission:
        """Count one question of the user's, when it may be answered; what it gets (decided
        and counted in one transaction). With `warn` false an over-the-limit question is
        QUIET and leaves the warning unspent."""
        if limit < 1 or window_ms < 1:
            raise ValueError("the flood guard needs a limit and a window of at least 1")
        with self.store.transaction() as connection:
            now = now_ms if now_ms is not None else _database_now(connection)
            row = self._locked(connection, user_id, now)
            admission = row.admission(now, limit, window_ms, warn)
            self._store(connection, user_id, row.counted(now, window_ms, admission), admission)
        return admission

    def prune(self, window_ms: int, now_ms: int | None = None) -> int:
        """Delete the rows that decide nothing any more; how many. A row whose window started
        two windows ago or more counts nothing (see `FloodWindow.rolled`), and its last
        warning is over a window old too (a warning is given inside the window it writes)."""
        with self.store.transaction() as connection:
            return self.prune_in(connection, window_ms, now_ms)

    def prune_in(self, connection: Connection, window_ms: int, now_ms: int | None = None) -> int:
        """`prune`, in the caller's write transaction."""
        now = now_ms if now_ms is not None else _database_now(connection)
        done = delete(flood_windows).where(flood_windows.c.window_start <= now - 2 * window_ms)
        return int(connection.execute(done).rowcount)

    def tracked_users(self) -> int:
        with self.store.reading() as connection:
            return int(connection.execute(select(func.count()).select_from(flood_windows)).scalar_one())

    @staticmethod
    def _locked(connection: Connection, user_id: int, now: int) -> FloodWindow:
        """The user's row, locked until the transaction ends (a new one made first when
        there is none, so that two processes never both make it)."""
        fresh = FloodWindow.new(now)
        made = upsert(connection, flood_windows).values(
            user_id=user_id, **fresh.model_dump(), admission=Admission.ALLOWED.value
        )
        connection.execute(made.on_conflict_do_nothing(index_elements=[flood_windows.c.user_id]))
        row = connection.execute(
            select(*_ROW).where(flood_windows.c.user_id == user_id).with_for_update()
        ).one()
        return FloodWindow.model_validate(row._asdict())

    @staticmethod
    def _store(connection: Connection, user_id: int, row: FloodWindow, admission: Admission) -> None:
        connection.execute(
            update(flood_windows)
            .where(flood_windows.c.user_id == user_id)
            .values(**row.model_dump(), admission=admission.value)
        )


def _database_now(connection: Connection) -> int:
    return int(connection.execute(select(database_now_ms(connection.dialect.name))).scalar_one())
