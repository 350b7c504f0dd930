"""What people do with the bot, kept for staff: users, questions, feedback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from .store import Store


class QueryKind(StrEnum):
    ASK = "ask"
    INLINE = "inline"
    FIND = "find"


class StoredQuery(BaseModel):
    model_config = ConfigDict(frozen=True)

    query_id: int
    kind: QueryKind
    user_id: int | None
    chat_id: int | None
    text: str


class Stats(BaseModel):
    """Figures for /stats."""

    model_config = ConfigDict(frozen=True)

    users: int
    questions_today: int
    questions_week: int
    unanswered: tuple[tuple[str, int], ...]
    thumbs_up: int
    thumbs_down: int
    subscriptions: int = 0


def _now() -> datetime:
    return datetime.now(UTC)


class Activity:
    """Users, queries and feedback, in the application's database."""

    def __init__(self, store: Store) -> None:
        self.db = store.db
        self.store = store

    def seen(self, user_id: int, language: str | None) -> None:
        now = _now().isoformat()
        self.db.execute(
            "INSERT INTO users (user_id, language, first_seen, last_seen) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET last_seen = excluded.last_seen, "
            "language = COALESCE(excluded.language, users.language)",
            (user_id, language, now, now),
        )

    def record(
        self,
        kind: QueryKind,
        text: str,
        user_id: int | None,
        chat_id: int | None,
        found: bool = False,
        answer: str | None = None,
    ) -> int:
        """Store a query; its id is what buttons refer to."""
        cursor = self.db.execute(
            "INSERT INTO queries (kind, user_id, chat_id, text, found, answer, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (kind.value, user_id, chat_id, text[:4000], int(found), answer, _now().isoformat()),
        )
        return int(cursor.lastrowid or 0)

    def query(self, query_id: int) -> StoredQuery | None:
        row = self.db.execute(
            "SELECT query_id, kind, user_id, chat_id, text FROM queries WHERE query_id = ?", (query_id,)
        ).fetchone()
        if row is None:
            return None
        return StoredQuery(
            query_id=row[0], kind=QueryKind(row[1]), user_id=row[2], chat_id=row[3], text=row[4]
        )

    def feedback(self, query_id: int, user_id: int, value: int) -> bool:
        """Store 👍 (1) or 👎 (-1); a second press by the same user replaces the first."""
        if self.query(query_id) is None:
            return False
        self.db.execute(
            "INSERT INTO feedback (query_id, user_id, value, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(query_id, user_id) DO UPDATE SET value = excluded.value, created_at = excluded.created_at",
            (query_id, user_id, 1 if value > 0 else -1, _now().isoformat()),
        )
        return True

    def stats(self, top: int = 10) -> Stats:
        now = _now()
        day = now.replace(hour=0, minute=0, second=0, microsecond=0).isoformat()
        week = (now - timedelta(days=7)).isoformat()

        def count(sql: str, *params: object) -> int:
            return int(self.db.execute(sql, params).fetchone()[0])

        asked = "kind IN ('ask', 'inline')"
        unanswered = self.db.execute(
            f"SELECT text, COUNT(*) AS n FROM queries WHERE {asked} AND found = 0 AND created_at >= ? "
            "GROUP BY text ORDER BY n DESC, MAX(created_at) DESC LIMIT ?",
            (week, top),
        ).fetchall()
        return Stats(
            users=count("SELECT COUNT(*) FROM users"),
            questions_today=count(f"SELECT COUNT(*) FROM queries WHERE {asked} AND created_at >= ?", day),
            questions_week=count(f"SELECT COUNT(*) FROM queries WHERE {asked} AND created_at >= ?", week),
            unanswered=tuple((row[0], int(row[1])) for row in unanswered),
            thumbs_up=count("SELECT COUNT(*) FROM feedback WHERE value > 0"),
            thumbs_down=count("SELECT COUNT(*) FROM feedback WHERE value < 0"),
        )
