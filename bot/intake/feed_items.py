"""The state of each item a feed lists, kept in the database.

An item is `done` (ingested), `refused` for good (with the reason), or to be tried again
(`retry`: attempts so far and when next). A failure the fetch calls transient (a timeout,
HTTP 503) is retried with backoff, from one poll interval doubling up to six hours; after
MAX_ATTEMPTS it is refused for good. Anything else is refused at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select

from bot.storage.dialects import upsert
from bot.storage.schema import feed_items
from bot.storage.store import Store

MAX_ATTEMPTS = 10
MAX_BACKOFF_SECONDS = 6 * 3600.0


class ItemState(StrEnum):
    DONE = "done"
    REFUSED = "refused"
    RETRY = "retry"


def _now() -> datetime:
    return datetime.now(UTC)


class FeedItems:
    """Per-item records in the store's database."""

    def __init__(self, store: Store, retry_after: float) -> None:
        self.store = store
        self.retry_after = retry_after  # the first backoff; it doubles with each attempt

    def known(self, url: str) -> bool:
        """Whether the item was seen before (its state decides what happens to it now)."""
        with self.store.reading() as connection:
            found = connection.execute(select(feed_items.c.url).where(feed_items.c.url == url)).first()
        return found is not None

    def due(self, feed_url: str) -> list[str]:
        """Items of a feed whose next attempt has come, oldest first."""
        query = (
            select(feed_items.c.url)
            .where(
                feed_items.c.feed_url == feed_url,
                feed_items.c.state == ItemState.RETRY.value,
                feed_items.c.next_attempt_at <= _now().isoformat(),
            )
            .order_by(feed_items.c.first_seen_at, feed_items.c.url)
        )
        with self.store.reading() as connection:
            return [str(url) for url in connection.execute(query).scalars()]

    def done(self, url: str, feed_url: str, outcome: str) -> None:
        self._record(url, feed_url, ItemState.DONE, outcome=outcome, reason=None, next_at=None)

    def refused(self, url: str, feed_url: str, reason: str) -> None:
        self._record(url, feed_url, ItemState.REFUSED, outcome=None, reason=reason, next_at=None)

    def deferred(self, url: str, feed_url: str) -> None:
        """Not tried this poll (its page cap was reached): due again at the next, no attempt counted."""
        now = _now().isoformat()
        with self.store.transaction() as connection:
            statement = upsert(connection, feed_items).values(
                url=url, feed_url=feed_url, state=ItemState.RETRY.value, attempts=0, next_attempt_at=now,
                first_seen_at=now, updated_at=now,
            )
            connection.execute(statement.on_conflict_do_update(
                index_elements=[feed_items.c.url],
                set_={name: statement.excluded[name] for name in ("state", "next_attempt_at", "updated_at")},
            ))

    def failed(self, url: str, feed_url: str, reason: str) -> datetime | None:
        """A transient failure: the time of the next attempt, or None when given up."""
        with self.store.reading() as connection:
            before = connection.execute(select(feed_items.c.attempts).where(feed_items.c.url == url)).scalar_one_or_none()
        attempts = (int(before) if before is not None else 0) + 1
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
        with self.store.transaction() as connection:
            statement = upsert(connection, feed_items).values(
                url=url, feed_url=feed_url, state=state.value, outcome=outcome, reason=reason, attempts=1,
                next_attempt_at=next_at.isoformat() if next_at else None, first_seen_at=now, updated_at=now,
            )
            kept = ("feed_url", "state", "outcome", "reason", "next_attempt_at", "updated_at")
            connection.execute(statement.on_conflict_do_update(
                index_elements=[feed_items.c.url],
                set_={**{name: statement.excluded[name] for name in kept}, "attempts": feed_items.c.attempts + 1},
            ))
