"""The database schema, one definition for SQLite and PostgreSQL (SQLAlchemy Core).

Values are stored as the application writes them today: timestamps are ISO-8601 text in
UTC (`datetime.now(UTC).isoformat()`, compared as text), flags are integers 0/1, lists
are JSON text. The flood guard's windows are the exception: they are computed on in SQL,
so their times are integer milliseconds since the epoch. Telegram user and chat ids exceed 32 bits: they are BIGINT (on SQLite an
INTEGER PRIMARY KEY stays the rowid, as before). Generated ids (`issues.seq`,
`queries.query_id`, `deliveries.delivery_id`) are AUTOINCREMENT on SQLite (never reused)
and identity columns on PostgreSQL; the bot gives its queries random ids of its own
(`activity.new_query_id`, from 2**32 up), so that a reply carries its id before the
query is written.

The Alembic revisions in `bot/storage/alembic/versions/` create exactly this; a test
compares the two on both databases.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import TypeEngine

metadata = MetaData()


def _big_id() -> TypeEngine[int]:
    """A 64-bit id; INTEGER on SQLite (64 bits there too), so that a primary key stays the rowid."""
    return BigInteger().with_variant(Integer(), "sqlite")


def _generated_id(name: str) -> Column[int]:
    return Column(name, _big_id(), Identity(), primary_key=True)


issues = Table(
    "issues",
    metadata,
    _generated_id("seq"),
    Column("issue_id", Text, nullable=False, unique=True),
    Column("content_hash", Text, nullable=False),
    Column("banner", Text),
    Column("origin", Text, nullable=False),
    Column("ingested_at", Text, nullable=False),
    Column("published", Text),  # the day of publication, ISO (from the origin's name, else ingest)
    Column("edition", Integer),  # the printed page, for issues made of web articles
    Index("issues_hash", "content_hash"),
    Index("issues_published", "published"),
    sqlite_autoincrement=True,
)

articles = Table(
    "articles",
    metadata,
    Column("article_id", Text, primary_key=True),
    Column("issue_id", Text, ForeignKey("issues.issue_id", ondelete="CASCADE"), nullable=False),
    Column("ordinal", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("pretitle", Text),
    Column("subtitle", Text),
    Column("section", Text),
    Column("kind", Text, nullable=False),
    Column("reporters", Text, nullable=False),
    Column("source", Text),
    Column("paragraphs", Text, nullable=False),
    Column("url", Text),  # the web page, for articles from the web
    Column("text_key", Text),  # identity.text_key of the paragraphs: a text is stored once
    UniqueConstraint("issue_id", "ordinal"),
    Index("articles_url", "url"),
    Index("articles_text_key", "text_key"),
)

meta = Table(
    "meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("user_id", _big_id(), primary_key=True, autoincrement=False),
    Column("language", Text),
    Column("first_seen", Text, nullable=False),
    Column("last_seen", Text, nullable=False),
)

queries = Table(
    "queries",
    metadata,
    _generated_id("query_id"),
    Column("kind", Text, nullable=False),
    Column("user_id", _big_id()),
    Column("chat_id", _big_id()),
    Column("text", Text, nullable=False),
    Column("found", Integer, nullable=False, server_default=text("0")),
    Column("answer", Text),
    Column("created_at", Text, nullable=False),
    Column("results", Text),  # JSON: the cited results of an answered question, for its buttons
    Index("queries_created", "created_at"),
    sqlite_autoincrement=True,
)

feedback = Table(
    "feedback",
    metadata,
    Column("query_id", _big_id(), ForeignKey("queries.query_id"), nullable=False),
    Column("user_id", _big_id(), nullable=False),
    Column("value", Integer, nullable=False),
    Column("created_at", Text, nullable=False),
    PrimaryKeyConstraint("query_id", "user_id"),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("chat_id", _big_id(), primary_key=True, autoincrement=False),
    Column("chat_type", Text, nullable=False),
    Column("title", Text),
    Column("active", Integer, nullable=False, server_default=text("1")),
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Column("ended_reason", Text),
)

deliveries = Table(
    "deliveries",
    metadata,
    _generated_id("delivery_id"),
    Column("issue_id", Text, nullable=False),
    Column("chat_id", _big_id(), nullable=False),
    Column("status", Text, nullable=False, server_default=text("'pending'")),
    Column("parts_sent", Integer, nullable=False, server_default=text("0")),
    Column("message_ids", Text, nullable=False, server_default=text("'[]'")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", Text),
    Column("first_attempt_at", Text),
    Column("last_error", Text),
    Column("created_at", Text, nullable=False),
    Column("sent_at", Text),
    Column("claimed_by", Text),  # the sender lease holder that claimed it (bot/storage/leases.py)
    UniqueConstraint("issue_id", "chat_id"),
    Index("deliveries_due", "status", "next_attempt_at"),
    sqlite_autoincrement=True,
)

feeds = Table(
    "feeds",
    metadata,
    Column("url", Text, primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("checked_at", Text),
    Column("kind", Text),  # what the feed URL served last (webread.DocumentKind)
)

feed_items = Table(
    "feed_items",
    metadata,
    Column("url", Text, primary_key=True),
    Column("feed_url", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("outcome", Text),
    Column("reason", Text),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", Text),
    Column("first_seen_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    CheckConstraint("state IN ('done', 'refused', 'retry')", name="feed_items_state"),
    Index("feed_items_due", "feed_url", "state", "next_attempt_at"),
)

chat_turns = Table(
    "chat_turns",
    metadata,
    Column("chat_id", _big_id(), primary_key=True, autoincrement=False),
    Column("question", Text, nullable=False),
    Column("article_id", Text),
    Column("answer", Text),
    Column("kind", Text),
    Column("asked_at", Text, nullable=False),
    Index("chat_turns_asked", "asked_at"),
)

answer_turns = Table(
    "answer_turns",
    metadata,
    Column("chat_id", _big_id(), nullable=False),
    Column("message_id", _big_id(), nullable=False),
    Column("question", Text, nullable=False),
    Column("article_id", Text),
    Column("answer", Text),
    Column("kind", Text),
    Column("asked_at", Text, nullable=False),
    PrimaryKeyConstraint("chat_id", "message_id"),
)

# Who leads among the processes sharing the database (bot/storage/leases.py): one row a
# lease, its times in seconds since the epoch by the database's own clock.
leases = Table(
    "leases",
    metadata,
    Column("name", Text, primary_key=True),
    Column("holder", Text, nullable=False),
    Column("acquired_at", Double, nullable=False),
    Column("expires_at", Double, nullable=False),
)

# Updates from Telegram, stored when received and before they are confirmed to Telegram,
# until they are handled (bot/storage/updates.py); times in seconds since the epoch by the
# database's own clock, as the leases'.
updates = Table(
    "updates",
    metadata,
    Column("update_id", _big_id(), primary_key=True, autoincrement=False),
    Column("payload", Text, nullable=False),  # the update's JSON
    Column("received_at", Double, nullable=False),
    Column("claimed_by", Text, nullable=False),  # the process handling it (or that will)
    Column("claimed_at", Double, nullable=False),  # when that process last renewed its claim
    Column("handled_at", Double),
    Index("updates_open", "handled_at", "claimed_at"),
)

flood_windows = Table(
    "flood_windows",
    metadata,
    Column("user_id", _big_id(), primary_key=True, autoincrement=False),
    Column("window_start", BigInteger, nullable=False),  # ms since the epoch
    Column("hits", Integer, nullable=False),  # questions let through in the window
    Column("previous_hits", Integer, nullable=False),  # and in the window before it
    Column("warned_at", BigInteger),  # ms since the epoch: the last "please slow down"
    Column("admission", Text, nullable=False),  # what the last question got: allowed, warned, quiet
    Index("flood_windows_start", "window_start"),
)

# The bookkeeping of the hand-written SQLite migrations (bot/storage/migrations.py, frozen:
# they only bring a legacy file up before it is adopted). Every revision that stands for
# one of them records it here, so that the table always lists what the schema holds.
legacy_migrations = Table(
    "migrations",
    metadata,
    Column("name", Text, primary_key=True),
    Column("applied_at", Text, nullable=False),
)

BOOKKEEPING_TABLES = frozenset({legacy_migrations.name})
"""Tables a migration fills for itself; `db copy` leaves them to the target's migrations."""

TRANSIENT_TABLES = frozenset({leases.name})
"""Tables of the running processes, not data: `db copy` leaves them out."""

SEEDED_ROWS: dict[str, list[dict[str, str]]] = {
    meta.name: [{"key": "corpus_version", "value": "0"}],
}
"""Rows the baseline puts in an empty database; a target holding only these is empty."""
