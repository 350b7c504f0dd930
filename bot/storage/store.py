"""The store of issues and articles, in SQLite (the embedded default) or PostgreSQL.

A Store owns the process's one SQLAlchemy Engine for the database (`engine`); the other
repositories (activity, conversations, feed items, the outbox) are views over it. Opening
a writable database brings its schema to the newest revision (`revisions.upgrade`, which
also adopts an SQLite file made before Alembic).

An SQLite database we cannot write (the file or its folder is read-only to us) is opened
read-only (`mode=ro`, and `immutable=1` when SQLite cannot create the WAL's shared-memory
file beside it): nothing is migrated or recorded, and a write fails with StoreError.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import (
    Connection,
    RowMapping,
    Select,
    Text,
    bindparam,
    cast,
    func,
    insert,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from retrieval import Article, ArticleKind, Issue

from .dialects import contains, upsert
from .engine import describe, open_engine, open_read_only, redact, write_transaction
from .errors import StoreError
from .identity import text_key
from .revisions import is_current, upgrade
from .schema import articles, deliveries, issues, meta, subscriptions

log = logging.getLogger(__name__)

__all__ = ["AddOutcome", "Store", "StoreError"]


class AddOutcome(StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


_ARTICLE_COLUMNS = (
    articles.c.article_id, articles.c.issue_id, articles.c.ordinal, articles.c.title, articles.c.pretitle,
    articles.c.subtitle, articles.c.section, articles.c.kind, articles.c.reporters, articles.c.source,
    articles.c.paragraphs, articles.c.url,
    issues.c.published, issues.c.edition,  # what an article shows of its issue, read with it
)


def _articles_query() -> Select[Any]:
    return select(*_ARTICLE_COLUMNS).join_from(articles, issues, articles.c.issue_id == issues.c.issue_id)


def _article_from_row(row: RowMapping) -> Article:
    return Article(
        issue=row["issue_id"],
        article_id=row["article_id"],
        ordinal=row["ordinal"],
        title=row["title"],
        pretitle=row["pretitle"],
        subtitle=row["subtitle"],
        section=row["section"],
        kind=ArticleKind(row["kind"]),
        reporters=tuple(json.loads(row["reporters"])),
        source=row["source"],
        paragraphs=tuple(json.loads(row["paragraphs"])),
        url=row["url"],
        published=date.fromisoformat(row["published"]) if row["published"] else None,
        edition=row["edition"],
    )


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    return Path(str(parsed.database)) if parsed.get_backend_name() == "sqlite" and parsed.database else None


class Store:
    """Issues and articles; one transaction per issue. `target` is a database URL
    (sqlite:///… or postgresql://…) or the path of an SQLite file."""

    def __init__(self, target: Path | str) -> None:
        self.url = target if isinstance(target, str) else f"sqlite:///{target}"
        self.name = redact(self.url)
        self.path = _sqlite_file(self.url)  # None for PostgreSQL
        path = self.path
        self.read_only = (
            path is not None and path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))
        )
        if path is not None and self.read_only:
            self.engine = open_read_only(path)
            self._check_current()
        else:
            self.engine = open_engine(self.url)
            try:
                upgrade(self.engine)
            except BaseException:
                self.engine.dispose()
                raise

    def _check_current(self) -> None:
        try:
            with self.engine.connect() as connection:
                current = is_current(connection)
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise StoreError(f"cannot open the read-only database {self.path}: {describe(exc)}") from exc
        if not current:
            self.engine.dispose()
            raise StoreError(f"the database {self.path} is read-only and older than this version (it needs migrating)")

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A transaction that writes (on SQLite: BEGIN IMMEDIATE), committed at the end and
        rolled back on any exception."""
        if self.read_only:
            raise StoreError(f"the database {self.name} is read-only")
        with write_transaction(self.engine) as connection:
            yield connection

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads (one snapshot on SQLite)."""
        with self.engine.connect() as connection:
            yield connection

    # -- meta -------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        with self.reading() as connection:
            value = connection.execute(select(meta.c.value).where(meta.c.key == key)).scalar_one_or_none()
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as connection:
            statement = upsert(connection, meta).values(key=key, value=value)
            connection.execute(
                statement.on_conflict_do_update(index_elements=[meta.c.key], set_={"value": statement.excluded.value})
            )

    def corpus_version(self) -> int:
        """A number that grows whenever issues are added or replaced."""
        return int(self.meta("corpus_version") or 0)

    # -- issues -----------------------------------------------------------------------

    def add_issue(self, issue: Issue, origin: str) -> AddOutcome:
        """Store an issue and its articles in one transaction; the same content is a no-op.
        The rows are made before the transaction begins (JSON and text keys take longer
        than writing them), so other writers wait for its write lock as little as may be."""
        rows = [_article_values(issue.issue_id, a) for a in issue.articles]
        with self.transaction() as connection:
            found = connection.execute(
                select(issues.c.issue_id, issues.c.content_hash).where(
                    (issues.c.issue_id == issue.issue_id) | (issues.c.content_hash == issue.content_hash)
                )
            ).all()
            if any(row.content_hash == issue.content_hash for row in found):
                return AddOutcome.UNCHANGED
            outcome = AddOutcome.ADDED
            if found:
                connection.execute(articles.delete().where(articles.c.issue_id == issue.issue_id))
                connection.execute(issues.delete().where(issues.c.issue_id == issue.issue_id))
                outcome = AddOutcome.UPDATED
            now = datetime.now(UTC)
            connection.execute(
                insert(issues).values(
                    issue_id=issue.issue_id, content_hash=issue.content_hash, banner=issue.banner, origin=origin,
                    ingested_at=now.isoformat(), published=(issue.published or now.date()).isoformat(),
                    edition=issue.edition,
                )
            )
            if rows:
                connection.execute(insert(articles), rows)
            self._bump_corpus_version(connection)
            if outcome is AddOutcome.ADDED:
                self._enqueue_digests(connection, issue.issue_id, now)
        return outcome

    def _bump_corpus_version(self, connection: Connection) -> None:
        current = connection.execute(
            select(meta.c.value).where(meta.c.key == "corpus_version").with_for_update()
        ).scalar_one_or_none()
        statement = upsert(connection, meta).values(key="corpus_version", value=str(int(current or 0) + 1))
        connection.execute(
            statement.on_conflict_do_update(index_elements=[meta.c.key], set_={"value": statement.excluded.value})
        )

    def _enqueue_digests(self, connection: Connection, issue_id: str, now: datetime) -> None:
        """The outbox: one digest delivery per subscribed chat, in the issue's transaction."""
        chats = select(
            cast(bindparam("issue_id", issue_id), Text), subscriptions.c.chat_id, cast(bindparam("status", "pending"), Text),
            cast(bindparam("created_at", now.isoformat()), Text),
        ).where(subscriptions.c.active == 1)
        statement = upsert(connection, deliveries).from_select(
            ["issue_id", "chat_id", "status", "created_at"], chats
        )
        connection.execute(statement.on_conflict_do_nothing(index_elements=["issue_id", "chat_id"]))

    def issue_ids(self) -> list[str]:
        """Issue ids in the order they were first stored."""
        with self.reading() as connection:
            return [str(v) for v in connection.execute(select(issues.c.issue_id).order_by(issues.c.seq)).scalars()]

    def issue_hashes(self) -> dict[str, str]:
        """Issue id -> content hash, in the order issues were stored."""
        with self.reading() as connection:
            rows = connection.execute(select(issues.c.issue_id, issues.c.content_hash).order_by(issues.c.seq))
            return {row.issue_id: row.content_hash for row in rows}

    def issue_count(self) -> int:
        with self.reading() as connection:
            return int(connection.execute(select(func.count()).select_from(issues)).scalar_one())

    def articles(self, issue_ids: Sequence[str] | None = None) -> list[Article]:
        """Articles in reading order: issues as stored, then article order within each."""
        query = _articles_query()
        if issue_ids is not None:
            query = query.where(articles.c.issue_id.in_(list(issue_ids)))
        query = query.order_by(issues.c.seq, articles.c.ordinal)
        with self.reading() as connection:
            return [_article_from_row(row) for row in connection.execute(query).mappings()]

    def find_articles(
        self,
        words: Sequence[str] = (),
        district: str | None = None,
        reporter: str | None = None,
        issue: str | None = None,
        published: str | None = None,
        limit: int = 5,
        offset: int = 0,
    ) -> tuple[list[Article], int]:
        """Articles holding every word (title or text), in the district, by the reporter,
        of the issue (id contains it), published on the day or in the month (2024-07-10,
        2024-07); a page of them and how many there are."""
        with self.reading() as connection:
            where: list[ColumnElement[bool]] = []
            for word in [*words, *([district] if district else [])]:
                where.append(contains(connection, articles.c.title, word) | contains(connection, articles.c.paragraphs, word))
            if reporter:
                where.append(contains(connection, articles.c.reporters, f'"{reporter}"'))
            if issue:
                where.append(contains(connection, articles.c.issue_id, issue))
            if published:
                where.append(contains(connection, issues.c.published, published, anywhere=False))
            joined = articles.join(issues, articles.c.issue_id == issues.c.issue_id)
            total = connection.execute(select(func.count()).select_from(joined).where(*where)).scalar_one()
            query = (
                _articles_query().where(*where).order_by(issues.c.seq.desc(), articles.c.ordinal).limit(limit).offset(offset)
            )
            found = [_article_from_row(row) for row in connection.execute(query).mappings()]
        return found, int(total)

    def articles_by_id(self, article_ids: Sequence[str]) -> dict[str, Article]:
        """The stored articles among these ids, by id."""
        if not article_ids:
            return {}
        query = _articles_query().where(articles.c.article_id.in_(list(article_ids)))
        with self.reading() as connection:
            found = [_article_from_row(row) for row in connection.execute(query).mappings()]
        return {article.article_id: article for article in found}

    def article(self, article_id: str) -> Article | None:
        with self.reading() as connection:
            row = connection.execute(_articles_query().where(articles.c.article_id == article_id)).mappings().first()
        return None if row is None else _article_from_row(row)

    # -- articles from the web ----------------------------------------------------------

    def stored_as(self, url: str, paragraphs: Sequence[str]) -> str | None:
        """The id of the stored article with this URL or this text, if there is one."""
        query = select(articles.c.article_id).where(
            (articles.c.url == url) | (articles.c.text_key == text_key(paragraphs))
        ).limit(1)
        with self.reading() as connection:
            found = connection.execute(query).scalar_one_or_none()
        return None if found is None else str(found)


def _article_values(issue_id: str, article: Article) -> dict[str, Any]:
    return {
        "article_id": article.article_id,
        "issue_id": issue_id,
        "ordinal": article.ordinal,
        "title": article.title,
        "pretitle": article.pretitle,
        "subtitle": article.subtitle,
        "section": article.section,
        "kind": article.kind.value,
        "reporters": json.dumps(list(article.reporters), ensure_ascii=False),
        "source": article.source,
        "paragraphs": json.dumps(list(article.paragraphs), ensure_ascii=False),
        "url": article.url,
        "text_key": text_key(article.paragraphs),
    }
