"""Conversation context for follow-up questions, kept in the application's database.

A private chat's last question (and what answered it) is one row per chat; in groups, each
answer message the bot sent maps to the question it answered, so that a reply to it is a
follow-up of that answer. Rows no follow-up can use are pruned as new ones are written:
a private chat's turn once it is older than the follow-up window, a group's answers beyond
the newest `GROUP_ANSWERS_KEPT`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from .store import Store

GROUP_ANSWERS_KEPT = 500  # per group: replies to older answers than these are rare


class StoredTurn(BaseModel):
    """A question as stored: its text, the cited article's id, the short answer, the kind."""

    model_config = ConfigDict(frozen=True)

    question: str
    article_id: str | None = None
    answer: str | None = None
    kind: str | None = None
    asked_at: datetime


_COLUMNS = "question, article_id, answer, kind, asked_at"


def _turn(row: tuple[str, str | None, str | None, str | None, str]) -> StoredTurn:
    return StoredTurn(
        question=row[0], article_id=row[1], answer=row[2], kind=row[3], asked_at=datetime.fromisoformat(row[4])
    )


class Conversations:
    """Last turns of private chats and group answers, in the store's database."""

    def __init__(self, store: Store, window: timedelta) -> None:
        self.store = store
        self.db = store.db
        self.window = window

    def last(self, chat_id: int) -> StoredTurn | None:
        """The private chat's last question, whatever its age (the resolver judges that)."""
        row = self.db.execute(f"SELECT {_COLUMNS} FROM chat_turns WHERE chat_id = ?", (chat_id,)).fetchone()
        return None if row is None else _turn(tuple(row))

    def save_last(self, chat_id: int, turn: StoredTurn) -> None:
        """Replace the chat's last question; drop other chats' turns past the window."""
        values = (chat_id, turn.question[:4000], turn.article_id, turn.answer, turn.kind, turn.asked_at.isoformat())
        with self.store.transaction() as db:
            db.execute(
                f"INSERT INTO chat_turns (chat_id, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(chat_id) DO UPDATE SET question = excluded.question, article_id = excluded.article_id, "
                "answer = excluded.answer, kind = excluded.kind, asked_at = excluded.asked_at",
                values,
            )
            db.execute("DELETE FROM chat_turns WHERE asked_at < ?", ((turn.asked_at - self.window).isoformat(),))

    def answered(self, chat_id: int, message_id: int) -> StoredTurn | None:
        """The question that the bot's message `message_id` in a group answered."""
        row = self.db.execute(
            f"SELECT {_COLUMNS} FROM answer_turns WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
        ).fetchone()
        return None if row is None else _turn(tuple(row))

    def save_answer(self, chat_id: int, message_id: int, turn: StoredTurn) -> None:
        """Remember which question a group answer message answered; keep the newest ones."""
        values = (chat_id, message_id, turn.question[:4000], turn.article_id, turn.answer, turn.kind)
        with self.store.transaction() as db:
            db.execute(
                f"INSERT OR REPLACE INTO answer_turns (chat_id, message_id, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (*values, turn.asked_at.isoformat()),
            )
            db.execute(
                "DELETE FROM answer_turns WHERE chat_id = ? AND message_id NOT IN "
                "(SELECT message_id FROM answer_turns WHERE chat_id = ? ORDER BY message_id DESC LIMIT ?)",
                (chat_id, chat_id, GROUP_ANSWERS_KEPT),
            )
