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

`admit` is ONE statement (an INSERT … ON CONFLICT DO UPDATE … RETURNING): the row is read,
rolled over, counted and written atomically by the database (PostgreSQL locks the row,
SQLite's writer lock serialises), however many processes admit the same user at once.
Times are integer milliseconds since the epoch, from the caller's clock or, when it gives
none, the database's own (so hosts whose clocks differ still agree). `prune` deletes the
rows that no longer change any decision.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    bindparam,
    case,
    cast,
    delete,
    extract,
    func,
    literal,
    select,
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


def database_now_ms(dialect: str) -> ColumnElement[int]:
    """The database's clock, in integer milliseconds since the epoch (one value per statement)."""
    if dialect == "postgresql":
        return cast(func.floor(extract("epoch", func.now()) * 1000), BigInteger)
    return cast((func.julianday("now") - 2440587.5) * 86_400_000.0, Integer)


class FloodWindows:
    """Per-user question counts over sliding windows, shared through the store's database."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def admit(self, user_id: int, limit: int, window_ms: int, now_ms: int | None = None, warn: bool = True) -> Admission:
        """Count one question of the user's, when it may be answered; what it gets. With
        `warn` false an over-the-limit question is QUIET and leaves the warning unspent."""
        if limit < 1 or window_ms < 1:
            raise ValueError("the flood guard needs a limit and a window of at least 1")
        with self.store.transaction() as connection:
            now = self._now(connection.dialect.name, now_ms)
            first = upsert(connection, flood_windows).values(
                user_id=user_id, window_start=now, hits=1, previous_hits=0, warned_at=None,
                admission=Admission.ALLOWED.value,
            )
            counted = first.on_conflict_do_update(
                index_elements=[flood_windows.c.user_id], set_=_roll(now, limit, window_ms, warn)
            ).returning(flood_windows.c.admission)
            return Admission(connection.execute(counted).scalar_one())

    def prune(self, window_ms: int, now_ms: int | None = None) -> int:
        """Delete the rows that decide nothing any more; how many. A row whose window started
        two windows ago or more counts nothing (see `_roll`), and its last warning is over a
        window old too (a warning is given inside the window it writes)."""
        with self.store.transaction() as connection:
            now = self._now(connection.dialect.name, now_ms)
            done = delete(flood_windows).where(flood_windows.c.window_start <= now - 2 * window_ms)
            return int(connection.execute(done).rowcount)

    def tracked_users(self) -> int:
        with self.store.reading() as connection:
            return int(connection.execute(select(func.count()).select_from(flood_windows)).scalar_one())

    @staticmethod
    def _now(dialect: str, now_ms: int | None) -> ColumnElement[int]:
        if now_ms is None:
            return database_now_ms(dialect)
        return bindparam("now_ms", int(now_ms), type_=BigInteger)


def _roll(now: ColumnElement[int], limit: int, window_ms: int, warn: bool) -> dict[str, Any]:
    """The SET clause of `admit`: the stored row rolled over to `now`, then counted.

    The stored window is current (less than a window old), the one before (less than two:
    it becomes the previous one) or older (both forgotten)."""
    row = flood_windows.c
    window = literal(window_ms, BigInteger)
    elapsed = now - row.window_start
    current = elapsed < window
    following = elapsed < 2 * window
    start = case((current, row.window_start), (following, row.window_start + window), else_=now)
    hits = case((current, row.hits), else_=0)
    previous = case((current, row.previous_hits), (following, row.hits), else_=0)
    into = case((current, elapsed), (following, elapsed - window), else_=0)  # how far into the window
    # previous * (window - into) / window + hits + 1 <= limit, in integers
    allowed = previous * (window - into) + (hits + 1) * window <= limit * window
    warns = row.warned_at.is_(None) | (now - row.warned_at >= window)
    warned_at: ColumnElement[Any] = row.warned_at
    admission = case((allowed, Admission.ALLOWED.value), else_=Admission.QUIET.value)
    if warn:
        warned_at = case((allowed, row.warned_at), (warns, now), else_=row.warned_at)
        admission = case(
            (allowed, Admission.ALLOWED.value), (warns, Admission.WARNED.value), else_=Admission.QUIET.value
        )
    return {
        "window_start": start,
        "hits": case((allowed, hits + 1), else_=hits),
        "previous_hits": previous,
        "warned_at": warned_at,
        "admission": admission,
    }
