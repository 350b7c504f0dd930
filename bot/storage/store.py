"""The SQLite store of issues and articles (the embedded default database).

A database we cannot write (the file or its folder is read-only to us) is opened
read-only (`mode=ro`, and `immutable=1` when SQLite cannot create the WAL's shared-memory
file beside it): nothing is migrated or recorded, and a write fails with StoreError.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import TracebackType

from retrieval import Article, ArticleKind, Issue

from .migrations import MIGRATIONS, migrate

log = logging.getLogger(__name__)


class StoreError(RuntimeError):
    """The database cannot be opened or used."""


class AddOutcome(StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


_ARTICLE_COLUMNS = (
    "article_id, issue_id, ordinal, title, pretitle, subtitle, section, kind, reporters, source, paragraphs"
)


def _article_from_row(row: sqlite3.Row) -> Article:
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
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection that writes nothing beside the database, or StoreError when
    the database is older than this code (it would need migrating)."""
    last: sqlite3.Error | None = None
    for options in ("mode=ro", "mode=ro&immutable=1"):
        db = sqlite3.connect(
            f"{path.resolve().as_uri()}?{options}", uri=True, isolation_level=None, timeout=30.0, check_same_thread=False
        )
        try:
            done = {row[0] for row in db.execute("SELECT name FROM migrations")}
        except sqlite3.OperationalError as exc:
            db.close()
            last = exc
            continue
        if any(name not in done for name, _ in MIGRATIONS):
            db.close()
            raise StoreError(f"the database {path} is read-only and older than this version (it needs migrating)")
        return db
    raise StoreError(f"cannot open the read-only database {path}: {last}")


class Store:
    """Issues and articles in one SQLite file; one transaction per issue."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.read_only = path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))
        try:
            if self.read_only:
                self.db = _open_read_only(path)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(path, isolation_level=None, timeout=30.0, check_same_thread=False)
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA foreign_keys=ON")
                self.db.execute("PRAGMA busy_timeout=30000")
                migrate(self.db)
            self.db.row_factory = sqlite3.Row
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the database {path}: {exc}") from exc

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any exception."""
        if self.read_only:
            raise StoreError(f"the database {self.path} is read-only")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- meta -------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def corpus_version(self) -> int:
        """A number that grows whenever issues are added or replaced."""
        return int(self.meta("corpus_version") or 0)

    # -- issues -----------------------------------------------------------------------

    def add_issue(self, issue: Issue, origin: str) -> AddOutcome:
        """Store an issue and its articles in one transaction; the same content is a no-op."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT issue_id, content_hash FROM issues WHERE issue_id = ? OR content_hash = ?",
                (issue.issue_id, issue.content_hash),
            ).fetchall()
            if any(r["content_hash"] == issue.content_hash for r in row):
                return AddOutcome.UNCHANGED
            outcome = AddOutcome.ADDED
            if row:
                db.execute("DELETE FROM issues WHERE issue_id = ?", (issue.issue_id,))
                outcome = AddOutcome.UPDATED
            db.execute(
                "INSERT INTO issues (issue_id, content_hash, banner, origin, ingested_at) VALUES (?, ?, ?, ?, ?)",
                (issue.issue_id, issue.content_hash, issue.banner, origin, datetime.now(UTC).isoformat()),
            )
            db.executemany(
                f"INSERT INTO articles ({_ARTICLE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        a.article_id,
                        issue.issue_id,
                        a.ordinal,
                        a.title,
                        a.pretitle,
                        a.subtitle,
                        a.section,
                        a.kind.value,
                        json.dumps(list(a.reporters), ensure_ascii=False),
                        a.source,
                        json.dumps(list(a.paragraphs), ensure_ascii=False),
                    )
                    for a in issue.articles
                ],
            )
            db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'corpus_version'")
            if outcome is AddOutcome.ADDED:
                # the outbox: one digest delivery per subscribed chat, in the same transaction
                db.execute(
                    "INSERT OR IGNORE INTO deliveries (issue_id, chat_id, status, created_at) "
                    "SELECT ?, chat_id, 'pending', ? FROM subscriptions WHERE active = 1",
                    (issue.issue_id, datetime.now(UTC).isoformat()),
                )
        return outcome

    def issue_ids(self) -> list[str]:
        """Issue ids in the order they were first stored."""
        return [row[0] for row in self.db.execute("SELECT issue_id FROM issues ORDER BY seq")]

    def issue_hashes(self) -> dict[str, str]:
        """Issue id -> content hash, in the order issues were stored."""
        rows = self.db.execute("SELECT issue_id, content_hash FROM issues ORDER BY seq")
        return {row[0]: row[1] for row in rows}

    def issue_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM issues").fetchone()[0])

    def articles(self, issue_ids: Sequence[str] | None = None) -> list[Article]:
        """Articles in reading order: issues as stored, then article order within each."""
        query = (
            f"SELECT {', '.join('a.' + c.strip() for c in _ARTICLE_COLUMNS.split(','))} "
            "FROM articles a JOIN issues i ON i.issue_id = a.issue_id"
        )
        params: list[str] = []
        if issue_ids is not None:
            query += f" WHERE a.issue_id IN ({', '.join('?' * len(issue_ids))})"
            params = list(issue_ids)
        query += " ORDER BY i.seq, a.ordinal"
        return [_article_from_row(row) for row in self.db.execute(query, params)]

    def find_articles(
        self,
        words: Sequence[str] = (),
        district: str | None = None,
        reporter: str | None = None,
        issue: str | None = None,
        limit: int = 5,
        offset: int = 0,
    ) -> tuple[list[Article], int]:
        """Articles holding every word (title or text), in the district, by the reporter,
        of the issue (id contains it); a page of them and how many there are."""
        where: list[str] = []
        params: list[str] = []
        for word in [*words, *([district] if district else [])]:
            where.append("(a.title LIKE ? ESCAPE '\\' OR a.paragraphs LIKE ? ESCAPE '\\')")
            params += [_like(word), _like(word)]
        if reporter:
            where.append("a.reporters LIKE ? ESCAPE '\\'")
            params.append(_like(f'"{reporter}"'))
        if issue:
            where.append("a.issue_id LIKE ? ESCAPE '\\'")
            params.append(_like(issue))
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        base = "FROM articles a JOIN issues i ON i.issue_id = a.issue_id" + clause
        total = int(self.db.execute(f"SELECT COUNT(*) {base}", params).fetchone()[0])
        columns = ", ".join("a." + c.strip() for c in _ARTICLE_COLUMNS.split(","))
        rows = self.db.execute(
            f"SELECT {columns} {base} ORDER BY i.seq DESC, a.ordinal LIMIT ? OFFSET ?", [*params, limit, offset]
        )
        return [_article_from_row(row) for row in rows], total

    def article(self, article_id: str) -> Article | None:
        row = self.db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE article_id = ?", (article_id,)
        ).fetchone()
        return None if row is None else _article_from_row(row)
