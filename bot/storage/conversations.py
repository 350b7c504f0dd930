"""Conversation context for follow-up questions, kept in the application's database.

A private chat's last question (and what answered it) is one row per chat; in groups, each
answer message the bot sent maps to the question it answered, so that a reply to it is a
follow-up of that answer. Rows no follow-up can use are pruned as new ones are written:
a private chat's turn once it is older than the follow-up window, a group's answers beyond
the newest `GROUP_ANSWERS_KEPT`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, RowMapping, select

from .dialects import upsert
from .schema import answer_turns, chat_turns
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


_TURN_COLUMNS = ("question", "article_id", "answer", "kind", "asked_at")


def _turn(row: RowMapping) -> StoredTurn:
    return StoredTurn(
        question=row["question"], article_id=row["article_id"], answer=row["answer"], kind=row["kind"],
        asked_at=datetime.fromisoformat(row["asked_at"]),
    )


def _values(turn: StoredTurn) -> dict[str, Any]:
    return {
        "question": turn.question[:4000], "article_id": turn.article_id, "answer": turn.answer, "kind": turn.kind,
        "asked_at": turn.asked_at.isoformat(),
    }


class Conversations:
    """Last turns of private chats and group answers, in the store's database."""

    def __init__(self, store: Store, window: timedelta) -> None:
        self.store = store
        self.window = window

    def last(self, chat_id: int) -> StoredTurn | None:
        """The private chat's last question, whatever its age (the resolver judges that)."""
        query = select(*(chat_turns.c[name] for name in _TURN_COLUMNS)).where(chat_turns.c.chat_id == chat_id)
        with self.store.reading() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else _turn(row)

    def save_last(self, chat_id: int, turn: StoredTurn) -> None:
        """Replace the chat's last question; drop other chats' turns past the window."""
        with self.store.transaction() as connection:
            self.write_last(connection, chat_id, turn)

    def write_last(self, connection: Connection, chat_id: int, turn: StoredTurn) -> None:
        """`save_last` in the caller's write transaction."""
        statement = upsert(connection, chat_turns).values(chat_id=chat_id, **_values(turn))
        connection.execute(statement.on_conflict_do_update(
            index_elements=[chat_turns.c.chat_id],
            set_={name: statement.excluded[name] for name in _TURN_COLUMNS},
        ))
        connection.execute(chat_turns.delete().where(chat_turns.c.asked_at < (turn.asked_at - self.window).isoformat()))

    def answered(self, chat_id: int, message_id: int) -> StoredTurn | None:
        """The question that the bot's message `message_id` in a group answered."""
        query = select(*(answer_turns.c[name] for name in _TURN_COLUMNS)).where(
            answer_turns.c.chat_id == chat_id, answer_turns.c.message_id == message_id
        )
        with self.store.reading() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else _turn(row)

    def save_answer(self, chat_id: int, message_id: int, turn: StoredTurn) -> None:
        """Remember which question a group answer message answered; keep the newest ones."""
        with self.store.transaction() as connection:
            self.write_answer(connection, chat_id, message_id, turn)

    def write_answer(self, connection: Connection, chat_id: int, message_id: int, turn: StoredTurn) -> None:
        """`save_answer` in the caller's write transaction."""
        statement = upsert(connection, answer_turns).values(chat_id=chat_id, message_id=message_id, **_values(turn))
        connection.execute(statement.on_conflict_do_update(
            index_elements=[answer_turns.c.chat_id, answer_turns.c.message_id],
            set_={name: statement.excluded[name] for name in _TURN_COLUMNS},
        ))
        kept = (
            select(answer_turns.c.message_id)
            .where(answer_turns.c.chat_id == chat_id)
            .order_by(answer_turns.c.message_id.desc())
            .limit(GROUP_ANSWERS_KEPT)
        )
        connection.execute(
            answer_turns.delete().where(answer_turns.c.chat_id == chat_id, answer_turns.c.message_id.not_in(kept))
        )
