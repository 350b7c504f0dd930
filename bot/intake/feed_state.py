"""What each feed URL answered last (its ETag and Last-Modified for conditional requests,
and the kind of document it served), kept in the database."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select

from bot.storage.dialects import upsert
from bot.storage.schema import feeds
from bot.storage.store import Store


class FeedState(BaseModel):
    model_config = ConfigDict(frozen=True)

    etag: str | None
    last_modified: str | None
    kind: str | None


def _now() -> str:
    return datetime.now(UTC).isoformat()


class FeedStates:
    """The feeds table over the store's database."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, url: str) -> FeedState | None:
        query = select(feeds.c.etag, feeds.c.last_modified, feeds.c.kind).where(feeds.c.url == url)
        with self.store.reading() as connection:
            row = connection.execute(query).first()
        return None if row is None else FeedState(etag=row.etag, last_modified=row.last_modified, kind=row.kind)

    def checked(self, url: str) -> None:
        """The feed answered 304 Not Modified."""
        with self.store.transaction() as connection:
            connection.execute(feeds.update().where(feeds.c.url == url).values(checked_at=_now()))

    def answered(self, url: str, etag: str | None, last_modified: str | None, kind: str | None) -> None:
        """The feed answered with a body; a kind of None keeps the one recorded before."""
        with self.store.transaction() as connection:
            statement = upsert(connection, feeds).values(
                url=url, etag=etag, last_modified=last_modified, checked_at=_now(), kind=kind
            )
            connection.execute(statement.on_conflict_do_update(
                index_elements=[feeds.c.url],
                set_={
                    "etag": statement.excluded.etag,
                    "last_modified": statement.excluded.last_modified,
                    "checked_at": statement.excluded.checked_at,
                    "kind": func.coalesce(statement.excluded.kind, feeds.c.kind),
                },
            ))
