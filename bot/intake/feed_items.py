"""The state of each item a feed lists, kept in the database.

An item is `done` (ingested), `refused` for good (with the reason), or to be tried again
(`retry`: attempts so far and when next). A failure the fetch calls transient (a timeout,
HTTP 503) is retried with backoff, from one poll interval doubling up to six hours; after
MAX_ATTEMPTS it is refused for good. Anything else is refused at once.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from enum import StrEnum

MAX_ATTEMPTS = 10
MAX_BACKOFF_SECONDS = 6 * 3600.0


class ItemState(StrEnum):
    DONE = "done"
    REFUSED = "refused"
    RETRY = "retry"


def _now() -> datetime:
    return datetime.now(UTC)


class FeedItems:
    """Per-item records over one database connection."""

    def __init__(self, db: sqlite3.Connection, retry_after: float) -> None:
        self.db = db
        self.retry_after = retry_after  # the first backoff; it doubles with each attempt

    def known(self, url: str) -> bool:
        """Whether the item was seen before (its state decides what happens to it now)."""
        return self.db.execute("SELECT 1 FROM feed_items WHERE url = ?", (url,)).fetchone() is not None

    def due(self, feed_url: str) -> list[str]:
        """Items of a feed whose next attempt has come, oldest first."""
        rows = self.db.execute(
            "SELECT url FROM feed_items WHERE feed_url = ? AND state = ? AND next_attempt_at <= ? "
            "ORDER BY first_seen_at, url",
            (feed_url, ItemState.RETRY.value, _now().isoformat()),
        ).fetchall()
        return [str(row[0]) for row in rows]

    def done(self, url: str, feed_url: str, outcome: str) -> None:
        self._record(url, feed_url, ItemState.DONE, outcome=outcome, reason=None, next_at=None)

    def refused(self, url: str, feed_url: str, reason: str) -> None:
        self._record(url, feed_url, ItemState.REFUSED, outcome=None, reason=reason, next_at=None)

    def failed(self, url: str, feed_url: str, reason: str) -> datetime | None:
        """A transient failure: the time of the next attempt, or None when given up."""
        row = self.db.execute("SELECT attempts FROM feed_items WHERE url = ?", (url,)).fetchone()
        attempts = (int(row[0]) if row is not None else 0) + 1
        if attempts >= MAX_ATTEMPTS:
            self._record(url, feed_url, ItemState.REFUSED, outcome=None,
                         reason=f"gave up after {attempts} attempts: {reason}", next_at=None)
            return None
        pause = min(self.retry_after * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS)
        next_at = _now() + timedelta(seconds=pause)
        self._record(url, feed_url, ItemState.RETRY, outcome=None, reason=reason, next_at=next_at)
        return next_at

    def _record(
        self, url: str, feed_url: str, state: ItemState, *, outcome: str | None, reason: str | None,
        next_at: datetime | None,
    ) -> None:
        now = _now().isoformat()
        self.db.execute(
            "INSERT INTO feed_items (url, feed_url, state, outcome, reason, attempts, next_attempt_at, "
            "first_seen_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET feed_url = excluded.feed_url, state = excluded.state, "
            "outcome = excluded.outcome, reason = excluded.reason, attempts = feed_items.attempts + 1, "
            "next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at",
            (url, feed_url, state.value, outcome, reason, next_at.isoformat() if next_at else None, now, now),
        )
