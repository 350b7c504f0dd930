"""What replies leave to write, kept until it is written.

A reply's records (the asker seen, the flood guard's count, the question with the results
it cited, a chat's last turn, a group answer's turn, feedback) are nothing the reply
itself waits for: the query id its buttons carry is made without the database
(`activity.new_query_id`). The `Recorder` keeps them in memory until they are written, and
this process reads its own unwritten records from there (a follow-up, a button pressed at
once, the flood guard's next decision), so it never sees them missing. Other processes
see them once written; a button press reaching one of them before that waits a little
for its question (see `responder`).

`write_pending` writes everything waiting in one transaction. Without `defer_to`, `add`
writes at once, and the caller waits (the console, tests); a running bot has them
written on the database thread after the reply (`recordwriter`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection
from sqlalchemy.exc import DataError, IntegrityError

from bot.storage.activity import Activity, NewQuery, StoredQuery
from bot.storage.conversations import Conversations, StoredTurn
from bot.storage.flood import FloodCount
from bot.storage.store import Store

from .flood import FloodGuard

log = logging.getLogger(__name__)

_BAD_RECORD = (IntegrityError, DataError)  # this record can never be written; others are passing


class Seen(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: int
    language: str | None
    at: datetime


class NewFeedback(BaseModel):
    model_config = ConfigDict(frozen=True)

    query_id: int
    user_id: int
    value: int
    at: datetime


class ChatTurn(BaseModel):
    """A private chat's last question."""

    model_config = ConfigDict(frozen=True)

    chat_id: int
    turn: StoredTurn


class AnswerTurn(BaseModel):
    """The question a group answer (the bot's message `message_id`) answered."""

    model_config = ConfigDict(frozen=True)

    chat_id: int
    message_id: int
    turn: StoredTurn


class Records(BaseModel):
    """What one step of a reply leaves to write."""

    model_config = ConfigDict(frozen=True)

    seen: Seen | None = None
    flood: FloodCount | None = None
    query: NewQuery | None = None
    feedback: NewFeedback | None = None
    chat_turn: ChatTurn | None = None
    answer_turn: AnswerTurn | None = None


class Recorder:
    """Records waiting to be written, readable meanwhile; thread-safe."""

    def __init__(self, store: Store, activity: Activity, conversations: Conversations, flood: FloodGuard) -> None:
        self.store = store
        self.activity = activity
        self.conversations = conversations
        self.flood = flood
        self._waiting: list[Records] = []
        self._lock = threading.Lock()  # guards _waiting
        self._writing = threading.Lock()  # one write_pending at a time
        self._wake: Callable[[], None] | None = None

    def defer_to(self, wake: Callable[[], None]) -> None:
        """From now on `add` only keeps the records and calls `wake` (from any thread): the
        writer it wakes calls `write_pending`."""
        self._wake = wake

    def add(self, records: Records) -> None:
        with self._lock:
            self._waiting.append(records)
        if self._wake is None:
            self.write_pending()
        else:
            self._wake()

    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)

    def write_pending(self) -> int:
        """Write what is waiting, in one transaction; how many records were taken. A
        record the database refuses for good (a constraint) is logged and dropped, and the
        others are written one by one; on any other error everything stays waiting, and
        the error is raised (the caller tries again later)."""
        with self._writing:
            with self._lock:
                batch = list(self._waiting)
            if not batch:
                return 0
            try:
                self._commit(batch)
            except _BAD_RECORD:
                for one in batch:
                    try:
                        self._commit([one])
                    except _BAD_RECORD:
                        log.exception("records of a reply cannot be written and are dropped: %s", one)
                    self._forget([one])
                return len(batch)
            self._forget(batch)
            return len(batch)

    # -- reading what is not written yet ------------------------------------------------

    def query(self, query_id: int) -> StoredQuery | None:
        with self._lock:
            found = next((r.query for r in self._waiting if r.query is not None and r.query.query_id == query_id), None)
        return None if found is None else found.stored()

    def chat_turn(self, chat_id: int) -> StoredTurn | None:
        """The chat's newest unwritten last turn."""
        with self._lock:
            turns = [r.chat_turn.turn for r in self._waiting if r.chat_turn is not None and r.chat_turn.chat_id == chat_id]
        return turns[-1] if turns else None

    def answer_turn(self, chat_id: int, message_id: int) -> StoredTurn | None:
        with self._lock:
            turns = [
                r.answer_turn.turn
                for r in self._waiting
                if r.answer_turn is not None and (r.answer_turn.chat_id, r.answer_turn.message_id) == (chat_id, message_id)
            ]
        return turns[-1] if turns else None

    def flood_counts(self, user_id: int) -> list[FloodCount]:
        """The user's unwritten admissions, oldest first."""
        with self._lock:
            return [r.flood for r in self._waiting if r.flood is not None and r.flood.user_id == user_id]

    # -- writing -------------------------------------------------------------------------

    def _commit(self, batch: Sequence[Records]) -> None:
        with self.store.transaction() as connection:
            self._write(connection, batch)

    def _write(self, connection: Connection, batch: Sequence[Records]) -> None:
        """In the order the tables depend on one another: a feedback's query before it."""
        for seen in (r.seen for r in batch if r.seen is not None):
            self.activity.write_seen(connection, seen.user_id, seen.language, seen.at)
        self.flood.write(connection, [r.flood for r in batch if r.flood is not None])
        for query in (r.query for r in batch if r.query is not None):
            if not self.activity.write_query(connection, query):
                log.warning("query id %d was taken already; this question's buttons expire", query.query_id)
        for feedback in (r.feedback for r in batch if r.feedback is not None):
            self.activity.write_feedback(connection, feedback.query_id, feedback.user_id, feedback.value, feedback.at)
        for chat in (r.chat_turn for r in batch if r.chat_turn is not None):
            self.conversations.write_last(connection, chat.chat_id, chat.turn)
        for answer in (r.answer_turn for r in batch if r.answer_turn is not None):
            self.conversations.write_answer(connection, answer.chat_id, answer.message_id, answer.turn)

    def _forget(self, written: Sequence[Records]) -> None:
        done = {id(r) for r in written}
        with self._lock:
            self._waiting = [r for r in self._waiting if id(r) not in done]
