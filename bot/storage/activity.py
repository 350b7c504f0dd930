"""What people do with the bot, kept for staff: users, questions, feedback; and what an
answered question cited, so that its buttons can be served by any bot process on the
database, whatever index that process holds."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import Connection, Select, func, select

from retrieval import Hit

from .dialects import upsert
from .schema import feedback, queries, users
from .store import Store


class QueryKind(StrEnum):
    ASK = "ask"
    INLINE = "inline"
    FIND = "find"


class StoredResult(BaseModel):
    """One cited result of an answered question: the article (by id) and what was shown of it."""

    model_config = ConfigDict(frozen=True)

    article_id: str
    paragraph: int
    snippet: str
    answer: str | None = None
    answer_start: int | None = None
    score: float


class StoredQuery(BaseModel):
    model_config = ConfigDict(frozen=True)

    query_id: int
    kind: QueryKind
    user_id: int | None
    chat_id: int | None
    text: str
    answer: str | None = None  # the short answer, when one was printed
    results: tuple[StoredResult, ...] = ()  # empty: not recorded (a query of an older version)


def _stored_results(hits: Sequence[Hit]) -> tuple[StoredResult, ...]:
    return tuple(
        StoredResult(article_id=h.article.article_id, paragraph=h.paragraph, snippet=h.snippet, answer=h.answer,
                     answer_start=h.answer_start, score=h.score)
        for h in hits
    )


def _results_json(results: Sequence[StoredResult]) -> str | None:
    if not results:
        return None
    return json.dumps([r.model_dump() for r in results], ensure_ascii=False)


def _results(stored: str | None) -> tuple[StoredResult, ...]:
    if not stored:
        return ()
    try:
        return tuple(StoredResult.model_validate(item) for item in json.loads(stored))
    except (ValueError, TypeError, ValidationError):
        return ()  # unreadable: as if not recorded


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


FIRST_RANDOM_ID = 2**32


def new_query_id() -> int:
    """An id for a query, made without the database (so that a reply can carry it before
    the query is written): random in [2**32, 2**62), clear of the ids the database gave
    before (counted from 1) and of the 63-bit limit."""
    return FIRST_RANDOM_ID + secrets.randbelow(2**62 - FIRST_RANDOM_ID)


class NewQuery(BaseModel):
    """A query about to be recorded, with the results it cited."""

    model_config = ConfigDict(frozen=True)

    query_id: int
    kind: QueryKind
    text: str
    user_id: int | None
    chat_id: int | None
    found: bool = False
    answer: str | None = None
    results: tuple[StoredResult, ...] = ()
    created_at: datetime

    @classmethod
    def of(
        cls,
        kind: QueryKind,
        text: str,
        user_id: int | None,
        chat_id: int | None,
        found: bool = False,
        answer: str | None = None,
        results: Sequence[Hit] = (),
    ) -> NewQuery:
        """A query with a new id, made now."""
        return cls(
            query_id=new_query_id(), kind=kind, text=text[:4000], user_id=user_id, chat_id=chat_id, found=found,
            answer=answer, results=_stored_results(results), created_at=_now(),
        )

    def stored(self) -> StoredQuery:
        """The query as `Activity.query` will read it once written."""
        return StoredQuery(
            query_id=self.query_id, kind=self.kind, user_id=self.user_id, chat_id=self.chat_id, text=self.text,
            answer=self.answer, results=self.results,
        )


class Activity:
    """Users, queries and feedback, in the application's database. The writes come two
    ways: each in a transaction of its own (`seen`, `record`, `feedback`), or in the
    caller's write transaction (the `write_…` ones), with others."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def seen(self, user_id: int, language: str | None) -> None:
        with self.store.transaction() as connection:
            self.write_seen(connection, user_id, language, _now())

    def write_seen(self, connection: Connection, user_id: int, language: str | None, at: datetime) -> None:
        when = at.isoformat()
        statement = upsert(connection, users).values(user_id=user_id, language=language, first_seen=when, last_seen=when)
        connection.execute(statement.on_conflict_do_update(
            index_elements=[users.c.user_id],
            set_={
                "last_seen": statement.excluded.last_seen,
                "language": func.coalesce(statement.excluded.language, users.c.language),
            },
        ))

    def record(self, query: NewQuery) -> int:
        """Store a query (`NewQuery.of`), with the results it cited, in a transaction of its
        own; its id is what buttons refer to."""
        with self.store.transaction() as connection:
            self.write_query(connection, query)
        return query.query_id

    def write_query(self, connection: Connection, query: NewQuery) -> bool:
        """Store a query made by `NewQuery.of`; False when its id was taken (by chance, one
        in billions: the query is then not stored and its buttons expire)."""
        statement = upsert(connection, queries).values(
            query_id=query.query_id, kind=query.kind.value, user_id=query.user_id, chat_id=query.chat_id,
            text=query.text, found=int(query.found), answer=query.answer, created_at=query.created_at.isoformat(),
            results=_results_json(query.results),
        )
        done = connection.execute(statement.on_conflict_do_nothing(index_elements=[queries.c.query_id]))
        return bool(done.rowcount)

    def query(self, query_id: int) -> StoredQuery | None:
        columns = (
            queries.c.query_id, queries.c.kind, queries.c.user_id, queries.c.chat_id, queries.c.text,
            queries.c.answer, queries.c.results,
        )
        with self.store.reading() as connection:
            row = connection.execute(select(*columns).where(queries.c.query_id == query_id)).first()
        if row is None:
            return None
        return StoredQuery(
            query_id=row.query_id, kind=QueryKind(row.kind), user_id=row.user_id, chat_id=row.chat_id, text=row.text,
            answer=row.answer, results=_results(row.results),
        )

    def feedback(self, query_id: int, user_id: int, value: int) -> bool:
        """Store 👍 (1) or 👎 (-1); a second press by the same user replaces the first."""
        if self.query(query_id) is None:
            return False
        with self.store.transaction() as connection:
            self.write_feedback(connection, query_id, user_id, value, _now())
        return True

    def write_feedback(self, connection: Connection, query_id: int, user_id: int, value: int, at: datetime) -> None:
        """`feedback` on a query known to be stored (or written earlier in this transaction)."""
        statement = upsert(connection, feedback).values(
            query_id=query_id, user_id=user_id, value=1 if value > 0 else -1, created_at=at.isoformat()
        )
        connection.execute(statement.on_conflict_do_update(
            index_elements=[feedback.c.query_id, feedback.c.user_id],
            set_={"value": statement.excluded.value, "created_at": statement.excluded.created_at},
        ))

    def stats(self, top: int = 10) -> Stats:
        now = _now()
        day = now.replace(hour=0, minute=0, second=0, microsecond=0).isoformat()
        week = (now - timedelta(days=7)).isoformat()
        asked = queries.c.kind.in_([QueryKind.ASK.value, QueryKind.INLINE.value])
        count = func.count()
        with self.store.reading() as connection:

            def number(query: Select[Any]) -> int:
                return int(connection.execute(query).scalar_one())

            unanswered = connection.execute(
                select(queries.c.text, count.label("n"))
                .where(asked, queries.c.found == 0, queries.c.created_at >= week)
                .group_by(queries.c.text)
                .order_by(count.desc(), func.max(queries.c.created_at).desc())
                .limit(top)
            ).all()
            return Stats(
                users=number(select(count).select_from(users)),
                questions_today=number(select(count).where(asked, queries.c.created_at >= day)),
                questions_week=number(select(count).where(asked, queries.c.created_at >= week)),
                unanswered=tuple((str(row[0]), int(row[1])) for row in unanswered),
                thumbs_up=number(select(count).select_from(feedback).where(feedback.c.value > 0)),
                thumbs_down=number(select(count).select_from(feedback).where(feedback.c.value < 0)),
            )
