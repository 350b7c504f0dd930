"""The hand-written SQLite migrations (001 to 007), each applied once and recorded. FROZEN.

Schema changes are Alembic revisions now (bot/storage/alembic/versions/), for SQLite and
PostgreSQL alike; nothing is added here. These only bring an SQLite file made before
Alembic up to the last of them, just before it is adopted (`revisions.upgrade` stamps it
at the revision that stands for that migration, see `revisions.LEGACY_STAMPS`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from .identity import date_in_name, text_key

Migration = Callable[[sqlite3.Connection], None]


def m001_issues_and_articles(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE issues (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            issue_id TEXT NOT NULL UNIQUE,
            content_hash TEXT NOT NULL,
            banner TEXT,
            origin TEXT NOT NULL,
            ingested_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX issues_hash ON issues(content_hash)")
    db.execute(
        """
        CREATE TABLE articles (
            article_id TEXT PRIMARY KEY,
            issue_id TEXT NOT NULL REFERENCES issues(issue_id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            title TEXT NOT NULL,
            pretitle TEXT,
            subtitle TEXT,
            section TEXT,
            kind TEXT NOT NULL,
            reporters TEXT NOT NULL,
            source TEXT,
            paragraphs TEXT NOT NULL,
            UNIQUE (issue_id, ordinal)
        )
        """
    )


def m002_meta(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO meta (key, value) VALUES ('corpus_version', '0')")


def m003_bot_activity(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE users (
            user_id INTEGER PRIMARY KEY,
            language TEXT,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE queries (
            query_id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            user_id INTEGER,
            chat_id INTEGER,
            text TEXT NOT NULL,
            found INTEGER NOT NULL DEFAULT 0,
            answer TEXT,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX queries_created ON queries(created_at)")
    db.execute(
        """
        CREATE TABLE feedback (
            query_id INTEGER NOT NULL REFERENCES queries(query_id),
            user_id INTEGER NOT NULL,
            value INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (query_id, user_id)
        )
        """
    )


def m004_digests(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE subscriptions (
            chat_id INTEGER PRIMARY KEY,
            chat_type TEXT NOT NULL,
            title TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            ended_reason TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE deliveries (
            delivery_id INTEGER PRIMARY KEY AUTOINCREMENT,
            issue_id TEXT NOT NULL,
            chat_id INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            parts_sent INTEGER NOT NULL DEFAULT 0,
            message_ids TEXT NOT NULL DEFAULT '[]',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            first_attempt_at TEXT,
            last_error TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            UNIQUE (issue_id, chat_id)
        )
        """
    )
    db.execute("CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at)")
    db.execute(
        """
        CREATE TABLE feeds (
            url TEXT PRIMARY KEY,
            etag TEXT,
            last_modified TEXT,
            checked_at TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE feed_items (
            url TEXT PRIMARY KEY,
            feed_url TEXT NOT NULL,
            outcome TEXT NOT NULL,
            seen_at TEXT NOT NULL
        )
        """
    )


def m005_feed_item_state(db: sqlite3.Connection) -> None:
    """Each listed feed item's state: done, refused for good (with the reason), or to be
    retried (attempts so far, when next). Items recorded before were done or refused."""
    db.execute(
        """
        CREATE TABLE feed_items_new (
            url TEXT PRIMARY KEY,
            feed_url TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('done', 'refused', 'retry')),
            outcome TEXT,
            reason TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            first_seen_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        INSERT INTO feed_items_new (url, feed_url, state, outcome, reason, attempts, first_seen_at, updated_at)
        SELECT url, feed_url,
               CASE WHEN outcome LIKE 'refused:%' THEN 'refused' ELSE 'done' END,
               CASE WHEN outcome LIKE 'refused:%' THEN NULL ELSE outcome END,
               CASE WHEN outcome LIKE 'refused:%' THEN trim(substr(outcome, 9)) END,
               1, seen_at, seen_at
        FROM feed_items
        """
    )
    db.execute("DROP TABLE feed_items")
    db.execute("ALTER TABLE feed_items_new RENAME TO feed_items")
    db.execute("CREATE INDEX feed_items_due ON feed_items(feed_url, state, next_attempt_at)")


def m006_conversations(db: sqlite3.Connection) -> None:
    """The last question of each private chat, and each group answer's question, for
    follow-ups ("那朝阳呢？")."""
    db.execute(
        """
        CREATE TABLE chat_turns (
            chat_id INTEGER PRIMARY KEY,
            question TEXT NOT NULL,
            article_id TEXT,
            answer TEXT,
            kind TEXT,
            asked_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX chat_turns_asked ON chat_turns(asked_at)")
    db.execute(
        """
        CREATE TABLE answer_turns (
            chat_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            question TEXT NOT NULL,
            article_id TEXT,
            answer TEXT,
            kind TEXT,
            asked_at TEXT NOT NULL,
            PRIMARY KEY (chat_id, message_id)
        )
        """
    )


def m007_web_articles(db: sqlite3.Connection) -> None:
    """Articles keep their web page's URL and a key of their text (an article stored once,
    whichever URL brings it again); issues their publication date (from the origin's name,
    else the day they were ingested) and printed page; feeds what their URL served."""
    db.execute("ALTER TABLE articles ADD COLUMN url TEXT")
    db.execute("ALTER TABLE articles ADD COLUMN text_key TEXT")
    db.execute("ALTER TABLE issues ADD COLUMN published TEXT")
    db.execute("ALTER TABLE issues ADD COLUMN edition INTEGER")
    db.execute("ALTER TABLE feeds ADD COLUMN kind TEXT")  # what the feed URL served last
    rows = db.execute("SELECT article_id, paragraphs FROM articles").fetchall()
    db.executemany(
        "UPDATE articles SET text_key = ? WHERE article_id = ?",
        [(text_key(json.loads(row[1])), row[0]) for row in rows],
    )
    for issue_id, origin, ingested_at in db.execute("SELECT issue_id, origin, ingested_at FROM issues").fetchall():
        day = date_in_name(str(origin).rsplit("/", 1)[-1]) or datetime.fromisoformat(ingested_at).date()
        db.execute("UPDATE issues SET published = ? WHERE issue_id = ?", (day.isoformat(), issue_id))
    db.execute("CREATE INDEX articles_url ON articles(url)")
    db.execute("CREATE INDEX articles_text_key ON articles(text_key)")
    db.execute("CREATE INDEX issues_published ON issues(published)")


MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_issues_and_articles", m001_issues_and_articles),
    ("002_meta", m002_meta),
    ("003_bot_activity", m003_bot_activity),
    ("004_digests", m004_digests),
    ("005_feed_item_state", m005_feed_item_state),
    ("006_conversations", m006_conversations),
    ("007_web_articles", m007_web_articles),
]


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply the migrations not yet recorded, in order; return the names applied.

    `db` is in autocommit mode; each migration runs in its own transaction, so two
    processes opening a new database at once apply each migration once.
    """
    db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in db.execute("SELECT name FROM migrations")}
    applied: list[str] = []
    for name, migration in MIGRATIONS:
        if name in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("SELECT 1 FROM migrations WHERE name = ?", (name,)).fetchone() is None:
                migration(db)
                db.execute(
                    "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                    (name, datetime.now(UTC).isoformat()),
                )
                applied.append(name)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return applied
